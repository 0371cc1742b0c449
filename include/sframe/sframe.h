// Copyright 2026 The sframecpp Authors.
//
// sframe.h: SFrame encryption and decryption (RFC 9605 §4.4).
//
// An `Encryptor` owns one send key (a KID and its base_key) and the counter
// of that key. It never accepts a nonce or a per-frame counter, so a
// (key, KID, CTR) triple cannot be used twice through this API.
//
// A `Decryptor` is a key store KID -> receive key. It takes the KID from each
// frame's header, verifies the tag before any plaintext is released, and
// zeroes the output on every error.
//
//   auto enc = sframe::Encryptor::Create(suite, /*key_id=*/7, base_key);
//   auto dec = sframe::Decryptor::Create(suite);
//   dec->AddKey(7, base_key).IgnoreError();
//   std::vector<uint8_t> ct(enc->CiphertextSize(frame.size()));
//   absl::StatusOr<absl::Span<uint8_t>> sealed =
//       enc->Encrypt(metadata, frame, absl::MakeSpan(ct));
//   std::vector<uint8_t> pt(sframe::Decryptor::MaxPlaintextSize(ct.size()));
//   absl::StatusOr<absl::Span<uint8_t>> opened =
//       dec->Decrypt(metadata, *sealed, absl::MakeSpan(pt));
//
// Keys are derived once, when a key is installed (`Create`, `AddKey`); the
// per-frame path runs no KDF and allocates nothing. All key material is wiped
// with OPENSSL_cleanse when its owner is destroyed.
//
// Anti-replay (RFC 9605 §9.3, optional there): a Decryptor can keep an
// SRTP-style sliding window per KID (`Decryptor::Options::replay_window`).
// A duplicate counter, or one older than the window, fails with
// kAlreadyExists; the window moves only after a tag verifies. It is on by
// default with 128 counters, here and in the key-management layer
// (sframe/keys.h); set the window to 0 to turn it off.
//
// Counter persistence (RFC 9605 §9.1): `Encryptor::Options::reserve_counters`
// is called before a block of counters is first used, so the application can
// store "resume after this counter" before any of them reaches the wire.
//
// Ratchets and MLS epochs (RFC 9605 §5) compose around these two objects:
// see sframe/keys.h.
//
// Thread safety: an Encryptor or a Decryptor may be used by one thread at a
// time (they hold per-frame state: the counter, cipher contexts, replay
// windows, statistics). Different objects are independent. Synchronise
// externally to share one.
//
// Errors (absl::StatusCode), per DESIGN.md:
//   kInvalidArgument    caller bug: unknown suite, empty key, a replay window
//                       over kMaxReplayWindow, output too small, bad overlap
//                       (metadata overlapping the output included), a
//                       plaintext over kMaxPayloadSize
//   kNotFound           no receive key for the frame's KID
//   kDataLoss           malformed header, truncated frame, a payload over
//                       kMaxPayloadSize, tag mismatch
//   kAlreadyExists      replayed counter (duplicate or older than the window)
//   kResourceExhausted  the send counter is exhausted: install a new key
//   kFailedPrecondition Encrypt on a moved-from Encryptor;
//                       DecryptWithCandidateKey for a KID that has a key
// Per-frame errors carry no message, so they never allocate.

#ifndef SFRAME_SFRAME_H_
#define SFRAME_SFRAME_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"

