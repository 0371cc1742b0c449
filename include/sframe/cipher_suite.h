// Copyright 2026 The sframecpp Authors.
//
// cipher_suite.h: the SFrame cipher suites and their sizes.
//
// RFC 9605 §4.5 registers suites 1–5; draft-barnes-sframe-iana-256 adds the
// AES-256-CTR + HMAC-SHA-512 suites 6–8. A suite is never signalled on the
// wire: sender and receivers configure it out of band.
//
//   constexpr auto suite = sframe::CipherSuite::kAes128GcmSha256_128;
//   static_assert(sframe::TagSize(suite) == 16);
//   absl::StatusOr<sframe::CipherSuite> s = sframe::CipherSuiteFromId(4);

#ifndef SFRAME_CIPHER_SUITE_H_
#define SFRAME_CIPHER_SUITE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sframe {

// IANA "SFrame Cipher Suites" identifiers.
enum class CipherSuite : uint16_t {
  kAes128CtrHmacSha256_80 = 0x0001,
  kAes128CtrHmacSha256_64 = 0x0002,
  kAes128CtrHmacSha256_32 = 0x0003,
  kAes128GcmSha256_128 = 0x0004,
  kAes256GcmSha512_128 = 0x0005,
  // draft-barnes-sframe-iana-256 (not yet an RFC).
  kAes256CtrHmacSha512_80 = 0x0006,
  kAes256CtrHmacSha512_64 = 0x0007,
  kAes256CtrHmacSha512_32 = 0x0008,
};

// Every suite this library implements, in IANA order.
inline constexpr CipherSuite kAllCipherSuites[] = {
    CipherSuite::kAes128CtrHmacSha256_80, CipherSuite::kAes128CtrHmacSha256_64,
    CipherSuite::kAes128CtrHmacSha256_32, CipherSuite::kAes128GcmSha256_128,
    CipherSuite::kAes256GcmSha512_128,    CipherSuite::kAes256CtrHmacSha512_80,
    CipherSuite::kAes256CtrHmacSha512_64, CipherSuite::kAes256CtrHmacSha512_32,
};

// Nonce size Nn: 12 bytes for every defined suite.
inline constexpr size_t kNonceSize = 12;
// The largest tag (Nt) of any suite.
inline constexpr size_t kMaxTagSize = 16;
// The longest frame payload (plaintext) of any suite: 2^32 - 2 AES blocks,
// AES-GCM's limit (NIST SP 800-38D), a little under the 2^32 blocks of the
// CTR suites' 32-bit block counter (RFC 9605 §4.5.1). Encrypt refuses a
// longer plaintext with kInvalidArgument; a received frame whose payload is
// longer is malformed (kDataLoss). About 64 GiB: only reachable on purpose.
inline constexpr uint64_t kMaxPayloadSize = ((uint64_t{1} << 32) - 2) * 16;

// True for AES-GCM suites (4, 5); false for AES-CTR + HMAC suites.
constexpr bool IsGcm(CipherSuite suite) {
  return suite == CipherSuite::kAes128GcmSha256_128 ||
         suite == CipherSuite::kAes256GcmSha512_128;
}

// True for suites whose hash is SHA-512 (5–8); false for SHA-256 (1–4).
constexpr bool UsesSha512(CipherSuite suite) {
  return static_cast<uint16_t>(suite) >= 5;
}

// Nh: the hash output size used by HKDF, HMAC and the ratchet.
constexpr size_t HashSize(CipherSuite suite) {
  return UsesSha512(suite) ? 64 : 32;
}

// Nka: the AES key size (16 or 32 bytes).
constexpr size_t AesKeySize(CipherSuite suite) {
  return (suite == CipherSuite::kAes128CtrHmacSha256_80 ||
          suite == CipherSuite::kAes128CtrHmacSha256_64 ||
          suite == CipherSuite::kAes128CtrHmacSha256_32 ||
          suite == CipherSuite::kAes128GcmSha256_128)
             ? 16
             : 32;
}

// Nk: the AEAD key size (the length of sframe_key). For CTR + HMAC suites
// this is Nka + Nh.
constexpr size_t KeySize(CipherSuite suite) {
  return IsGcm(suite) ? AesKeySize(suite) : AesKeySize(suite) + HashSize(suite);
}

// Nt: the tag length appended to every ciphertext.
constexpr size_t TagSize(CipherSuite suite) {
  switch (suite) {
    case CipherSuite::kAes128CtrHmacSha256_80:
    case CipherSuite::kAes256CtrHmacSha512_80:
      return 10;
    case CipherSuite::kAes128CtrHmacSha256_64:
    case CipherSuite::kAes256CtrHmacSha512_64:
      return 8;
    case CipherSuite::kAes128CtrHmacSha256_32:
    case CipherSuite::kAes256CtrHmacSha512_32:
      return 4;
    case CipherSuite::kAes128GcmSha256_128:
    case CipherSuite::kAes256GcmSha512_128:
      return 16;
  }
  return 0;
}

// Returns the suite with IANA id `id`, or kInvalidArgument for an id this
// library does not implement (0, reserved, private use).
absl::StatusOr<CipherSuite> CipherSuiteFromId(uint64_t id);

// The IANA name, e.g. "AES_128_GCM_SHA256_128". Never fails for a value of
// the enum; returns "UNKNOWN" for any other value.
absl::string_view CipherSuiteName(CipherSuite suite);

// A short lowercase name used by the CLI and benchmarks, e.g. "aes128gcm",
// "aes128ctr80", "aes256ctr32".
absl::string_view CipherSuiteShortName(CipherSuite suite);

}  // namespace sframe

#endif  // SFRAME_CIPHER_SUITE_H_
