// Copyright 2026 The sframecpp Authors.
//
// Contract tests of Encryptor and Decryptor, for every suite and every
// AEAD implementation that runs on this CPU.

#include "sframe/sframe.h"

#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace sframe {
namespace {

using ::sframe::testing::AllZero;
using ::sframe::testing::RandomBytes;
using ::sframe::testing::ScopedImplementation;
using ::sframe::testing::SuiteAndImpl;

constexpr KeyId kKid = 0x123;
const std::vector<uint8_t> kBaseKey = {0, 1, 2,  3,  4,  5,  6,  7,
                                       8, 9, 10, 11, 12, 13, 14, 15};
const std::vector<uint8_t> kMetadata = {'m', 'e', 't', 'a'};

class SframeContractTest : public ::testing::TestWithParam<SuiteAndImpl> {
 protected:
  SframeContractTest() : forced_(GetParam().impl) {}

  CipherSuite suite() const { return GetParam().suite; }

  Encryptor MakeEncryptor(KeyId kid = kKid, Counter first = 0) {
    Encryptor::Options options;
    options.first_counter = first;
    auto enc = Encryptor::Create(suite(), kid, kBaseKey, options);
    EXPECT_TRUE(enc.ok());
    return *std::move(enc);
  }
  Decryptor MakeDecryptor(KeyId kid = kKid) {
    auto dec = Decryptor::Create(suite());
    EXPECT_TRUE(dec.ok());
    EXPECT_TRUE(dec->AddKey(kid, kBaseKey).ok());
    return *std::move(dec);
  }
  std::vector<uint8_t> Seal(Encryptor& enc, const std::vector<uint8_t>& pt,
                            const std::vector<uint8_t>& metadata = kMetadata) {
    std::vector<uint8_t> out(enc.CiphertextSize(pt.size()));
    auto ct = enc.Encrypt(metadata, pt, absl::MakeSpan(out));
    EXPECT_TRUE(ct.ok()) << ct.status();
    EXPECT_EQ(ct->size(), out.size());
    return out;
  }

  std::mt19937_64 rng_{42};

 private:
  ScopedImplementation forced_;
};

TEST_P(SframeContractTest, RoundTripsEveryLengthUpTo1500) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  for (size_t n = 0; n <= 1500; ++n) {
    const std::vector<uint8_t> pt = RandomBytes(n, rng_);
    const std::vector<uint8_t> ct = Seal(enc, pt);
    ASSERT_EQ(ct.size(), EncodedHeaderSize({kKid, n}) + n + TagSize(suite()));
    auto size = dec.PlaintextSize(ct);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, n);
    std::vector<uint8_t> out(n);
    auto got = dec.Decrypt(kMetadata, ct, absl::MakeSpan(out));
    ASSERT_TRUE(got.ok()) << n << " " << got.status();
    ASSERT_EQ(std::vector<uint8_t>(got->begin(), got->end()), pt) << n;
  }
}

TEST_P(SframeContractTest, RoundTrips64KiBInPlace) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  const std::vector<uint8_t> pt = RandomBytes(65536, rng_);
  std::vector<uint8_t> buf(enc.CiphertextSize(pt.size()));
  memcpy(buf.data(), pt.data(), pt.size());
  auto ct = enc.Encrypt(kMetadata, absl::MakeConstSpan(buf).first(pt.size()),
                        absl::MakeSpan(buf));
  ASSERT_TRUE(ct.ok());
  // Out-of-place decrypt of the in-place ciphertext.
  std::vector<uint8_t> out(pt.size());
  ASSERT_TRUE(dec.Decrypt(kMetadata, buf, absl::MakeSpan(out)).ok());
  EXPECT_EQ(out, pt);
  // The same frame again is a replay (the default window is on).
  EXPECT_EQ(dec.Decrypt(kMetadata, buf, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kAlreadyExists);
  // In-place decrypt, on a fresh receiver.
  Decryptor fresh = MakeDecryptor();
  auto got = fresh.Decrypt(kMetadata, buf, absl::MakeSpan(buf));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->data(), buf.data());
  EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), pt);
}

