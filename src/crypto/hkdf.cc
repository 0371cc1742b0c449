// Copyright 2026 The sframecpp Authors.

#include "src/crypto/hkdf.h"

#include <openssl/digest.h>
#include <openssl/hkdf.h>

namespace sframe {
namespace internal {
namespace {
const EVP_MD* Hash(CipherSuite suite) {
  return UsesSha512(suite) ? EVP_sha512() : EVP_sha256();
}
}  // namespace

absl::Status HkdfExtract(CipherSuite suite, absl::Span<const uint8_t> salt,
                         absl::Span<const uint8_t> ikm,
                         absl::Span<uint8_t> prk) {
  if (prk.size() != HashSize(suite)) {
    return absl::InvalidArgumentError("HKDF-Extract: wrong output size");
  }
  size_t written = 0;
  if (HKDF_extract(prk.data(), &written, Hash(suite), ikm.data(), ikm.size(),
                   salt.data(), salt.size()) != 1 ||
      written != prk.size()) {
    return absl::InternalError("HKDF_extract failed");
  }
  return absl::OkStatus();
}

absl::Status HkdfExpand(CipherSuite suite, absl::Span<const uint8_t> prk,
                        absl::Span<const uint8_t> info,
                        absl::Span<uint8_t> out) {
  if (HKDF_expand(out.data(), out.size(), Hash(suite), prk.data(), prk.size(),
                  info.data(), info.size()) != 1) {
    return absl::InternalError("HKDF_expand failed");
  }
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace sframe
