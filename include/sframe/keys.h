// Copyright 2026 The sframecpp Authors.
//
// keys.h: SFrame key management (RFC 9605 §5). Sender keys with a ratchet
// (§5.1), MLS epochs (§5.2), per-KID anti-replay windows, key rotation with
// a grace period, counter persistence hooks, statistics and failure events.
//
// Everything here composes around `Encryptor` and `Decryptor` (sframe.h):
// the send objects own Encryptors, the receive objects own Decryptors, and
// keys for unseen KIDs are resolved *tentatively*: derived, tried on the
// frame, and installed only once its tag verifies. A forged frame therefore
// never advances a ratchet, never moves a replay window and never grows a
// cache; it costs at most a bounded number of key derivations.
//
// Sender keys (§5.1). KID = (generation << R) + (step mod 2^R).
//
//   // Sender (one per outbound stream):
//   auto tx = sframe::SenderKeyEncryptor::Create(suite, /*ratchet_bits=*/4,
//                                                /*generation=*/0, base_key);
//   auto ct = tx->Encrypt(metadata, frame, absl::MakeSpan(buf));
//   tx->Ratchet().IgnoreError();        // next step: KID + 1, new counters
//   tx->Rekey(fresh_base_key).IgnoreError();  // generation + 1, step 0
//
//   // Receiver (all remote senders in one object):
//   auto rx = sframe::SenderKeyDecryptor::Create(suite);
//   rx->AddSender(/*sender=*/alice_ssrc, /*ratchet_bits=*/4).IgnoreError();
//   rx->InstallKey(alice_ssrc, /*generation=*/0, /*step=*/0, base_key)
//       .IgnoreError();
//   auto pt = rx->Decrypt(alice_ssrc, metadata, *ct, absl::MakeSpan(out));
//
// MLS (§5.2). KID = (context << (S + E)) + (sender_index << E)
// + (epoch mod 2^E). The application runs MLS and hands over, per epoch,
// base_key = MLS-Exporter("SFrame 1.0 Base Key", "", KeySize(suite)).
//
//   sframe::MlsKeyIdLayout layout{/*epoch_bits=*/4, /*sender_bits=*/6};
//   auto tx = sframe::MlsEncryptor::Create(suite, layout, my_leaf_index);
//   tx->SetEpoch(epoch, exported_base_key).IgnoreError();
//   auto ct = tx->Encrypt(/*context=*/0, metadata, frame, absl::MakeSpan(buf));
//   auto rx = sframe::MlsDecryptor::Create(suite, layout);
//   rx->AddEpoch(epoch, exported_base_key).IgnoreError();
//   auto pt = rx->Decrypt(metadata, *ct, absl::MakeSpan(out));
//
// Errors (absl::StatusCode), as in sframe.h:
//   kInvalidArgument    caller bug: bad layout, key, option, output size
//   kNotFound           no key for this KID, and none derivable within bounds
//                       (the only retryable case: buffer and retry once the
//                       key may have arrived; a new KID beyond an MLS
//                       epoch's max_keys_per_epoch stays refused)
//   kDataLoss           malformed header, truncated frame, tag mismatch
//   kAlreadyExists      replayed counter (or a key/epoch already installed,
//                       on the management calls)
//   kResourceExhausted  counter, step or generation space exhausted
//   kFailedPrecondition wrong state: no epoch set, stale generation or epoch
// Per-frame errors (Encrypt, Decrypt) carry no message.
//
// Time. Grace periods and epoch retirement read the time from the
// `clock` option (absl::Now by default); tests inject a fake clock. Expired
// keys are removed, and wiped, at the start of the next Decrypt or on
// ExpireKeys().
//
// Thread safety. Every class in this header is thread-safe: all methods may
// be called concurrently from any thread (an internal mutex serialises
// them; the per-frame path takes it once). Hooks (`on_event`, `clock`,
// `reserve_counters`) run while that mutex is held, on the calling thread:
// they must be quick and must not call back into the same object. Moving
// or destroying an object while another thread uses it is undefined; a
// moved-from object may only be destroyed or assigned to.
//
// Memory. Steady-state Encrypt and Decrypt allocate nothing. Installing a
// key, a ratchet step, an epoch's first frame per KID, or a new MLS context
// on the send side derives a key and allocates. Receive-side state grows
// only after a tag verifies, and is bounded by the options.
//
// Every base key, ratchet chain value and derived key is wiped when it is
// replaced, retired or destroyed.

