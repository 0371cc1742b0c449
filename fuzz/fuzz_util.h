// Copyright 2026 The sframecpp Authors.
//
// Helpers for the fuzz targets: a byte reader over the input, the AEAD
// implementations this CPU runs, and an invariant check that aborts (so
// libFuzzer and the replay runner both stop on it).

#ifndef SFRAME_FUZZ_FUZZ_UTIL_H_
#define SFRAME_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "src/crypto/aead.h"

namespace sframe {
namespace fuzz {

// Aborts with a message when an invariant does not hold.
#define SFRAME_FUZZ_CHECK(cond)                                       \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                  \
      std::abort();                                                   \
    }                                                                 \
  } while (0)

// Consumes the fuzz input from the front; reads past the end yield zeros.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return v;
  }
  // Up to `max` bytes (fewer if the input ends).
  absl::Span<const uint8_t> Bytes(size_t max) {
    const size_t n = max < size_ - pos_ ? max : size_ - pos_;
    absl::Span<const uint8_t> out(data_ + pos_, n);
    pos_ += n;
    return out;
  }
  absl::Span<const uint8_t> Rest() { return Bytes(size_ - pos_); }
  bool done() const { return pos_ >= size_; }
  CipherSuite Suite() { return kAllCipherSuites[Byte() % 8]; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// The AEAD implementations this CPU runs: BoringSSL, then our VAES kernels.
inline std::vector<internal::AeadImplementation> RunnableAeadImplementations() {
  std::vector<internal::AeadImplementation> out = {
      internal::AeadImplementation::kBoringSsl};
  for (auto impl : {internal::AeadImplementation::kVaesAvx512,
                    internal::AeadImplementation::kVaesAvx2}) {
    if (internal::IsAeadImplementationSupported(impl)) out.push_back(impl);
  }
  return out;
}

inline bool AllZero(absl::Span<const uint8_t> s) {
  for (uint8_t b : s) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace fuzz
}  // namespace sframe

#endif  // SFRAME_FUZZ_FUZZ_UTIL_H_
