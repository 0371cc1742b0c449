// Copyright 2026 The sframecpp Authors.
//
// The internal per-key AEAD: AES-GCM (suites 4, 5) or AES-CTR + HMAC
// (RFC 9605 §4.5.1; suites 1–3 and 6–8). The implementation is chosen once,
// when the key is set up; the per-frame path never queries the CPU and never
// allocates.
//
// The AAD is taken as two spans hashed as if concatenated, so SFrame's
// `header || metadata` is never copied.

#ifndef SFRAME_SRC_CRYPTO_AEAD_H_
#define SFRAME_SRC_CRYPTO_AEAD_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"

namespace sframe {
namespace internal {

// Which code computes AES-GCM. CTR + HMAC suites ignore it.
enum class AeadImplementation {
  kAuto,        // the fastest this CPU supports
  kBoringSsl,   // BoringSSL EVP (portable fallback; also the test oracle)
  kVaesAvx512,  // our VAES + VPCLMULQDQ AVX-512 kernel
  kVaesAvx2,    // our VAES + VPCLMULQDQ AVX2 kernel
};

// Parses "auto", "boringssl", "vaes_avx512", "vaes_avx2".
absl::StatusOr<AeadImplementation> ParseAeadImplementation(absl::string_view);

// True if `impl` can run on this CPU (kAuto and kBoringSsl always can).
bool IsAeadImplementationSupported(AeadImplementation impl);

// The implementation newly created keys use when they ask for kAuto:
// the value set by SetDefaultAeadImplementationForTesting if any, else the
// environment variable SFRAME_AEAD_IMPL (read once; for benchmarks), else
// kAuto.
AeadImplementation DefaultAeadImplementation();

// Test hook: forces the implementation of keys created from now on. Pass
// kAuto to restore automatic choice. Not thread-safe; tests only.
void SetDefaultAeadImplementationForTesting(AeadImplementation impl);

class Aead {
 public:
  // Sets up `key` (KeySize(suite) bytes). kInvalidArgument for a wrong key
  // size, kFailedPrecondition if `impl` cannot run on this CPU.
  static absl::StatusOr<std::unique_ptr<Aead>> Create(
      CipherSuite suite, absl::Span<const uint8_t> key,
      AeadImplementation impl = AeadImplementation::kAuto);

  virtual ~Aead() = default;
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;

  CipherSuite suite() const { return suite_; }
  size_t tag_size() const { return TagSize(suite_); }
  // E.g. "boringssl", "vaes_avx512", "ctr_hmac".
  virtual absl::string_view implementation_name() const = 0;

  // Encrypts `in` into `out` (in.size() bytes) and writes tag_size() bytes
  // to `tag`. `out == in.data()` is allowed; other overlap is not. `nonce` is
  // 12 bytes. Returns false only if BoringSSL fails internally.
  virtual bool Seal(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
                    absl::Span<const uint8_t> aad2,
                    absl::Span<const uint8_t> in, uint8_t* out,
                    uint8_t* tag) = 0;

  // Verifies `tag` (tag_size() bytes) in constant time and decrypts `in`
  // into `out`. Returns false on mismatch, with in.size() bytes of `out`
  // zeroed. `out == in.data()` is allowed.
  virtual bool Open(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
                    absl::Span<const uint8_t> aad2,
                    absl::Span<const uint8_t> in, const uint8_t* tag,
                    uint8_t* out) = 0;

 protected:
  explicit Aead(CipherSuite suite) : suite_(suite) {}

 private:
  CipherSuite suite_;
};

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_AEAD_H_
