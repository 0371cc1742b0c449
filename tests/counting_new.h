// Copyright 2026 The sframecpp Authors.
//
// Replaces the global operator new/delete with versions that count every
// allocation in `g_allocations`, so a test can prove a path allocates
// nothing. Include it in exactly one .cc of a test binary (it defines the
// replacement functions). Build that binary with -Wno-mismatched-new-delete:
// the replacements pair malloc with free on purpose.

#ifndef SFRAME_TESTS_COUNTING_NEW_H_
#define SFRAME_TESTS_COUNTING_NEW_H_

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

// operator new calls so far in this process.
inline std::atomic<long> g_allocations{0};

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

#endif  // SFRAME_TESTS_COUNTING_NEW_H_
