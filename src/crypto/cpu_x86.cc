// Copyright 2026 The sframecpp Authors.

#include "src/crypto/cpu_x86.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace sframe {
namespace internal {
namespace {

X86Features Detect() {
  X86Features f;
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return f;
  // "AuthenticAMD" in EBX, EDX, ECX.
  f.amd = b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27);
  const bool sse = (c & (1u << 25)) != 0;  // AES-NI
  const bool pclmul = (c & (1u << 1)) != 0;
  uint64_t xcr0 = 0;
  if (osxsave) {
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (uint64_t{hi} << 32) | lo;
  }
  const bool os_avx = (xcr0 & 0x6) == 0x6;       // XMM and YMM state
  const bool os_avx512 = (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM state
  f.aes = sse;
  f.pclmul = pclmul;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.avx2 = os_avx && (b & (1u << 5));
  f.bmi2 = (b & (1u << 8)) != 0;
  f.sha = (b & (1u << 29)) != 0;
  f.avx512f = os_avx512 && (b & (1u << 16));
  f.avx512bw = os_avx512 && (b & (1u << 30));
  f.avx512vl = os_avx512 && (b & (1u << 31));
  f.vaes = os_avx && (c & (1u << 9));
  f.vpclmulqdq = os_avx && (c & (1u << 10));
#endif
  return f;
}

}  // namespace

const X86Features& GetX86Features() {
  static const X86Features features = Detect();
  return features;
}

int TuningFromEnvironment(const char* name,
                          std::initializer_list<const char*> values) {
  const char* env = std::getenv(name);
  if (env == nullptr) return 0;
  int choice = 1;
  for (const char* value : values) {
    if (std::strcmp(env, value) == 0) return choice;
    ++choice;
  }
  return 0;
}

}  // namespace internal
}  // namespace sframe
