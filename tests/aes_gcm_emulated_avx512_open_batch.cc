// Copyright 2026 The sframecpp Authors.
//
// The emulated AVX-512 kernel's open_batch (tests only; see
// aes_gcm_emulated_avx512.cc).

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "tests/aes_gcm_emulated_avx512_vocab.h"

namespace sframe {
namespace internal {
namespace emulated_avx512 {

SFRAME_GCM_FUNC void OpenBatch(const GcmBatchItem* items, size_t n,
                               uint8_t* ok) {
  gcm::OpenBatch<Zmm2>(items, n, ok);
}

SFRAME_GCM_FUNC bool OpenUniformBatch(const GcmBatchItem* items, size_t n,
                                      uint8_t* ok) {
  return gcm::OpenUniformBatch<Zmm2>(items, n, ok);
}

}  // namespace emulated_avx512
}  // namespace internal
}  // namespace sframe
