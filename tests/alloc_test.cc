// Copyright 2026 The sframecpp Authors.
//
// Proves that the per-frame path allocates nothing: this binary replaces
// the global operator new and counts calls while frames are processed.

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/sframe.h"
#include "tests/counting_new.h"
#include "tests/test_util.h"

namespace sframe {
namespace {

using ::sframe::testing::SuiteAndImpl;

class NoAllocationTest : public ::testing::TestWithParam<SuiteAndImpl> {};

TEST_P(NoAllocationTest, PerFramePathsDoNotAllocate) {
  testing::ScopedImplementation forced(GetParam().impl);
  const CipherSuite suite = GetParam().suite;
  const std::vector<uint8_t> key(16, 7);
  auto enc = Encryptor::Create(suite, 1000, key);
  auto dec = Decryptor::Create(suite);
  ASSERT_TRUE(enc.ok() && dec.ok());
  ASSERT_TRUE(dec->AddKey(1000, key).ok());
  std::vector<uint8_t> pt(1200, 1), md(5, 2);
  std::vector<uint8_t> ct(MaxCiphertextSize(suite, pt.size()));
  std::vector<uint8_t> out(pt.size());

  // The counter passes the inline range and grows the header; errors of
  // every kind are included.
  const long before = g_allocations.load();
  long ok_frames = 0, failures = 0;
  for (int i = 0; i < 300; ++i) {
    auto sealed = enc->Encrypt(md, pt, absl::MakeSpan(ct));
    ASSERT_TRUE(sealed.ok());
    ok_frames += dec->Decrypt(md, *sealed, absl::MakeSpan(out)).ok();
    (*sealed)[sealed->size() - 1] ^= 1;  // forged tag
    failures += !dec->Decrypt(md, *sealed, absl::MakeSpan(out)).ok();
    failures += !dec->Decrypt(md, sealed->first(3), absl::MakeSpan(out)).ok();
    failures += !dec->Decrypt(md, *sealed, absl::MakeSpan(out).first(10)).ok();
    const uint8_t unknown_kid[] = {0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0,    0, 0, 0, 0, 0, 0, 0, 0, 0};
    failures += !dec->Decrypt(md, unknown_kid, absl::MakeSpan(out)).ok();
    failures += !enc->Encrypt(md, pt, absl::MakeSpan(ct).first(10)).ok();
  }
  const long allocations = g_allocations.load() - before;
  EXPECT_EQ(ok_frames, 300);
  EXPECT_EQ(failures, 300 * 5);
  EXPECT_EQ(allocations, 0);

  // The counter measures something: installing a key does allocate.
  const long before_install = g_allocations.load();
  ASSERT_TRUE(dec->AddKey(1001, key).ok());
  EXPECT_GT(g_allocations.load(), before_install);
}

INSTANTIATE_TEST_SUITE_P(
    AllSuites, NoAllocationTest,
    ::testing::ValuesIn(testing::AllSuitesAndImplementations()),
    [](const ::testing::TestParamInfo<SuiteAndImpl>& info) {
      return testing::SuiteAndImplName(info.param);
    });

}  // namespace
}  // namespace sframe
