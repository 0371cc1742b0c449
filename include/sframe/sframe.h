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
// Thread safety: an Encryptor or a Decryptor may be used by one thread at a
// time (they hold per-frame state: the counter, cipher contexts). Different
// objects are independent. Synchronise externally to share one.
//
// Errors (absl::StatusCode), per DESIGN.md:
//   kInvalidArgument    caller bug: empty key, output too small, bad overlap
//   kNotFound           no receive key for the frame's KID
//   kDataLoss           malformed header, truncated frame, tag mismatch
//   kResourceExhausted  the send counter is exhausted: install a new key
// Per-frame errors carry no message, so they never allocate.

#ifndef SFRAME_SFRAME_H_
#define SFRAME_SFRAME_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"

namespace sframe {

namespace internal {
class KeyContext;
}  // namespace internal

// The largest number of bytes a frame of `plaintext_size` bytes can grow to
// under `suite`: the longest header plus the tag.
constexpr size_t MaxCiphertextSize(CipherSuite suite, size_t plaintext_size) {
  return kMaxHeaderSize + plaintext_size + TagSize(suite);
}

class Encryptor {
 public:
  struct Options {
    // The counter of the first frame. Only set it to resume a key whose
    // previous counters were persisted (RFC 9605 §9.1); every counter below
    // it is treated as used.
    Counter first_counter = 0;
  };

  // Derives sframe_key and sframe_salt for (`suite`, `key_id`, `base_key`).
  // Fails with kInvalidArgument if `base_key` is empty.
  static absl::StatusOr<Encryptor> Create(CipherSuite suite, KeyId key_id,
                                          absl::Span<const uint8_t> base_key);
  static absl::StatusOr<Encryptor> Create(CipherSuite suite, KeyId key_id,
                                          absl::Span<const uint8_t> base_key,
                                          const Options& options);

  Encryptor(Encryptor&&) noexcept;
  Encryptor& operator=(Encryptor&&) noexcept;
  Encryptor(const Encryptor&) = delete;
  Encryptor& operator=(const Encryptor&) = delete;
  ~Encryptor();

  // The exact size of the next frame's ciphertext for a plaintext of
  // `plaintext_size` bytes: header (for the next counter) + plaintext + tag.
  size_t CiphertextSize(size_t plaintext_size) const;

  // Encrypts one frame into the front of `out` and returns the written
  // prefix: header || ciphertext || tag. The counter advances only on
  // success.
  //
  // `plaintext` and `out` must either not overlap or start at the same
  // address (in place; `out` then needs room for the header and tag).
  //
  // Errors: kInvalidArgument if `out` is shorter than
  // CiphertextSize(plaintext.size()) or overlaps `plaintext` otherwise;
  // kResourceExhausted once counter 2^64 - 1 has been used. On error nothing
  // is written when the arguments are invalid, and `out` is zeroed otherwise.
  absl::StatusOr<absl::Span<uint8_t>> Encrypt(
      absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
      absl::Span<uint8_t> out);

  CipherSuite suite() const { return suite_; }
  KeyId key_id() const { return key_id_; }
  // The counter the next frame will use. Meaningless once exhausted().
  Counter next_counter() const { return next_counter_; }
  bool exhausted() const { return exhausted_; }

 private:
  Encryptor(CipherSuite suite, KeyId key_id, Counter first_counter,
            std::unique_ptr<internal::KeyContext> key);

  CipherSuite suite_;
  KeyId key_id_;
  Counter next_counter_;
  bool exhausted_ = false;
  std::unique_ptr<internal::KeyContext> key_;
};

class Decryptor {
 public:
  static absl::StatusOr<Decryptor> Create(CipherSuite suite);

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
  // address (in place).
  //
  // Errors: kDataLoss (malformed header, truncated frame, tag mismatch),
  // kNotFound (no key for the KID), kInvalidArgument (`out` too small or
  // badly overlapping). On every error all of `out` is zeroed, except when
  // `out` overlaps `ciphertext` in an unsupported way, where nothing is
  // written.
  absl::StatusOr<absl::Span<uint8_t>> Decrypt(
      absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
      absl::Span<uint8_t> out);

  CipherSuite suite() const { return suite_; }

 private:
  explicit Decryptor(CipherSuite suite);

  CipherSuite suite_;
  absl::flat_hash_map<KeyId, std::unique_ptr<internal::KeyContext>> keys_;
};

}  // namespace sframe

#endif  // SFRAME_SFRAME_H_
