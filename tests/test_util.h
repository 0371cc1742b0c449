// Copyright 2026 The sframecpp Authors.
//
// Shared helpers for the tests.

#ifndef SFRAME_TESTS_TEST_UTIL_H_
#define SFRAME_TESTS_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sframe/cipher_suite.h"
#include "src/crypto/aead.h"

namespace sframe {
namespace testing {

inline std::vector<uint8_t> RandomBytes(size_t n, std::mt19937_64& rng) {
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

inline bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// Every AEAD implementation that runs on this CPU (BoringSSL always).
inline std::vector<internal::AeadImplementation> SupportedImplementations() {
  std::vector<internal::AeadImplementation> out;
  for (auto impl : {internal::AeadImplementation::kBoringSsl,
                    internal::AeadImplementation::kVaesAvx512,
                    internal::AeadImplementation::kVaesAvx2}) {
    if (internal::IsAeadImplementationSupported(impl)) out.push_back(impl);
  }
  return out;
}

inline const char* ImplementationName(internal::AeadImplementation impl) {
  switch (impl) {
    case internal::AeadImplementation::kAuto:
      return "auto";
    case internal::AeadImplementation::kBoringSsl:
      return "boringssl";
    case internal::AeadImplementation::kVaesAvx512:
      return "vaes_avx512";
    case internal::AeadImplementation::kVaesAvx2:
      return "vaes_avx2";
  }
  return "unknown";
}

// Forces an implementation for the lifetime of the object.
class ScopedImplementation {
 public:
  explicit ScopedImplementation(internal::AeadImplementation impl) {
    internal::SetDefaultAeadImplementationForTesting(impl);
  }
  ~ScopedImplementation() {
    internal::SetDefaultAeadImplementationForTesting(
        internal::AeadImplementation::kAuto);
  }
};

// (suite, implementation) pairs: every suite under every supported GCM
// implementation (CTR-HMAC suites have one implementation).
struct SuiteAndImpl {
  CipherSuite suite;
  internal::AeadImplementation impl;
};

inline std::vector<SuiteAndImpl> AllSuitesAndImplementations() {
  std::vector<SuiteAndImpl> out;
  for (CipherSuite s : kAllCipherSuites) {
    if (!IsGcm(s)) {
      out.push_back({s, internal::AeadImplementation::kBoringSsl});
      continue;
    }
    for (auto impl : SupportedImplementations()) out.push_back({s, impl});
  }
  return out;
}

inline std::string SuiteAndImplName(const SuiteAndImpl& p) {
  std::string name(CipherSuiteShortName(p.suite));
  if (IsGcm(p.suite)) name += std::string("_") + ImplementationName(p.impl);
  return name;
}

}  // namespace testing
}  // namespace sframe

#endif  // SFRAME_TESTS_TEST_UTIL_H_