#ifndef SFRAME_KEYS_H_
#define SFRAME_KEYS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"
#include "sframe/sframe.h"

namespace sframe {

// ----------------------------------------------------------- KID layouts

// Sender-key KID (RFC 9605 §5.1): (generation << ratchet_bits) +
// (step mod 2^ratchet_bits). kInvalidArgument if ratchet_bits > 63 or the
// generation does not fit in 64 - ratchet_bits bits.
absl::StatusOr<KeyId> SenderKeyId(int ratchet_bits, uint64_t generation,
                                  uint64_t step);

// MLS KID layout (RFC 9605 §5.2): E low bits of epoch, then S bits of
// sender index, then the context in the remaining 64 - S - E bits. Sender
// and receivers must agree on it; it is not on the wire. S must be large
// enough for the highest leaf index of the MLS tree (not the member count).
struct MlsKeyIdLayout {
  int epoch_bits = 0;   // E
  int sender_bits = 0;  // S
};

struct MlsKeyIdParts {
  uint64_t epoch_low_bits = 0;  // epoch mod 2^E
  uint64_t sender_index = 0;
  uint64_t context = 0;
};

// KID = (context << (S + E)) + (sender_index << E) + (epoch mod 2^E).
// kInvalidArgument if E or S is negative, E + S > 64, sender_index does not
// fit in S bits, or context does not fit in 64 - S - E bits.
absl::StatusOr<KeyId> MlsKeyId(const MlsKeyIdLayout& layout, uint64_t epoch,
                               uint64_t sender_index, uint64_t context = 0);

// The inverse of MlsKeyId (the epoch is recovered modulo 2^E only).
// kInvalidArgument for an invalid layout.
absl::StatusOr<MlsKeyIdParts> ParseMlsKeyId(const MlsKeyIdLayout& layout,
                                            KeyId key_id);

// ----------------------------------------------------------- the ratchet

// One step of the sender-key ratchet (RFC 9605 §5.1):
//   out = HKDF-Expand(HKDF-Extract("", base_key), "SFrame 1.0 Ratchet", Nh)
// with the suite's hash. `out` must be exactly HashSize(suite) bytes (32 or
// 64); it may be the same memory as `base_key` (in place), no other overlap.
// kInvalidArgument for an empty `base_key`, a wrong `out` size or a bad
// overlap (`out` is then untouched); kInternal only if BoringSSL fails.
// Temporaries are wiped. Note: the label has no trailing space and the
// output is Nh bytes; some implementations (sframe-rs) differ and do not
// interoperate.
absl::Status RatchetBaseKey(CipherSuite suite,
                            absl::Span<const uint8_t> base_key,
                            absl::Span<uint8_t> out);

// ----------------------------------------------------------- events, stats

// An identifier the application gives each remote sender (e.g. an SSRC or a
// participant id). For MLS it is the sender index taken from the KID.
using SenderId = uint64_t;

enum class KeyEventType {
  kAuthenticationFailed,  // tag mismatch (a forgery, or a wrong key)
  kReplay,                // duplicate counter, or older than the window
  kUnknownKeyId,          // no key for the KID and none derivable
  kUnknownSender,         // SenderKeyDecryptor: sender never added
  kMalformed,             // header unparseable or frame too short
  kRatchetStep,           // a verified frame moved a ratchet forward
  kKeyRetired,            // a superseded key (step, generation) was wiped
  kEpochRemoved,          // an MLS epoch and its keys were wiped
};

// A failure or lifecycle event. `key_id` and `counter` are 0 when the
// header could not be parsed. For kRatchetStep `counter` is the number of
// steps taken; for kEpochRemoved `key_id` is 0 and `counter` the epoch.
struct KeyEvent {
  KeyEventType type;
  SenderId sender = 0;
  KeyId key_id = 0;
  Counter counter = 0;
};

// Called for every failed frame and lifecycle change (see thread safety).
using KeyEventHook = std::function<void(const KeyEvent&)>;
// The time source of grace periods. Default: absl::Now.
using Clock = std::function<absl::Time()>;

// Receive statistics of one sender. Per-KID numbers (decrypted,
// authentication failures, replays of the KIDs that have a key) come from
// GetKeyStats; these aggregate over the sender's lifetime, including KIDs
// already retired.
struct SenderStats {
  uint64_t decrypted = 0;
  uint64_t authentication_failures = 0;
  uint64_t replays = 0;
  uint64_t unknown_key_ids = 0;  // no key and none derivable within bounds
  uint64_t malformed = 0;
  uint64_t ratchet_steps = 0;  // steps taken after verified frames
  uint64_t keys_retired = 0;
};

// ----------------------------------------------------------- sender keys

// The send side of one sender-key stream (RFC 9605 §5.1): the current base
// key, its KID and counter. Ratchet() and Rekey() replace the key (the old
// one is wiped) and start a fresh counter space.
class SenderKeyEncryptor {
 public:
  struct Options {
    // Resumption (RFC 9605 §9.1): the step the given base key is at (the
    // KID uses it; the key is not ratcheted by Create) and the first
    // counter of that key.
    uint64_t step = 0;
    Counter first_counter = 0;
    // Counter persistence, for every key this object uses (see sframe.h).
    CounterReservation reserve_counters;
    Counter reservation_block = 1024;
  };

