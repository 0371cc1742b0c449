// Copyright 2026 The sframecpp Authors.

#include "sframe/cipher_suite.h"

namespace sframe {

absl::StatusOr<CipherSuite> CipherSuiteFromId(uint64_t id) {
  if (id >= 1 && id <= 8) return static_cast<CipherSuite>(id);
  return absl::InvalidArgumentError("unknown cipher suite");
}

absl::string_view CipherSuiteName(CipherSuite suite) {
  switch (suite) {
    case CipherSuite::kAes128CtrHmacSha256_80:
      return "AES_128_CTR_HMAC_SHA256_80";
    case CipherSuite::kAes128CtrHmacSha256_64:
      return "AES_128_CTR_HMAC_SHA256_64";
    case CipherSuite::kAes128CtrHmacSha256_32:
      return "AES_128_CTR_HMAC_SHA256_32";
    case CipherSuite::kAes128GcmSha256_128:
      return "AES_128_GCM_SHA256_128";
    case CipherSuite::kAes256GcmSha512_128:
      return "AES_256_GCM_SHA512_128";
    case CipherSuite::kAes256CtrHmacSha512_80:
      return "AES_256_CTR_HMAC_SHA512_80";
    case CipherSuite::kAes256CtrHmacSha512_64:
      return "AES_256_CTR_HMAC_SHA512_64";
    case CipherSuite::kAes256CtrHmacSha512_32:
      return "AES_256_CTR_HMAC_SHA512_32";
  }
  return "UNKNOWN";
}

absl::string_view CipherSuiteShortName(CipherSuite suite) {
  switch (suite) {
    case CipherSuite::kAes128CtrHmacSha256_80:
      return "aes128ctr80";
    case CipherSuite::kAes128CtrHmacSha256_64:
      return "aes128ctr64";
    case CipherSuite::kAes128CtrHmacSha256_32:
      return "aes128ctr32";
    case CipherSuite::kAes128GcmSha256_128:
      return "aes128gcm";
    case CipherSuite::kAes256GcmSha512_128:
      return "aes256gcm";
    case CipherSuite::kAes256CtrHmacSha512_80:
      return "aes256ctr80";
    case CipherSuite::kAes256CtrHmacSha512_64:
      return "aes256ctr64";
    case CipherSuite::kAes256CtrHmacSha512_32:
      return "aes256ctr32";
  }
  return "unknown";
}

}  // namespace sframe