TEST_P(SframeContractTest, InPlaceMatchesOutOfPlace) {
  for (size_t n : {0, 1, 15, 16, 17, 100, 255, 256, 1000}) {
    Encryptor a = MakeEncryptor();
    Encryptor b = MakeEncryptor();
    const std::vector<uint8_t> pt = RandomBytes(n, rng_);
    const std::vector<uint8_t> expected = Seal(a, pt);
    std::vector<uint8_t> buf(b.CiphertextSize(n));
    if (n != 0) memcpy(buf.data(), pt.data(), n);
    ASSERT_TRUE(b.Encrypt(kMetadata, absl::MakeConstSpan(buf).first(n),
                          absl::MakeSpan(buf))
                    .ok());
    EXPECT_EQ(buf, expected) << n;
  }
}

TEST_P(SframeContractTest, RejectsEveryFlippedBitWithZeroedOutput) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  const std::vector<uint8_t> pt = RandomBytes(33, rng_);
  const std::vector<uint8_t> ct = Seal(enc, pt);
  for (size_t bit = 0; bit < ct.size() * 8; ++bit) {
    std::vector<uint8_t> bad = ct;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    std::vector<uint8_t> out(ct.size(), 0xcc);
    auto got = dec.Decrypt(kMetadata, bad, absl::MakeSpan(out));
    ASSERT_FALSE(got.ok()) << "bit " << bit;
    EXPECT_TRUE(AllZero(out.data(), out.size())) << "bit " << bit;
  }
}

TEST_P(SframeContractTest, RejectsEveryTruncation) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  const std::vector<uint8_t> ct = Seal(enc, RandomBytes(40, rng_));
  for (size_t n = 0; n < ct.size(); ++n) {
    std::vector<uint8_t> out(ct.size(), 0xcc);
    auto got = dec.Decrypt(kMetadata, absl::MakeConstSpan(ct).first(n),
                           absl::MakeSpan(out));
    ASSERT_FALSE(got.ok()) << n;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << n;
    EXPECT_TRUE(AllZero(out.data(), out.size())) << n;
  }
}

TEST_P(SframeContractTest, RejectsMetadataMismatch) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  const std::vector<uint8_t> pt = RandomBytes(20, rng_);
  const std::vector<uint8_t> ct = Seal(enc, pt);
  std::vector<uint8_t> out(pt.size());
  for (const std::vector<uint8_t>& md :
       {std::vector<uint8_t>{}, std::vector<uint8_t>{'m', 'e', 't', 'b'},
        std::vector<uint8_t>{'m', 'e', 't', 'a', 0}}) {
    auto got = dec.Decrypt(md, ct, absl::MakeSpan(out));
    EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_TRUE(AllZero(out.data(), out.size()));
  }
  // Metadata moved between header and body is still a different AAD.
  Encryptor enc2 = MakeEncryptor();
  const std::vector<uint8_t> ct_empty = Seal(enc2, pt, {});
  EXPECT_TRUE(dec.Decrypt({}, ct_empty, absl::MakeSpan(out)).ok());
}

