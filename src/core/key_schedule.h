// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §4.4.2 key schedule and the per-key context built from it.

#ifndef SFRAME_SRC_CORE_KEY_SCHEDULE_H_
#define SFRAME_SRC_CORE_KEY_SCHEDULE_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"
#include "sframe/sframe.h"
#include "src/crypto/aead.h"
#include "src/crypto/secret.h"

namespace sframe {
namespace internal {

// "SFrame 1.0 Secret key " || KID (8 bytes BE) || suite (2 bytes BE).
std::array<uint8_t, 32> SframeKeyLabel(KeyId key_id, CipherSuite suite);
// "SFrame 1.0 Secret salt " || KID (8 bytes BE) || suite (2 bytes BE).
std::array<uint8_t, 33> SframeSaltLabel(KeyId key_id, CipherSuite suite);

// The derived secrets of one KID, kept for inspection (CLI, tests).
//
// The salt is wiped with the keys as a matter of hygiene. It is not a secret
// of the AEAD (a nonce is public in AES-GCM's security model, and an SFrame
// nonce is salt XOR CTR), so the per-frame nonces built from it are not
// wiped.
struct DerivedKey {
  DerivedKey(SecretBuffer secret, SecretBuffer key)
      : sframe_secret(std::move(secret)), sframe_key(std::move(key)) {}
  DerivedKey(DerivedKey&&) noexcept = default;
  DerivedKey& operator=(DerivedKey&&) noexcept = default;
  ~DerivedKey() { WipeSecret(sframe_salt.data(), sframe_salt.size()); }

  SecretBuffer sframe_secret;  // HKDF-Extract("", base_key): Nh bytes
  SecretBuffer sframe_key;     // Nk bytes
  std::array<uint8_t, kNonceSize> sframe_salt{};
};

// derive_key_salt(KID, base_key). kInvalidArgument if base_key is empty.
absl::StatusOr<DerivedKey> DeriveKeySalt(CipherSuite suite, KeyId key_id,
                                         absl::Span<const uint8_t> base_key);

// nonce = sframe_salt XOR encode_big_endian(ctr, 12) (erratum 8321).
inline std::array<uint8_t, kNonceSize> MakeNonce(
    const std::array<uint8_t, kNonceSize>& salt, Counter counter) {
  std::array<uint8_t, kNonceSize> nonce;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // nonce[4..12) ^= BE64(counter), computed in registers and written as one
  // 8-byte and one 4-byte store. The kernels load the nonce as exactly these
  // two words, so the stores forward to the loads instead of stalling.
  uint64_t lo;
  uint32_t hi;
  memcpy(&lo, salt.data(), 8);
  memcpy(&hi, salt.data() + 8, 4);
  const uint64_t be = __builtin_bswap64(counter);
  lo ^= be << 32;
  hi ^= static_cast<uint32_t>(be >> 32);
  memcpy(nonce.data(), &lo, 8);
  memcpy(nonce.data() + 8, &hi, 4);
#else
  nonce = salt;
  for (int i = 0; i < 8; ++i) {
    nonce[kNonceSize - 1 - i] ^= static_cast<uint8_t>(counter >> (8 * i));
  }
#endif
  return nonce;
}

// Everything needed per frame for one KID: the salt and the keyed AEAD
// (round keys, GHASH powers or HMAC state). Address-stable (held by
// unique_ptr), never copied, wiped on destruction.
class KeyContext {
 public:
  static absl::StatusOr<std::unique_ptr<KeyContext>> Create(
      CipherSuite suite, KeyId key_id, absl::Span<const uint8_t> base_key);
  ~KeyContext();
  KeyContext(const KeyContext&) = delete;
  KeyContext& operator=(const KeyContext&) = delete;

  std::array<uint8_t, kNonceSize> Nonce(Counter counter) const {
    return MakeNonce(salt_, counter);
  }
  Aead& aead() { return *aead_; }
  size_t tag_size() const { return aead_->tag_size(); }

  // Aead::SealDirect / OpenDirect with the kernel's entry point and key
  // state held here: the per-frame path reaches them one pointer hop sooner
  // (the loads before the first AES round are on its critical path).
  bool Seal(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            uint8_t* out, uint8_t* tag) {
    if (seal_ == nullptr) return aead_->Seal(nonce, aad1, aad2, in, out, tag);
    seal_(gcm_key_, nonce, aad1.data(), aad1.size(), aad2.data(), aad2.size(),
          in.data(), in.size(), out, tag);
    return true;
  }
  bool Open(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            const uint8_t* tag, uint8_t* out) {
    if (open_ == nullptr) return aead_->Open(nonce, aad1, aad2, in, tag, out);
    return open_(gcm_key_, nonce, aad1.data(), aad1.size(), aad2.data(),
                 aad2.size(), in.data(), in.size(), tag, out);
  }