namespace sframe {

namespace internal {
class BatchAccess;
class KeyContext;
class ReceiveKey;

// a + b, or SIZE_MAX when the sum does not fit: the size helpers saturate.
constexpr size_t AddSaturating(size_t a, size_t b) {
  return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}
}  // namespace internal

// Called before counters [first, last] of `key_id` are used for the first
// time. Persist `last` (a restart must resume at last + 1, through
// Encryptor::Options::first_counter) and return OK; any other status fails
// the Encrypt call that needed the counters, with that status, and nothing
// is encrypted. Runs on the encrypting thread, at most once per block.
using CounterReservation =
    std::function<absl::Status(KeyId key_id, Counter first, Counter last)>;

// Per-KID receive statistics (Decryptor::GetKeyStats).
struct KeyStats {
  uint64_t decrypted = 0;                // frames whose tag verified
  uint64_t authentication_failures = 0;  // tag mismatches
  uint64_t replays = 0;  // duplicate counters, or older than the window
};

// The largest number of bytes a frame of `plaintext_size` bytes can grow to
// under `suite`: the longest header plus the tag. Saturates at SIZE_MAX
// (no buffer is that large, so an Encrypt sized by it fails cleanly).
constexpr size_t MaxCiphertextSize(CipherSuite suite, size_t plaintext_size) {
  return internal::AddSaturating(plaintext_size,
                                 kMaxHeaderSize + TagSize(suite));
}

class Encryptor {
 public:
  struct Options {
    // The counter of the first frame. Only set it to resume a key whose
    // previous counters were persisted (RFC 9605 §9.1); every counter below
    // it is treated as used.
    Counter first_counter = 0;
    // Optional (RFC 9605 §9.1): called before each new block of
    // `reservation_block` counters is used (see CounterReservation). The
    // first call happens on the first Encrypt, for the block starting at
    // first_counter.
    CounterReservation reserve_counters;
    Counter reservation_block = 1024;  // must be >= 1 when the hook is set
  };

  // Derives sframe_key and sframe_salt for (`suite`, `key_id`, `base_key`).
  // Fails with kInvalidArgument for an unknown suite, an empty `base_key`,
  // or `reserve_counters` set with a zero `reservation_block`.
  static absl::StatusOr<Encryptor> Create(CipherSuite suite, KeyId key_id,
                                          absl::Span<const uint8_t> base_key);
  static absl::StatusOr<Encryptor> Create(CipherSuite suite, KeyId key_id,
                                          absl::Span<const uint8_t> base_key,
                                          const Options& options);

  // A moved-from Encryptor holds no key: its Encrypt fails with
  // kFailedPrecondition, and exhausted() is true.
  Encryptor(Encryptor&&) noexcept;
  Encryptor& operator=(Encryptor&&) noexcept;
  Encryptor(const Encryptor&) = delete;
  Encryptor& operator=(const Encryptor&) = delete;
  ~Encryptor();

  // The exact size of the next frame's ciphertext for a plaintext of
  // `plaintext_size` bytes: header (for the next counter) + plaintext + tag.
  // Saturates at SIZE_MAX.
  size_t CiphertextSize(size_t plaintext_size) const;

  // Encrypts one frame into the front of `out` and returns the written
  // prefix: header || ciphertext || tag. The counter advances only on
  // success.
  //
  // `plaintext` and `out` must either not overlap or start at the same
  // address (in place; `out` then needs room for the header and tag).
  // `metadata` must not overlap `out` (the header is written before the
  // metadata is authenticated).
  //
  // Errors: kInvalidArgument if `out` is shorter than
  // CiphertextSize(plaintext.size()), overlaps `plaintext` otherwise or
  // overlaps `metadata`, or if the plaintext is longer than kMaxPayloadSize;
  // kResourceExhausted once counter 2^64 - 1 has been used;
  // kFailedPrecondition on a moved-from Encryptor; the status of
  // `reserve_counters` if it refused a block; kInternal if the AEAD failed
  // inside BoringSSL, which then zeroes `out`. On every other error nothing
  // is written.
  absl::StatusOr<absl::Span<uint8_t>> Encrypt(
      absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
      absl::Span<uint8_t> out);

  CipherSuite suite() const { return suite_; }
  KeyId key_id() const { return key_id_; }
  // The counter the next frame will use. Meaningless once exhausted().
  Counter next_counter() const { return next_counter_; }
  bool exhausted() const { return exhausted_; }

 private:
  friend class internal::BatchAccess;  // sframe/batch.h

