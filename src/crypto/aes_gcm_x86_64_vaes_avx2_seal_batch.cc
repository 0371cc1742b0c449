// Copyright 2026 The sframecpp Authors.
//
// AES-GCM kernel, VAES + VPCLMULQDQ + AVX2: seal_batch, the frames in lanes
// (aes_gcm_common.h CryptBatch; the contract is GcmKernel's and the kernel's
// in aes_gcm_x86_64_vaes_avx2.cc). A file of its own so that it compiles in
// parallel with the rest of the kernel.

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/aes_gcm_x86_64_vaes_avx2.h"

namespace sframe {
namespace internal {
namespace vaes_avx2 {

SFRAME_GCM_FUNC void SealBatch(const GcmBatchItem* items, size_t n) {
  gcm::SealBatch<Ymm>(items, n);
}

SFRAME_GCM_FUNC bool SealUniformBatch(const GcmBatchItem* items, size_t n) {
  return gcm::SealUniformBatch<Ymm>(items, n);
}

}  // namespace vaes_avx2
}  // namespace internal
}  // namespace sframe