  // kInvalidArgument if ratchet_bits > 63, the generation does not fit, or
  // `base_key` is empty.
  static absl::StatusOr<SenderKeyEncryptor> Create(
      CipherSuite suite, int ratchet_bits, uint64_t generation,
      absl::Span<const uint8_t> base_key);
  static absl::StatusOr<SenderKeyEncryptor> Create(
      CipherSuite suite, int ratchet_bits, uint64_t generation,
      absl::Span<const uint8_t> base_key, const Options& options);

  SenderKeyEncryptor(SenderKeyEncryptor&&) noexcept;
  SenderKeyEncryptor& operator=(SenderKeyEncryptor&&) noexcept;
  ~SenderKeyEncryptor();

  // As Encryptor::CiphertextSize / Encryptor::Encrypt, under the current
  // KID. kResourceExhausted when this key's counters are used up: call
  // Ratchet() or Rekey().
  //
  // WARNING: if other threads may call Ratchet() or Rekey() concurrently,
  // the header length can change between CiphertextSize() and Encrypt();
  // size `out` with MaxCiphertextSize() (sframe.h) instead.
  size_t CiphertextSize(size_t plaintext_size) const;
  absl::StatusOr<absl::Span<uint8_t>> Encrypt(
      absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
      absl::Span<uint8_t> out);

  // Moves to the next ratchet step: base_key <- RatchetBaseKey(base_key),
  // KID step + 1 (mod 2^R), counter 0. kResourceExhausted after 2^64 - 1
  // steps. On error nothing changes.
  absl::Status Ratchet();

  // Starts generation + 1 at step 0 with `new_base_key`, counter 0.
  // kInvalidArgument for an empty key, kResourceExhausted if the
  // generation space (64 - R bits) is used up. On error nothing changes.
  absl::Status Rekey(absl::Span<const uint8_t> new_base_key);

  KeyId key_id() const;
  uint64_t generation() const;
  uint64_t step() const;
  Counter next_counter() const;

 private:
  struct State;
  explicit SenderKeyEncryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The receive side of sender keys for any number of remote senders. Each
// sender has its own KID space (senders are told apart out of band: pass
// the SenderId with each frame) and its own Decryptor.
//
// Per sender, the newest generation and up to `max_previous_generations`
// older ones are live. A frame whose KID is a step ahead of a live
// generation's newest step, by at most `max_steps_ahead`, is tried with the
// ratcheted key; only if its tag verifies does the generation advance. The
// superseded step (and skipped steps, up to `max_retained_steps`) stay
// installed for `grace_period` or until `grace_frames` newer frames of that
// sender verified, whichever comes first, then are wiped. The same grace
// applies to a superseded generation.
class SenderKeyDecryptor {
 public:
  struct Options {
    size_t replay_window = 128;  // per KID; 0 disables anti-replay
    // Bound on tentative ratchet derivations for one frame. Together with
    // max_retained_steps it is clamped so that at most 2^R steps are live
    // (newest + retained + ahead <= 2^R), because only R bits are on the
    // wire.
    uint32_t max_steps_ahead = 8;
    uint32_t max_retained_steps = 2;
    uint32_t max_previous_generations = 1;
    absl::Duration grace_period = absl::Seconds(2);
    uint64_t grace_frames = std::numeric_limits<uint64_t>::max();
    Clock clock;            // default absl::Now
    KeyEventHook on_event;  // optional
  };

