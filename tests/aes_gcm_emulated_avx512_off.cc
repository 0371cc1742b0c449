// Copyright 2026 The sframecpp Authors.
//
// The emulated AVX-512 kernel left out (the sanitizer builds:
// tests/CMakeLists.txt). Its test cases skip.

#include "tests/aes_gcm_emulated_avx512.h"

namespace sframe {
namespace internal {

const GcmKernel* GcmKernelEmulatedAvx512() { return nullptr; }

}  // namespace internal
}  // namespace sframe
