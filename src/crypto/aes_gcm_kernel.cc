// Copyright 2026 The sframecpp Authors.

#include "src/crypto/aes_gcm_kernel.h"

#include <atomic>

#include "src/crypto/cpu_x86.h"

namespace sframe {
namespace internal {
namespace {

// Both choices below are one of two ways, AMD's first: kAuto (0) follows
// the CPU vendor, 1 is the way AMD CPUs get by default, 2 the others'.
static_assert(static_cast<int>(GcmBulkGhash::kKaratsuba) == 1 &&
              static_cast<int>(GcmBulkGhash::kSchoolbook) == 2);
static_assert(static_cast<int>(GcmMixedKeys::kGroups) == 1 &&
              static_cast<int>(GcmMixedKeys::kSingles) == 2);

std::atomic<int> forced_flavour{0};
std::atomic<int> forced_mixed{0};

// 1 (AMD's way) on AMD CPUs, else 2.
int VendorWay() { return GetX86Features().amd ? 1 : 2; }

}  // namespace

bool GcmBulkKaratsuba() {
  static const int from_env = TuningFromEnvironment(
      "SFRAME_GCM_BULK_GHASH", {"karatsuba", "schoolbook"});
  return Tuning(forced_flavour.load(), from_env, VendorWay()) == 1;
}

void SetGcmBulkGhashForTesting(GcmBulkGhash flavour) {
  forced_flavour.store(static_cast<int>(flavour));
}

bool GcmMixedKeyGroups() {
  static const int from_env =
      TuningFromEnvironment("SFRAME_GCM_MIXED_KEYS", {"groups", "singles"});
  return Tuning(forced_mixed.load(), from_env, VendorWay()) == 1;
}

void SetGcmMixedKeysForTesting(GcmMixedKeys mode) {
  forced_mixed.store(static_cast<int>(mode));
}

}  // namespace internal
}  // namespace sframe
