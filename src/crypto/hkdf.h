// Copyright 2026 The sframecpp Authors.
//
// HKDF (RFC 5869) with a suite's hash, over BoringSSL.

#ifndef SFRAME_SRC_CRYPTO_HKDF_H_
#define SFRAME_SRC_CRYPTO_HKDF_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"

namespace sframe {
namespace internal {

// HKDF-Extract(salt, ikm) with the suite's hash. `prk` must be exactly
// HashSize(suite) bytes. kInternal only if BoringSSL fails.
absl::Status HkdfExtract(CipherSuite suite, absl::Span<const uint8_t> salt,
                         absl::Span<const uint8_t> ikm,
                         absl::Span<uint8_t> prk);

// HKDF-Expand(prk, info, out.size()) with the suite's hash.
absl::Status HkdfExpand(CipherSuite suite, absl::Span<const uint8_t> prk,
                        absl::Span<const uint8_t> info,
                        absl::Span<uint8_t> out);

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_HKDF_H_
