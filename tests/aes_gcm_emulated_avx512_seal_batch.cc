// Copyright 2026 The sframecpp Authors.
//
// The emulated AVX-512 kernel's seal_batch (tests only; see
// aes_gcm_emulated_avx512.cc).

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "tests/aes_gcm_emulated_avx512_vocab.h"

namespace sframe {
namespace internal {
namespace emulated_avx512 {

SFRAME_GCM_FUNC void SealBatch(const GcmBatchItem* items, size_t n) {
  gcm::SealBatch<Zmm2>(items, n);
}

SFRAME_GCM_FUNC bool SealUniformBatch(const GcmBatchItem* items, size_t n) {
  return gcm::SealUniformBatch<Zmm2>(items, n);
}

}  // namespace emulated_avx512
}  // namespace internal
}  // namespace sframe
