// Copyright 2026 The sframecpp Authors.

#include "src/crypto/aes_gcm_kernel.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

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

// The choice the environment variable `name` makes: `amd_way` (1),
// `other_way` (2), or none (0).
int ChoiceFromEnvironment(const char* name, const char* amd_way,
                          const char* other_way) {
  const char* env = std::getenv(name);
  if (env == nullptr) return 0;
  if (std::strcmp(env, amd_way) == 0) return 1;
  if (std::strcmp(env, other_way) == 0) return 2;
  return 0;
}

// True for AMD's way: the test hook's choice, else the environment's, else
// the CPU vendor's.
bool AmdWay(int forced, int from_environment) {
  const int choice = forced != 0 ? forced : from_environment;
  if (choice == 0) return GetX86Features().amd;
  return choice == 1;
}

std::atomic<int> forced_flavour{0};
std::atomic<int> forced_mixed{0};

}  // namespace

bool GcmBulkKaratsuba() {
  static const int from_env =
      ChoiceFromEnvironment("SFRAME_GCM_BULK_GHASH", "karatsuba", "schoolbook");
  return AmdWay(forced_flavour.load(), from_env);
}

void SetGcmBulkGhashForTesting(GcmBulkGhash flavour) {
  forced_flavour.store(static_cast<int>(flavour));
}

bool GcmMixedKeyGroups() {
  static const int from_env =
      ChoiceFromEnvironment("SFRAME_GCM_MIXED_KEYS", "groups", "singles");
  return AmdWay(forced_mixed.load(), from_env);
}

void SetGcmMixedKeysForTesting(GcmMixedKeys mode) {
  forced_mixed.store(static_cast<int>(mode));
}

}  // namespace internal
}  // namespace sframe
