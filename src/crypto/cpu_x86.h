// Copyright 2026 The sframecpp Authors.
//
// x86-64 CPU feature detection from CPUID and XCR0, for choosing a kernel
// once per key. Written with <cpuid.h> rather than __builtin_cpu_supports,
// whose feature names differ between gcc and clang.

#ifndef SFRAME_SRC_CRYPTO_CPU_X86_H_
#define SFRAME_SRC_CRYPTO_CPU_X86_H_

#include <initializer_list>

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

// Per-CPU tuning choices (which code runs faster differs between
// microarchitectures, never what it computes) are numbered 1, 2, ...; 0 is
// "none". Each is the test hook's choice if any, else its environment
// variable's (read once, for benchmarks), else the CPU's default.

// The choice the environment variable `name` makes: 1 + the index of its
// value in `values`, or 0 if it is unset or not one of them.
int TuningFromEnvironment(const char* name,
                          std::initializer_list<const char*> values);

// The choice in force: `forced` (the test hook), else `from_environment`,
// else `by_cpu`.
inline int Tuning(int forced, int from_environment, int by_cpu) {
  if (forced != 0) return forced;
  return from_environment != 0 ? from_environment : by_cpu;
}

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_CPU_X86_H_
