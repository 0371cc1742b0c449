// Copyright 2026 The sframecpp Authors.
//
// Helpers shared by the key-management tests.

#ifndef SFRAME_TESTS_KEYS_TEST_UTIL_H_
#define SFRAME_TESTS_KEYS_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "sframe/keys.h"

namespace sframe {
namespace testing {

// A manual clock for grace periods.
struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  Clock AsClock() {
    return [this] { return now; };
  }
  void Advance(absl::Duration d) { now += d; }
};

// Encrypts one frame with any object that has CiphertextSize/Encrypt.
template <typename Tx>
std::vector<uint8_t> Seal(Tx& tx, const std::vector<uint8_t>& pt,
                          const std::vector<uint8_t>& metadata = {}) {
  // The largest possible size: another thread may ratchet between a
  // CiphertextSize() call and Encrypt(), changing the header length.
  std::vector<uint8_t> out(kMaxHeaderSize + pt.size() + kMaxTagSize);
  auto sealed = tx.Encrypt(metadata, pt, absl::MakeSpan(out));
  if (!sealed.ok()) return {};
  out.resize(sealed->size());
  return out;
}

}  // namespace testing
}  // namespace sframe

#endif  // SFRAME_TESTS_KEYS_TEST_UTIL_H_
