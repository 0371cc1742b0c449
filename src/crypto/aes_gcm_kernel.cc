// Copyright 2026 The sframecpp Authors.

#include "src/crypto/aes_gcm_kernel.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "src/crypto/cpu_x86.h"

namespace sframe {
namespace internal {
namespace {

std::atomic<int> forced_flavour{static_cast<int>(GcmBulkGhash::kAuto)};

GcmBulkGhash FromEnvironment() {
  const char* env = std::getenv("SFRAME_GCM_BULK_GHASH");
  if (env == nullptr) return GcmBulkGhash::kAuto;
  if (std::strcmp(env, "karatsuba") == 0) return GcmBulkGhash::kKaratsuba;
  if (std::strcmp(env, "schoolbook") == 0) return GcmBulkGhash::kSchoolbook;
  return GcmBulkGhash::kAuto;
}

std::atomic<int> forced_mixed{static_cast<int>(GcmMixedKeys::kAuto)};

GcmMixedKeys MixedFromEnvironment() {
  const char* env = std::getenv("SFRAME_GCM_MIXED_KEYS");
  if (env == nullptr) return GcmMixedKeys::kAuto;
  if (std::strcmp(env, "groups") == 0) return GcmMixedKeys::kGroups;
  if (std::strcmp(env, "singles") == 0) return GcmMixedKeys::kSingles;
  return GcmMixedKeys::kAuto;
}

}  // namespace

bool GcmBulkKaratsuba() {
  GcmBulkGhash f = static_cast<GcmBulkGhash>(forced_flavour.load());
  if (f == GcmBulkGhash::kAuto) {
    static const GcmBulkGhash from_env = FromEnvironment();
    f = from_env;
  }
  if (f == GcmBulkGhash::kAuto) return GetX86Features().amd;
  return f == GcmBulkGhash::kKaratsuba;
}

void SetGcmBulkGhashForTesting(GcmBulkGhash flavour) {
  forced_flavour.store(static_cast<int>(flavour));
}

bool GcmMixedKeyGroups() {
  GcmMixedKeys m = static_cast<GcmMixedKeys>(forced_mixed.load());
  if (m == GcmMixedKeys::kAuto) {
    static const GcmMixedKeys from_env = MixedFromEnvironment();
    m = from_env;
  }
  if (m == GcmMixedKeys::kAuto) return GetX86Features().amd;
  return m == GcmMixedKeys::kGroups;
}

void SetGcmMixedKeysForTesting(GcmMixedKeys mode) {
  forced_mixed.store(static_cast<int>(mode));
}

}  // namespace internal
}  // namespace sframe