  Encryptor(CipherSuite suite, KeyId key_id, const Options& options,
            std::unique_ptr<internal::KeyContext> key);
  // True if next_counter_ must be reserved (Reserve) before it is used.
  // Inline: on the per-frame path this is two compares, not a call.
  bool NeedsReservation() const {
    return reserve_counters_ &&
           !(has_reservation_ && next_counter_ <= reserved_last_);
  }
  // Runs the reservation hook for the block starting at next_counter_.
  absl::Status Reserve();
  // Encodes the header of next_counter_ into next_header_. Run whenever the
  // counter changes, so that the next Encrypt finds its header (and the AEAD
  // its AAD) in memory written one frame earlier: a load of bytes that were
  // just stored would wait for the store (no store forwarding into the
  // kernels' masked AAD loads).
  void EncodeNextHeader();
  // EncodeNextHeader after next_counter_ moved on, in its one-word form
  // while the header keeps its size (a store instead of an encoding).
  // Inline, defined in src/core/header_internal.h: Encrypt and the batch
  // call it per frame, and as an out-of-line exported function it would not
  // be inlined into them (-fPIC).
  inline void UpdateNextHeader();

  CipherSuite suite_;
  KeyId key_id_;
  Counter next_counter_;
  bool exhausted_ = false;
  std::unique_ptr<internal::KeyContext> key_;
  CounterReservation reserve_counters_;
  Counter reservation_block_ = 0;
  bool has_reservation_ = false;
  Counter reserved_last_ = 0;  // valid when has_reservation_
  // The header for (key_id_, next_counter_), plus slack for word stores.
  uint8_t next_header_[kMaxHeaderSize + 8] = {};
  size_t next_header_size_ = 0;
  // While next_counter_ < header_word_limit_, the next header is one word:
  // byte-swapped (header_word_prefix_ | next_counter_ << header_word_shift_),
  // the same size (see EncodeNextHeader). 0 when that does not hold.
  Counter header_word_limit_ = 0;
  uint64_t header_word_prefix_ = 0;
  int header_word_shift_ = 0;
};

class Decryptor {
 public:
  // The default replay window, in counters.
  static constexpr size_t kDefaultReplayWindow = 128;
  // The largest replay window, in counters.
  static constexpr size_t kMaxReplayWindow = size_t{1} << 16;

  struct Options {
    // Size of the per-KID anti-replay window, in counters (RFC 3711 §3.3.2
    // style, with the SFrame CTR as the index). 0 disables anti-replay.
    // On by default (128, as in sframe/keys.h): a replayed or too old
    // counter fails with kAlreadyExists.
    size_t replay_window = kDefaultReplayWindow;
  };

  // kInvalidArgument for an unknown suite or a window above
  // kMaxReplayWindow.
  static absl::StatusOr<Decryptor> Create(CipherSuite suite);
  static absl::StatusOr<Decryptor> Create(CipherSuite suite,
                                          const Options& options);

  Decryptor(Decryptor&&) noexcept;
  Decryptor& operator=(Decryptor&&) noexcept;
  Decryptor(const Decryptor&) = delete;
  Decryptor& operator=(const Decryptor&) = delete;
  ~Decryptor();

  // Installs a receive key. Fails with kInvalidArgument if `base_key` is
  // empty, kAlreadyExists if `key_id` already has a key (remove it first).
  // A failed call leaves the store unchanged.
  absl::Status AddKey(KeyId key_id, absl::Span<const uint8_t> base_key);

  // Removes and wipes the key for `key_id`. kNotFound if there is none.
  absl::Status RemoveKey(KeyId key_id);

  bool HasKey(KeyId key_id) const;
  size_t key_count() const { return keys_.size(); }

  // An upper bound on the plaintext size of a ciphertext of
  // `ciphertext_size` bytes (the header and tag are at least 1 + 4 bytes).
  static constexpr size_t MaxPlaintextSize(size_t ciphertext_size) {
    return ciphertext_size;
  }