  // kInvalidArgument for an unknown suite or a too large replay window.
  static absl::StatusOr<SenderKeyDecryptor> Create(CipherSuite suite);
  static absl::StatusOr<SenderKeyDecryptor> Create(CipherSuite suite,
                                                   const Options& options);

  SenderKeyDecryptor(SenderKeyDecryptor&&) noexcept;
  SenderKeyDecryptor& operator=(SenderKeyDecryptor&&) noexcept;
  ~SenderKeyDecryptor();

  // Adds a remote sender whose KIDs use `ratchet_bits` (R, 0–63).
  // kAlreadyExists if it exists, kInvalidArgument for a bad R.
  absl::Status AddSender(SenderId sender, int ratchet_bits);

  // Removes a sender (e.g. it left) and wipes all of its keys. kNotFound if
  // unknown.
  absl::Status RemoveSender(SenderId sender);

  // Installs `base_key` as `sender`'s key at (generation, step). A newer
  // generation than the current one supersedes it (grace period). Errors:
  // kNotFound (no such sender), kInvalidArgument (empty key, generation
  // does not fit), kAlreadyExists (this generation is installed),
  // kFailedPrecondition (older than a live generation). On error nothing
  // changes.
  absl::Status InstallKey(SenderId sender, uint64_t generation, uint64_t step,
                          absl::Span<const uint8_t> base_key);

  // Decrypts a frame from `sender` (see the class comment and
  // Decryptor::Decrypt for the contract on `out`). Errors: kNotFound
  // (unknown sender or KID, or a step beyond max_steps_ahead), kDataLoss,
  // kAlreadyExists (replay), kInvalidArgument. Failures change no state but
  // failure statistics, and fire `on_event`.
  absl::StatusOr<absl::Span<uint8_t>> Decrypt(
      SenderId sender, absl::Span<const uint8_t> metadata,
      absl::Span<const uint8_t> ciphertext, absl::Span<uint8_t> out);

  // Retires (wipes) every key whose grace period has ended.
  void ExpireKeys();

  bool HasSender(SenderId sender) const;
  // Keys installed for `sender` (current and retained steps of all live
  // generations); 0 for an unknown sender.
  size_t key_count(SenderId sender) const;
  // The newest step of `sender`'s newest generation, if any.
  std::optional<uint64_t> current_step(SenderId sender) const;
  std::optional<uint64_t> current_generation(SenderId sender) const;
  std::optional<SenderStats> GetSenderStats(SenderId sender) const;
  std::optional<KeyStats> GetKeyStats(SenderId sender, KeyId key_id) const;
  // Frames for senders that were never added.
  uint64_t unknown_sender_frames() const;

 private:
  struct State;
  explicit SenderKeyDecryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// ----------------------------------------------------------- MLS

// The send side of one MLS member (RFC 9605 §5.2). Each context value is an
// independent stream with its own KID and counter; the first frame of a
// context in an epoch derives its key (and allocates).
class MlsEncryptor {
 public:
  struct Options {
    CounterReservation reserve_counters;  // see sframe.h
    Counter reservation_block = 1024;
  };

  // kInvalidArgument for an invalid layout or a sender index that does
  // not fit in S bits.
  static absl::StatusOr<MlsEncryptor> Create(CipherSuite suite,
                                             const MlsKeyIdLayout& layout,
                                             uint64_t sender_index);
  static absl::StatusOr<MlsEncryptor> Create(CipherSuite suite,
                                             const MlsKeyIdLayout& layout,
                                             uint64_t sender_index,
                                             const Options& options);

  MlsEncryptor(MlsEncryptor&&) noexcept;
  MlsEncryptor& operator=(MlsEncryptor&&) noexcept;
  ~MlsEncryptor();

