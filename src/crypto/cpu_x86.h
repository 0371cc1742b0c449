// Copyright 2026 The sframecpp Authors.
//
// x86-64 CPU feature detection from CPUID and XCR0, for choosing a kernel
// once per key. Written with <cpuid.h> rather than __builtin_cpu_supports,
// whose feature names differ between gcc and clang.

#ifndef SFRAME_SRC_CRYPTO_CPU_X86_H_
#define SFRAME_SRC_CRYPTO_CPU_X86_H_

namespace sframe {
namespace internal {

struct X86Features {
  bool aes = false;
  bool pclmul = false;
  bool avx2 = false;
  bool bmi2 = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool vaes = false;
  bool vpclmulqdq = false;
  bool sha = false;
  // The vendor string is "AuthenticAMD" (for per-microarchitecture tuning
  // only, never for correctness).
  bool amd = false;
};

// Features usable here: the CPU has them and the OS saves the registers they
// need (XCR0). Computed once; thread-safe.
const X86Features& GetX86Features();

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_CPU_X86_H_