  // The exact plaintext size of `ciphertext` under this suite, or kDataLoss
  // if its header is malformed or it is shorter than header + tag.
  absl::StatusOr<size_t> PlaintextSize(
      absl::Span<const uint8_t> ciphertext) const;

  // Decrypts one SFrame ciphertext into the front of `out` and returns the
  // written prefix. The tag is verified (in constant time) before the
  // plaintext is released.
  //
  // `ciphertext` and `out` must either not overlap or start at the same
  // address (in place); `metadata` must not overlap `out`.
  //
  // With a replay window, a counter that was already accepted for this KID,
  // or is older than the window, fails with kAlreadyExists before the tag is
  // checked; the window records a counter only after its tag verifies.
  //
  // Errors: kDataLoss (malformed header, truncated frame, a payload longer
  // than kMaxPayloadSize, tag mismatch), kNotFound (no key for the KID),
  // kAlreadyExists (replayed counter), kInvalidArgument (`out` too small or
  // badly overlapping). On every error all of `out` is zeroed, except when
  // `out` overlaps `ciphertext` or `metadata` in an unsupported way, where
  // nothing is written. No error changes any state
  // except the failure counters of the statistics.
  absl::StatusOr<absl::Span<uint8_t>> Decrypt(
      absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
      absl::Span<uint8_t> out);

  // Tentative key resolution, for the key-management layer (ratchet steps,
  // MLS epochs): decrypts a frame whose KID has no key yet, using
  // `base_key` as that KID's candidate base key. Only if the tag verifies is
  // the derived key installed under the frame's KID (with a fresh replay
  // window that records the frame's counter). On any failure nothing is
  // installed and the derived key is wiped. This derives a key and
  // allocates, so it is not a steady-state path.
  //
  // Errors: as Decrypt, plus kFailedPrecondition if the frame's KID already
  // has a key (use Decrypt) and kInvalidArgument if `base_key` is empty.
  // In place, a failed attempt leaves `ciphertext` destroyed (zeroed).
  absl::StatusOr<absl::Span<uint8_t>> DecryptWithCandidateKey(
      absl::Span<const uint8_t> base_key, absl::Span<const uint8_t> metadata,
      absl::Span<const uint8_t> ciphertext, absl::Span<uint8_t> out);

  // The statistics of `key_id`'s key, or nullopt if it has none. They are
  // dropped with the key.
  std::optional<KeyStats> GetKeyStats(KeyId key_id) const;
  // Frames whose KID had no key, and frames too malformed to be parsed.
  uint64_t unknown_key_ids() const { return unknown_key_ids_; }
  uint64_t malformed_frames() const { return malformed_frames_; }

  CipherSuite suite() const { return suite_; }
  size_t replay_window() const { return replay_window_; }

 private:
  friend class internal::BatchAccess;  // sframe/batch.h

  Decryptor(CipherSuite suite, size_t replay_window);

  // The receive key of `key_id`, or nullptr. A one-entry cache in front of
  // the hash map serves the common case of consecutive frames of one KID.
  internal::ReceiveKey* FindKey(KeyId key_id) {
    if (cached_key_ != nullptr && cached_kid_ == key_id) return cached_key_;
    return FindKeySlow(key_id);
  }
  internal::ReceiveKey* FindKeySlow(KeyId key_id);

  CipherSuite suite_;
  size_t replay_window_ = 0;
  uint64_t unknown_key_ids_ = 0;
  uint64_t malformed_frames_ = 0;
  absl::flat_hash_map<KeyId, std::unique_ptr<internal::ReceiveKey>> keys_;
  // The last key FindKey found (owned by keys_; heap-held, so its address
  // survives rehashing). Reset by RemoveKey and by moves.
  KeyId cached_kid_ = 0;
  internal::ReceiveKey* cached_key_ = nullptr;
};

}  // namespace sframe

#endif  // SFRAME_SFRAME_H_
