// Copyright 2026 The sframecpp Authors.
//
// The AVX-512 kernel's algorithm emulated with AVX2 (tests only; see
// aes_gcm_emulated_avx512.cc).

#ifndef SFRAME_TESTS_AES_GCM_EMULATED_AVX512_H_
#define SFRAME_TESTS_AES_GCM_EMULATED_AVX512_H_

#include "src/crypto/aes_gcm_kernel.h"

namespace sframe {
namespace internal {

// The common kernel code instantiated with the AVX-512 kernel's vector
// shape (64 bytes, 4 blocks, 4 frames per batch lane group) on two ymm
// registers; nullptr where the AVX2 kernel cannot run, and in the sanitizer
// builds, which leave it out. Slower than either kernel: for tests only.
const GcmKernel* GcmKernelEmulatedAvx512();

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_TESTS_AES_GCM_EMULATED_AVX512_H_
