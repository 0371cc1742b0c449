// Copyright 2026 The sframecpp Authors.
//
// Proves that the per-frame path allocates nothing: this binary replaces
// the global operator new and counts calls while frames are processed.

#include <atomic>
#include <cstdlib>
#include <cstring>
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
  std::vector<uint8_t> out(pt.size()), forged(ct.size());
  // An exhausted and a moved-from Encryptor, set up before counting.
  Encryptor::Options last;
  last.first_counter = ~Counter{0};
  auto exhausted = Encryptor::Create(suite, 1000, key, last);
  ASSERT_TRUE(exhausted.ok());
  ASSERT_TRUE(exhausted->Encrypt(md, pt, absl::MakeSpan(ct)).ok());
  Encryptor moved_from = *Encryptor::Create(suite, 1002, key);
  Encryptor taker(std::move(moved_from));

  // The counter passes the inline range and grows the header; errors of
  // every kind are included, each checked by its code so that its path is
  // known to be reached.
  auto fails_with = [](const auto& result, absl::StatusCode code) {
    return result.status().code() == code ? 1 : 0;
  };
  const long before = g_allocations.load();
  long ok_frames = 0, failures = 0;
  for (int i = 0; i < 300; ++i) {
    auto sealed = enc->Encrypt(md, pt, absl::MakeSpan(ct));
    ASSERT_TRUE(sealed.ok());
    // A forged tag first, while the counter is fresh: the AEAD runs.
    memcpy(forged.data(), sealed->data(), sealed->size());
    forged[sealed->size() - 1] ^= 1;
    failures += fails_with(
        dec->Decrypt(md, absl::MakeConstSpan(forged).first(sealed->size()),
                     absl::MakeSpan(out)),
        absl::StatusCode::kDataLoss);
    ok_frames += dec->Decrypt(md, *sealed, absl::MakeSpan(out)).ok();
    failures += fails_with(dec->Decrypt(md, *sealed, absl::MakeSpan(out)),
                           absl::StatusCode::kAlreadyExists);
    failures +=
        fails_with(dec->Decrypt(md, sealed->first(3), absl::MakeSpan(out)),
                   absl::StatusCode::kDataLoss);
    failures +=
        fails_with(dec->Decrypt(md, *sealed, absl::MakeSpan(out).first(10)),
                   absl::StatusCode::kInvalidArgument);
    failures += fails_with(  // metadata inside the output
        dec->Decrypt(absl::MakeConstSpan(out).first(4), *sealed,
                     absl::MakeSpan(out)),
        absl::StatusCode::kInvalidArgument);
    const uint8_t unknown_kid[] = {0x70, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0,    0, 0, 0, 0, 0, 0, 0, 0, 0};
    failures += fails_with(dec->Decrypt(md, unknown_kid, absl::MakeSpan(out)),
                           absl::StatusCode::kNotFound);
    failures += fails_with(enc->Encrypt(md, pt, absl::MakeSpan(ct).first(10)),
                           absl::StatusCode::kInvalidArgument);
    failures += fails_with(exhausted->Encrypt(md, pt, absl::MakeSpan(ct)),
                           absl::StatusCode::kResourceExhausted);
    failures += fails_with(  // NOLINT(bugprone-use-after-move)
        moved_from.Encrypt(md, pt, absl::MakeSpan(ct)),
        absl::StatusCode::kFailedPrecondition);
  }
  const long allocations = g_allocations.load() - before;
  EXPECT_EQ(ok_frames, 300);
  EXPECT_EQ(failures, 300 * 9);
  EXPECT_EQ(dec->GetKeyStats(1000)->authentication_failures, 300u);
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
