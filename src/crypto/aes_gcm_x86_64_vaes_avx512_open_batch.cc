// Copyright 2026 The sframecpp Authors.
//
// AES-GCM kernel, VAES + VPCLMULQDQ + AVX-512: open_batch, the frames in
// lanes (aes_gcm_common.h CryptBatch; the contract is GcmKernel's and the
// kernel's in aes_gcm_x86_64_vaes_avx512.cc). A file of its own so that it
// compiles in parallel with the rest of the kernel.

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/aes_gcm_x86_64_vaes_avx512.h"

namespace sframe {
namespace internal {
namespace vaes_avx512 {

SFRAME_GCM_FUNC void OpenBatch(const GcmBatchItem* items, size_t n,
                               uint8_t* ok) {
  gcm::OpenBatch<Zmm>(items, n, ok);
}

SFRAME_GCM_FUNC bool OpenUniformBatch(const GcmBatchItem* items, size_t n,
                                      uint8_t* ok) {
  return gcm::OpenUniformBatch<Zmm>(items, n, ok);
}

}  // namespace vaes_avx512
}  // namespace internal
}  // namespace sframe
