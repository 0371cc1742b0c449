// Copyright 2026 The sframecpp Authors.
//
// Key material is wiped when its owner dies: every wipe is observed (after
// OPENSSL_cleanse, before the memory is freed) and must leave zeros, and the
// derived key, the salt and the cipher state of each key must be among them.

#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/sframe.h"
#include "src/core/key_schedule.h"
#include "src/crypto/secret.h"
#include "tests/test_util.h"

namespace sframe {
namespace {

struct Wipe {
  size_t size;
  bool all_zero;
};
std::vector<Wipe>* g_wipes = nullptr;

void Observe(const void* p, size_t size) {
  if (g_wipes == nullptr) return;
  g_wipes->push_back(
      {size, testing::AllZero(static_cast<const uint8_t*>(p), size)});
}

class WipeTest : public ::testing::TestWithParam<testing::SuiteAndImpl> {
 protected:
  void SetUp() override {
    g_wipes = &wipes_;
    internal::SetWipeObserverForTesting(Observe);
  }
  void TearDown() override {
    internal::SetWipeObserverForTesting(nullptr);
    g_wipes = nullptr;
  }
  size_t CountOfSize(size_t size) const {
    size_t n = 0;
    for (const Wipe& w : wipes_) n += w.size == size;
    return n;
  }
  std::vector<Wipe> wipes_;
};

TEST_P(WipeTest, DerivationTemporariesAndKeysAreWiped) {
  testing::ScopedImplementation forced(GetParam().impl);
  const CipherSuite suite = GetParam().suite;
  const std::vector<uint8_t> key(16, 0x5a);
  {
    auto enc = Encryptor::Create(suite, 9, key);
    ASSERT_TRUE(enc.ok());
    // Derivation temporaries (sframe_secret: Nh bytes, sframe_key: Nk
    // bytes) are already gone.
    EXPECT_GE(CountOfSize(HashSize(suite)), 1u);
    EXPECT_GE(CountOfSize(KeySize(suite)), 1u);
    wipes_.clear();
  }
  // The live key's salt was wiped at destruction; so was its cipher state.
  EXPECT_GE(CountOfSize(kNonceSize), 1u);
  EXPECT_GE(wipes_.size(), 2u);
  for (const Wipe& w : wipes_) EXPECT_TRUE(w.all_zero) << w.size;

  wipes_.clear();
  {
    auto dec = Decryptor::Create(suite);
    ASSERT_TRUE(dec->AddKey(1, key).ok());
    ASSERT_TRUE(dec->AddKey(2, key).ok());
    ASSERT_TRUE(dec->RemoveKey(1).ok());
    wipes_.clear();
  }
  EXPECT_GE(CountOfSize(kNonceSize), 1u);  // key 2 died with the store
  for (const Wipe& w : wipes_) EXPECT_TRUE(w.all_zero) << w.size;
}

INSTANTIATE_TEST_SUITE_P(
    AllSuites, WipeTest,
    ::testing::ValuesIn(testing::AllSuitesAndImplementations()),
    [](const ::testing::TestParamInfo<testing::SuiteAndImpl>& info) {
      return testing::SuiteAndImplName(info.param);
    });

TEST(SecretBufferTest, WipesOnDestructionAndMove) {
  std::vector<Wipe> wipes;
  g_wipes = &wipes;
  internal::SetWipeObserverForTesting(Observe);
  {
    internal::SecretBuffer a(40);
    memset(a.data(), 0xff, a.size());
    internal::SecretBuffer b(std::move(a));
    EXPECT_EQ(a.size(), 0u);
    internal::SecretBuffer c(24);
    memset(c.data(), 0xee, c.size());
    c = std::move(b);  // c's old 24 bytes are wiped now
    ASSERT_EQ(wipes.size(), 1u);
    EXPECT_EQ(wipes[0].size, 24u);
  }
  ASSERT_EQ(wipes.size(), 2u);
  EXPECT_EQ(wipes[1].size, 40u);
  for (const Wipe& w : wipes) EXPECT_TRUE(w.all_zero);
  internal::SetWipeObserverForTesting(nullptr);
  g_wipes = nullptr;
}

}  // namespace
}  // namespace sframe
