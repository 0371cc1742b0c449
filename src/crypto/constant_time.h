// Copyright 2026 The sframecpp Authors.
//
// Declassification points for the constant-time checks (DESIGN.md §6,
// invariant 4).
//
// The checks mark secrets (keys, plaintexts) as uninitialised, with
// MemorySanitizer poison or valgrind's VALGRIND_MAKE_MEM_UNDEFINED; any
// branch or memory index derived from them is then reported. A few values
// derived from secrets are public by design: the accept/reject bit of a tag
// check (the receiver drops bad frames anyway). The code marks exactly those
// as defined with Declassify() right before it branches on them. Outside the
// checks Declassify() costs nothing (MSan builds) or a few instructions (the
// valgrind client request, a no-op when not under valgrind).

#ifndef SFRAME_SRC_CRYPTO_CONSTANT_TIME_H_
#define SFRAME_SRC_CRYPTO_CONSTANT_TIME_H_

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define SFRAME_CT_MSAN 1
#endif
#endif
#if defined(SFRAME_CT_VALGRIND)
#include <valgrind/memcheck.h>
#endif

namespace sframe {
namespace internal {

inline void Declassify(const void* p, size_t n) {
#if defined(SFRAME_CT_MSAN)
  __msan_unpoison(p, n);
#endif
#if defined(SFRAME_CT_VALGRIND)
  (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
#endif
  (void)p;
  (void)n;
}

// Returns `b`, declared public.
inline bool DeclassifyBool(bool b) {
  Declassify(&b, sizeof(b));
  return b;
}

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_CONSTANT_TIME_H_