TEST_P(SframeContractTest, RejectsUnknownAndWrongKid) {
  Encryptor enc = MakeEncryptor(/*kid=*/5);
  Decryptor dec = MakeDecryptor(/*kid=*/6);
  const std::vector<uint8_t> ct = Seal(enc, RandomBytes(20, rng_));
  std::vector<uint8_t> out(ct.size(), 0xcc);
  EXPECT_EQ(dec.Decrypt(kMetadata, ct, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(AllZero(out.data(), out.size()));
  // Rewrite the header's KID (inline, 5 -> 6): the key exists but the frame
  // was not made with it.
  std::vector<uint8_t> relabeled = ct;
  relabeled[0] = static_cast<uint8_t>((relabeled[0] & 0x8f) | (6 << 4));
  EXPECT_EQ(
      dec.Decrypt(kMetadata, relabeled, absl::MakeSpan(out)).status().code(),
      absl::StatusCode::kDataLoss);
  EXPECT_TRUE(AllZero(out.data(), out.size()));
}

TEST_P(SframeContractTest, RejectsOutputOneByteShort) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  const std::vector<uint8_t> pt = RandomBytes(64, rng_);
  std::vector<uint8_t> small(enc.CiphertextSize(pt.size()) - 1, 0xcc);
  const Counter before = enc.next_counter();
  EXPECT_EQ(enc.Encrypt(kMetadata, pt, absl::MakeSpan(small)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(enc.next_counter(), before);
  const std::vector<uint8_t> ct = Seal(enc, pt);
  std::vector<uint8_t> out(pt.size() - 1, 0xcc);
  EXPECT_EQ(dec.Decrypt(kMetadata, ct, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(AllZero(out.data(), out.size()));
}

TEST_P(SframeContractTest, RejectsPartialOverlap) {
  Encryptor enc = MakeEncryptor();
  std::vector<uint8_t> buf(200);
  auto r = enc.Encrypt(kMetadata, absl::MakeConstSpan(buf).subspan(1, 50),
                       absl::MakeSpan(buf));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(SframeContractTest, HeaderEdgeValuesRoundTrip) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (uint64_t kid : {uint64_t{0}, uint64_t{7}, uint64_t{8}, uint64_t{255},
                       uint64_t{256}, kMax}) {
    for (uint64_t ctr : {uint64_t{0}, uint64_t{7}, uint64_t{8}, uint64_t{255},
                         uint64_t{256}, kMax}) {
      Encryptor enc = MakeEncryptor(kid, ctr);
      Decryptor dec = MakeDecryptor(kid);
      const std::vector<uint8_t> pt = RandomBytes(17, rng_);
      const std::vector<uint8_t> ct = Seal(enc, pt);
      auto parsed = ParseHeader(ct);
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(parsed->header, (Header{kid, ctr}));
      std::vector<uint8_t> out(pt.size());
      auto got = dec.Decrypt(kMetadata, ct, absl::MakeSpan(out));
      ASSERT_TRUE(got.ok()) << kid << " " << ctr;
      EXPECT_EQ(out, pt);
    }
  }
}

// Encrypt writes the next header as one word while its size stays the same
// and encodes it afresh when the counter needs one byte more: every header
// around each counter-length boundary is the minimal encoding of its KID and
// counter (ParseHeader rejects any other), sized as CiphertextSize said, and
// the frame decrypts (the header is the AAD).
TEST_P(SframeContractTest, HeadersStayMinimalAcrossCounterLengths) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const std::vector<uint8_t> pt = RandomBytes(20, rng_);
  for (uint64_t kid : {uint64_t{0}, uint64_t{7}, uint64_t{8}, uint64_t{255},
                       uint64_t{256}, uint64_t{1} << 40, kMax}) {
    std::vector<Counter> starts = {0, 5};
    for (int bytes = 1; bytes < 8; ++bytes) {
      starts.push_back((Counter{1} << (8 * bytes)) - 3);
    }
    starts.push_back(kMax - 5);
    for (Counter first : starts) {
      Encryptor enc = MakeEncryptor(kid, first);
      Decryptor dec = MakeDecryptor(kid);
      for (Counter ctr = first; ctr < first + 6; ++ctr) {
        const std::vector<uint8_t> ct = Seal(enc, pt);
        auto parsed = ParseHeader(ct);
        ASSERT_TRUE(parsed.ok()) << kid << " " << ctr;
        EXPECT_EQ(parsed->header, (Header{kid, ctr}));
        std::vector<uint8_t> out(pt.size());
        auto got = dec.Decrypt(kMetadata, ct, absl::MakeSpan(out));
        ASSERT_TRUE(got.ok()) << kid << " " << ctr << " " << got.status();
        EXPECT_EQ(out, pt);
      }
    }
  }
}

TEST_P(SframeContractTest, RejectsNonMinimalHeaderOfValidFrame) {
  // A frame with KID 5 inline; the same frame with KID 5 written in the
  // extended form must not decrypt (strict parse, and the AAD differs).
  Encryptor enc = MakeEncryptor(/*kid=*/5);
  Decryptor dec = MakeDecryptor(/*kid=*/5);
  const std::vector<uint8_t> ct = Seal(enc, RandomBytes(10, rng_));
  std::vector<uint8_t> extended = {static_cast<uint8_t>(0x80 | (ct[0] & 0x0f)),
                                   0x05};
  extended.insert(extended.end(), ct.begin() + 1, ct.end());
  std::vector<uint8_t> out(ct.size());
  EXPECT_EQ(
      dec.Decrypt(kMetadata, extended, absl::MakeSpan(out)).status().code(),
      absl::StatusCode::kDataLoss);
}

TEST_P(SframeContractTest, RefusesToEncryptAfterCounterExhaustion) {
  constexpr Counter kMax = std::numeric_limits<Counter>::max();
  Encryptor enc = MakeEncryptor(kKid, kMax - 1);
  const std::vector<uint8_t> pt = RandomBytes(8, rng_);
  std::vector<uint8_t> out(MaxCiphertextSize(suite(), pt.size()));
  auto first = enc.Encrypt(kMetadata, pt, absl::MakeSpan(out));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ParseHeader(*first)->header.counter, kMax - 1);
  auto second = enc.Encrypt(kMetadata, pt, absl::MakeSpan(out));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(ParseHeader(*second)->header.counter, kMax);
  EXPECT_TRUE(enc.exhausted());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(enc.Encrypt(kMetadata, pt, absl::MakeSpan(out)).status().code(),
              absl::StatusCode::kResourceExhausted);
  }
}

TEST_P(SframeContractTest, CountersNeverRepeat) {
  Encryptor enc = MakeEncryptor();
  const std::vector<uint8_t> pt(4);
  for (Counter expected = 0; expected < 300; ++expected) {
    const std::vector<uint8_t> ct = Seal(enc, pt);
    EXPECT_EQ(ParseHeader(ct)->header.counter, expected);
  }
}

TEST_P(SframeContractTest, RejectsBadKeysWithoutState) {
  auto enc = Encryptor::Create(suite(), kKid, {});
  EXPECT_EQ(enc.status().code(), absl::StatusCode::kInvalidArgument);
  Decryptor dec = MakeDecryptor();
  EXPECT_EQ(dec.AddKey(99, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(dec.HasKey(99));
  EXPECT_EQ(dec.AddKey(kKid, kBaseKey).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(dec.key_count(), 1u);
  EXPECT_TRUE(dec.RemoveKey(kKid).ok());
  EXPECT_EQ(dec.RemoveKey(kKid).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(dec.key_count(), 0u);
}

TEST_P(SframeContractTest, DifferentKidsGiveUnrelatedCiphertexts) {
  Encryptor a = MakeEncryptor(1);
  Encryptor b = MakeEncryptor(2);
  const std::vector<uint8_t> pt(32);
  std::vector<uint8_t> ca = Seal(a, pt), cb = Seal(b, pt);
  EXPECT_NE(std::vector<uint8_t>(ca.begin() + 1, ca.end()),
            std::vector<uint8_t>(cb.begin() + 1, cb.end()));
}

INSTANTIATE_TEST_SUITE_P(
    AllSuites, SframeContractTest,
    ::testing::ValuesIn(testing::AllSuitesAndImplementations()),
    [](const ::testing::TestParamInfo<SuiteAndImpl>& info) {
      return testing::SuiteAndImplName(info.param);
    });

TEST(DecryptorTest, RejectsUnknownSuite) {
  EXPECT_EQ(Decryptor::Create(static_cast<CipherSuite>(0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Decryptor::Create(static_cast<CipherSuite>(9)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CipherSuiteTest, SizesMatchTheRegistry) {
  struct Row {
    uint16_t id;
    size_t nh, nka, nk, nt;
  };
  const Row rows[] = {{1, 32, 16, 48, 10}, {2, 32, 16, 48, 8},
                      {3, 32, 16, 48, 4},  {4, 32, 16, 16, 16},
                      {5, 64, 32, 32, 16}, {6, 64, 32, 96, 10},
                      {7, 64, 32, 96, 8},  {8, 64, 32, 96, 4}};
  for (const Row& r : rows) {
    const CipherSuite s = *CipherSuiteFromId(r.id);
    EXPECT_EQ(HashSize(s), r.nh) << r.id;
    EXPECT_EQ(AesKeySize(s), r.nka) << r.id;
    EXPECT_EQ(KeySize(s), r.nk) << r.id;
    EXPECT_EQ(TagSize(s), r.nt) << r.id;
  }
  EXPECT_FALSE(CipherSuiteFromId(0).ok());
  EXPECT_FALSE(CipherSuiteFromId(9).ok());
  EXPECT_FALSE(CipherSuiteFromId(0xf000).ok());
}

}  // namespace
}  // namespace sframe
