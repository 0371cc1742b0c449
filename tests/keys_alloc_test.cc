// Copyright 2026 The sframecpp Authors.
//
// The steady-state per-frame paths of the key-management layer allocate
// nothing (every failure path included): this binary replaces the global
// operator new and counts calls. Key installation, ratchet steps and a
// KID's first frame may allocate; they are outside the counted loops.

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/keys.h"
#include "tests/counting_new.h"

namespace sframe {
namespace {

class KeysNoAllocationTest : public ::testing::TestWithParam<CipherSuite> {};

TEST_P(KeysNoAllocationTest, SenderKeyPathsDoNotAllocate) {
  const CipherSuite suite = GetParam();
  const std::vector<uint8_t> key(16, 7);
  uint64_t events = 0;
  SenderKeyDecryptor::Options o;
  o.on_event = [&](const KeyEvent&) { ++events; };
  auto tx = SenderKeyEncryptor::Create(suite, 4, 0, key);
  auto rx = SenderKeyDecryptor::Create(suite, o);
  ASSERT_TRUE(tx.ok() && rx.ok());
  ASSERT_TRUE(rx->AddSender(1, 4).ok());
  ASSERT_TRUE(rx->InstallKey(1, 0, 0, key).ok());
  std::vector<uint8_t> pt(1000, 1), ct(MaxCiphertextSize(suite, pt.size()));
  std::vector<uint8_t> out(pt.size()), forged(ct.size());
  // A far-ahead KID (no derivation), an unknown generation.
  const uint8_t far_ahead[] = {0x80, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               0,    0,    0, 0, 0, 0, 0, 0, 0, 0};
  const uint8_t unknown_generation[] = {0x80, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                        0,    0,    0, 0, 0, 0, 0, 0, 0, 0};
  const long before = g_allocations.load();
  long ok = 0, failed = 0;
  for (int i = 0; i < 300; ++i) {
    auto sealed = tx->Encrypt({}, pt, absl::MakeSpan(ct));
    ASSERT_TRUE(sealed.ok());
    // Forged while its counter is fresh, so that the tag is checked.
    memcpy(forged.data(), sealed->data(), sealed->size());
    forged[sealed->size() - 1] ^= 1;
    failed +=
        !rx->Decrypt(1, {}, absl::MakeConstSpan(forged).first(sealed->size()),
                     absl::MakeSpan(out))
             .ok();
    ok += rx->Decrypt(1, {}, *sealed, absl::MakeSpan(out)).ok();
    failed += !rx->Decrypt(1, {}, *sealed, absl::MakeSpan(out)).ok();  // replay
    failed += !rx->Decrypt(1, {}, far_ahead, absl::MakeSpan(out)).ok();
    failed += !rx->Decrypt(1, {}, unknown_generation, absl::MakeSpan(out)).ok();
    failed += !rx->Decrypt(1, {}, sealed->first(2), absl::MakeSpan(out)).ok();
    failed += !rx->Decrypt(2, {}, *sealed, absl::MakeSpan(out)).ok();
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(ok, 300);
  EXPECT_EQ(failed, 300 * 6);
  EXPECT_EQ(events, 300u * 6);
  EXPECT_EQ(rx->GetSenderStats(1)->authentication_failures, 300u);
  EXPECT_EQ(rx->GetSenderStats(1)->replays, 300u);
}

TEST_P(KeysNoAllocationTest, MlsPathsDoNotAllocateOnceKeysAreCached) {
  const CipherSuite suite = GetParam();
  const MlsKeyIdLayout layout{4, 6};
  const std::vector<uint8_t> key(KeySize(suite), 7);
  auto tx = MlsEncryptor::Create(suite, layout, 5);
  auto rx = MlsDecryptor::Create(suite, layout);
  ASSERT_TRUE(tx.ok() && rx.ok());
  ASSERT_TRUE(tx->SetEpoch(3, key).ok());
  ASSERT_TRUE(rx->AddEpoch(3, key).ok());
  std::vector<uint8_t> pt(500, 1), ct(MaxCiphertextSize(suite, pt.size()));
  std::vector<uint8_t> out(pt.size()), forged(ct.size());
  ASSERT_TRUE(rx->Decrypt({}, *tx->Encrypt(0, {}, pt, absl::MakeSpan(ct)),
                          absl::MakeSpan(out))
                  .ok());  // first frame: derives and caches
  const uint8_t other_epoch[] = {0x80, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                 0,    0,    0, 0, 0, 0, 0, 0, 0, 0};
  const long before = g_allocations.load();
  long ok = 0, failed = 0;
  for (int i = 0; i < 300; ++i) {
    auto sealed = tx->Encrypt(0, {}, pt, absl::MakeSpan(ct));
    ASSERT_TRUE(sealed.ok());
    // Forged while its counter is fresh, so that the tag is checked.
    memcpy(forged.data(), sealed->data(), sealed->size());
    forged[sealed->size() - 1] ^= 1;
    failed +=
        !rx->Decrypt({}, absl::MakeConstSpan(forged).first(sealed->size()),
                     absl::MakeSpan(out))
             .ok();
    ok += rx->Decrypt({}, *sealed, absl::MakeSpan(out)).ok();
    failed += !rx->Decrypt({}, *sealed, absl::MakeSpan(out)).ok();  // replay
    failed += !rx->Decrypt({}, other_epoch, absl::MakeSpan(out)).ok();
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(ok, 300);
  EXPECT_EQ(failed, 300 * 3);
  EXPECT_EQ(rx->GetStats().authentication_failures, 300u);
  EXPECT_EQ(rx->GetStats().replays, 300u);
}

INSTANTIATE_TEST_SUITE_P(AllSuites, KeysNoAllocationTest,
                         ::testing::ValuesIn(kAllCipherSuites));

}  // namespace
}  // namespace sframe