  // Whether the AEAD's batch path does better for a frame of `len` bytes
  // with `aad_len` bytes of AAD than a single call (Aead::batch_max_len).
  bool BatchPays(size_t len, size_t aad_len) const {
    return len != 0 && len <= batch_max_len_ && aad_len <= batch_max_aad_;
  }
  size_t batch_max_len() const { return batch_max_len_; }
  size_t batch_max_aad() const { return batch_max_aad_; }
  // The VAES GCM kernel and key state of aead(), or nullptr (for the batch
  // layer, which hands frames on one kernel to it directly).
  const GcmKernel* kernel() const { return kernel_; }
  const GcmKernelKey* gcm_key() const { return gcm_key_; }

 private:
  KeyContext(const std::array<uint8_t, kNonceSize>& salt,
             std::unique_ptr<Aead> aead)
      : salt_(salt),
        batch_max_len_(aead->batch_max_len()),
        batch_max_aad_(aead->batch_max_aad()),
        aead_(std::move(aead)) {
    if (const GcmKernel* kernel = aead_->gcm_kernel()) {
      kernel_ = kernel;
      seal_ = kernel->seal;
      open_ = kernel->open;
      gcm_key_ = aead_->gcm_key();
    }
  }

  std::array<uint8_t, kNonceSize> salt_;
  // Set when aead_ runs on one of our GCM kernels (see Seal / Open).
  const GcmKernel* kernel_ = nullptr;
  decltype(GcmKernel::seal) seal_ = nullptr;
  decltype(GcmKernel::open) open_ = nullptr;
  const GcmKernelKey* gcm_key_ = nullptr;
  size_t batch_max_len_;
  size_t batch_max_aad_;
  std::unique_ptr<Aead> aead_;
};

// The anti-replay window of one KID (RFC 3711 §3.3.2, with the bitmap kept
// as a ring of 64-bit words as in RFC 6479 so that moving the window costs
// at most one pass over the words, never a shift of the whole bitmap).
// `size` counters are tracked: with `top` the highest accepted counter,
// counters in [top - size + 1, top] are remembered, older ones are refused.
// The ring has a power-of-two number of words (at least one more than the
// window spans), so a counter's word is found with a mask: a division by
// the 3 words of the default window cost about 3 ns per received frame.
class ReplayWindow {
 public:
  ReplayWindow() = default;
  explicit ReplayWindow(size_t size)
      : size_(size), words_(RingWords(size), 0), mask_(words_.size() - 1) {}

  // True if `counter` may be accepted: it is newer than every accepted
  // counter, or inside the window and not yet seen. Changes nothing.
  bool Check(Counter counter) const {
    if (size_ == 0 || !any_ || counter > top_) return true;
    if (top_ - counter >= size_) return false;
    return (Word(counter) & Bit(counter)) == 0;
  }

  // Records `counter`, which passed Check and whose tag verified.
  void Commit(Counter counter) {
    if (size_ == 0) return;
    const uint64_t n = words_.size();
    if (!any_ || counter > top_) {
      const uint64_t old_block = top_ / 64;
      const uint64_t new_block = counter / 64;
      if (!any_ || new_block - old_block >= n) {
        for (uint64_t& w : words_) w = 0;
      } else {
        for (uint64_t b = old_block + 1; b <= new_block; ++b) {
          words_[b & mask_] = 0;
        }
      }
      top_ = counter;
      any_ = true;
    }
    Word(counter) |= Bit(counter);
  }

 private:
  // 0 for no window; else the smallest power of two above the words that
  // `size` counters span.
  static size_t RingWords(size_t size) {
    if (size == 0) return 0;
    const size_t need = (size + 63) / 64 + 1;
    size_t words = 2;
    while (words < need) words *= 2;
    return words;
  }
  static uint64_t Bit(Counter counter) { return uint64_t{1} << (counter % 64); }
  uint64_t& Word(Counter counter) { return words_[(counter / 64) & mask_]; }
  const uint64_t& Word(Counter counter) const {
    return words_[(counter / 64) & mask_];
  }

  size_t size_ = 0;
  std::vector<uint64_t> words_;
  uint64_t mask_ = 0;  // words_.size() - 1 (unused when size_ is 0)
  bool any_ = false;
  Counter top_ = 0;
};

// One receive key: its cipher state, replay window and statistics.
class ReceiveKey {
 public:
  ReceiveKey(std::unique_ptr<KeyContext> key, size_t window)
      : key(std::move(key)), window(window) {}
  std::unique_ptr<KeyContext> key;
  ReplayWindow window;
  KeyStats stats;
};

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CORE_KEY_SCHEDULE_H_