  // Switches to `epoch` with its exported base key; every key of the
  // previous epoch is wiped and counters restart at 0. kInvalidArgument for
  // an empty key, kFailedPrecondition if `epoch` is not newer than the
  // current one. On error nothing changes.
  absl::Status SetEpoch(uint64_t epoch, absl::Span<const uint8_t> base_key);

  // Encrypts under KID MlsKeyId(layout, epoch, sender_index, context).
  // kFailedPrecondition before SetEpoch, kInvalidArgument if `context` does
  // not fit, otherwise as Encryptor::Encrypt.
  absl::StatusOr<absl::Span<uint8_t>> Encrypt(
      uint64_t context, absl::Span<const uint8_t> metadata,
      absl::Span<const uint8_t> plaintext, absl::Span<uint8_t> out);

  // Exact ciphertext size of the next frame of `context` (0 if `context`
  // does not fit the layout).
  size_t CiphertextSize(uint64_t context, size_t plaintext_size) const;

  std::optional<uint64_t> epoch() const;

 private:
  struct State;
  explicit MlsEncryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The receive side of an MLS group: one base key per live epoch, per-KID
// keys derived on first use and cached only after the tag verifies.
//
// Epoch removal: adding an epoch removes the live epoch with the same low E
// bits (RFC 9605 §5.2: MUST); PurgeBefore(n) removes every epoch below n;
// and when a newer epoch is added, older ones retire `epoch_grace` later.
class MlsDecryptor {
 public:
  struct Options {
    size_t replay_window = 128;  // per KID; 0 disables anti-replay
    // Bound on the KIDs (sender index, context) cached per epoch. Every
    // member holds the epoch's base key, so one member could otherwise make
    // the others cache a key for each of 2^(64-E) KIDs. Once an epoch holds
    // this many, a frame of another KID of that epoch is not tried: it fails
    // as an unknown KID (kNotFound). At least 1. A key takes about
    // 1 KiB + replay_window / 8 bytes.
    size_t max_keys_per_epoch = 4096;
    absl::Duration epoch_grace = absl::Seconds(2);
    Clock clock;            // default absl::Now
    KeyEventHook on_event;  // optional; `sender` is the KID's sender index
  };

  // kInvalidArgument for an unknown suite, an invalid layout, a too large
  // replay window or a zero max_keys_per_epoch.
  static absl::StatusOr<MlsDecryptor> Create(CipherSuite suite,
                                             const MlsKeyIdLayout& layout);
  static absl::StatusOr<MlsDecryptor> Create(CipherSuite suite,
                                             const MlsKeyIdLayout& layout,
                                             const Options& options);

  MlsDecryptor(MlsDecryptor&&) noexcept;
  MlsDecryptor& operator=(MlsDecryptor&&) noexcept;
  ~MlsDecryptor();

  // Adds an epoch's base key (MLS-Exporter("SFrame 1.0 Base Key", "", Nk)).
  // A live epoch with the same low E bits is removed and wiped first.
  // Errors: kInvalidArgument (empty key), kAlreadyExists (epoch live),
  // kFailedPrecondition (a newer live epoch has the same low bits, or the
  // epoch is below a PurgeBefore bound). On error nothing changes.
  absl::Status AddEpoch(uint64_t epoch, absl::Span<const uint8_t> base_key);

  // Removes and wipes every epoch older than `epoch`; later AddEpoch calls
  // for such epochs fail. Returns how many were removed.
  size_t PurgeBefore(uint64_t epoch);

  // Decrypts a frame of any member. Errors: kNotFound (no live epoch with
  // the KID's low bits, or a new KID beyond max_keys_per_epoch), kDataLoss,
  // kAlreadyExists (replay),
  // kInvalidArgument. Failures change no state but failure statistics.
  absl::StatusOr<absl::Span<uint8_t>> Decrypt(
      absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
      absl::Span<uint8_t> out);

  // Retires (wipes) every epoch whose grace period has ended.
  void ExpireKeys();

  bool HasEpoch(uint64_t epoch) const;
  size_t epoch_count() const;
  // Per-KID keys cached (verified) over all live epochs.
  size_t key_count() const;
  // Aggregates over all senders (ratchet_steps stays 0).
  SenderStats GetStats() const;
  std::optional<KeyStats> GetKeyStats(KeyId key_id) const;

 private:
  struct State;
  explicit MlsDecryptor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sframe

#endif  // SFRAME_KEYS_H_
