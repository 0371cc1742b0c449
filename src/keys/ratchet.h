// Copyright 2026 The sframecpp Authors.
//
// Internals of the key-management layer shared by sender keys and MLS.

#ifndef SFRAME_SRC_KEYS_RATCHET_H_
#define SFRAME_SRC_KEYS_RATCHET_H_

#include <cstdint>

#include "absl/status/status.h"
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

// Counts a failed decrypt in `stats` and emits its event through
// `state.Emit` (both receivers have one). `well_formed` says whether the
// header parsed; a malformed frame's event names `malformed_sender` and no
// KID. Other codes (kOk, caller bugs) are not failures of the frame.
template <typename State>
void RecordFailure(State& state, SenderStats& stats, absl::StatusCode code,
                   bool well_formed, SenderId sender, SenderId malformed_sender,
                   KeyId kid, Counter ctr) {
  switch (code) {
    case absl::StatusCode::kDataLoss:
      if (well_formed) {
        ++stats.authentication_failures;
        state.Emit(KeyEventType::kAuthenticationFailed, sender, kid, ctr);
      } else {
        ++stats.malformed;
        state.Emit(KeyEventType::kMalformed, malformed_sender, 0, 0);
      }
      break;
    case absl::StatusCode::kAlreadyExists:
      ++stats.replays;
      state.Emit(KeyEventType::kReplay, sender, kid, ctr);
      break;
    case absl::StatusCode::kNotFound:
      ++stats.unknown_key_ids;
      state.Emit(KeyEventType::kUnknownKeyId, sender, kid, ctr);
      break;
    default:
      break;
  }
}

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_KEYS_RATCHET_H_
