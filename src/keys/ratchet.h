// Copyright 2026 The sframecpp Authors.
//
// Internals of the key-management layer shared by sender keys and MLS.

#ifndef SFRAME_SRC_KEYS_RATCHET_H_
#define SFRAME_SRC_KEYS_RATCHET_H_

#include <cstdint>

#include "absl/time/time.h"
#include "sframe/keys.h"

namespace sframe {
namespace internal {

// How many ratchet steps (RatchetBaseKey calls) this process has computed.
// Tests use it to bound the work a forged frame can cause.
uint64_t RatchetDerivationsForTesting();

// The time from `clock`, or absl::Now() if it is empty.
inline absl::Time ReadClock(const Clock& clock) {
  return clock ? clock() : absl::Now();
}

// Deadline arithmetic that saturates instead of overflowing.
inline absl::Time AddGrace(absl::Time now, absl::Duration grace) {
  return grace == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                           : now + grace;
}

inline uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_KEYS_RATCHET_H_
