// Copyright 2026 The sframecpp Authors.
//
// Contract tests of Encryptor and Decryptor, for every suite and every
// AEAD implementation that runs on this CPU.

#include "sframe/sframe.h"

#include <sys/mman.h>

#include <algorithm>
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
    std::fill(out.begin(), out.end(), 0xaa);
    EXPECT_EQ(enc.Encrypt(kMetadata, pt, absl::MakeSpan(out)).status().code(),
              absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(out, std::vector<uint8_t>(out.size(), 0xaa));  // nothing written
  }
}

TEST_P(SframeContractTest, MovedFromEncryptorRefusesWithoutCrashing) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  const std::vector<uint8_t> pt = RandomBytes(40, rng_);
  const std::vector<uint8_t> first = Seal(enc, pt);
  Encryptor moved(std::move(enc));
  std::vector<uint8_t> out(MaxCiphertextSize(suite(), pt.size()), 0xaa);
  // NOLINTNEXTLINE(bugprone-use-after-move): the moved-from contract.
  EXPECT_EQ(enc.Encrypt(kMetadata, pt, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(enc.exhausted());
  EXPECT_EQ(out, std::vector<uint8_t>(out.size(), 0xaa));
  // The counter moved with the key: no (key, KID, CTR) is used twice.
  EXPECT_EQ(moved.next_counter(), 1u);
  const std::vector<uint8_t> second = Seal(moved, pt);
  EXPECT_EQ(ParseHeader(second)->header.counter, 1u);
  std::vector<uint8_t> plain(pt.size());
  ASSERT_TRUE(dec.Decrypt(kMetadata, first, absl::MakeSpan(plain)).ok());
  ASSERT_TRUE(dec.Decrypt(kMetadata, second, absl::MakeSpan(plain)).ok());
  EXPECT_EQ(plain, pt);
  // Assignment: the target's old key is dropped, the source is emptied.
  Encryptor other = MakeEncryptor(kKid + 1);
  other = std::move(moved);
  EXPECT_EQ(other.key_id(), kKid);
  EXPECT_EQ(other.next_counter(), 2u);
  EXPECT_EQ(moved.Encrypt(kMetadata, pt, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ParseHeader(Seal(other, pt))->header.counter, 2u);
}

TEST_P(SframeContractTest, RejectsMetadataOverlappingTheOutput) {
  Encryptor enc = MakeEncryptor();
  Decryptor dec = MakeDecryptor();
  const std::vector<uint8_t> pt = RandomBytes(48, rng_);
  const size_t size = enc.CiphertextSize(pt.size());
  // The metadata inside `out`: before the frame would end, and after it.
  for (size_t at : {size_t{0}, size_t{2}, size - 4, size + 8}) {
    std::vector<uint8_t> buf(size + 16, 0xaa);
    memcpy(buf.data() + at, kMetadata.data(), kMetadata.size());
    const std::vector<uint8_t> before = buf;
    auto r = enc.Encrypt(absl::MakeConstSpan(buf).subspan(at, kMetadata.size()),
                         pt, absl::MakeSpan(buf));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << at;
    EXPECT_EQ(buf, before) << at;
    EXPECT_EQ(enc.next_counter(), 0u);
  }
  const std::vector<uint8_t> ct = Seal(enc, pt);
  for (bool in_place : {false, true}) {
    std::vector<uint8_t> buf(ct.size() + 16, 0xaa);
    if (in_place) memcpy(buf.data(), ct.data(), ct.size());
    memcpy(buf.data() + ct.size() + 4, kMetadata.data(), kMetadata.size());
    const std::vector<uint8_t> before = buf;
    auto r = dec.Decrypt(
        absl::MakeConstSpan(buf).subspan(ct.size() + 4, kMetadata.size()),
        in_place ? absl::MakeConstSpan(buf).first(ct.size())
                 : absl::MakeConstSpan(ct),
        absl::MakeSpan(buf));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(buf, before);  // nothing written
  }
  // No state changed: the frame still opens, once.
  std::vector<uint8_t> out(pt.size());
  ASSERT_TRUE(dec.Decrypt(kMetadata, ct, absl::MakeSpan(out)).ok());
  EXPECT_EQ(out, pt);
  EXPECT_EQ(dec.GetKeyStats(kKid)->decrypted, 1u);
  EXPECT_EQ(dec.GetKeyStats(kKid)->authentication_failures, 0u);
}

TEST_P(SframeContractTest, SizeHelpersSaturate) {
  Encryptor enc = MakeEncryptor();
  constexpr size_t kMaxSize = std::numeric_limits<size_t>::max();
  EXPECT_EQ(enc.CiphertextSize(kMaxSize), kMaxSize);
  EXPECT_EQ(enc.CiphertextSize(kMaxSize - 2), kMaxSize);
  EXPECT_EQ(MaxCiphertextSize(suite(), kMaxSize), kMaxSize);
  EXPECT_EQ(MaxCiphertextSize(suite(), kMaxSize - 20), kMaxSize);
  // KID 0x123 takes two bytes after the config byte.
  EXPECT_EQ(enc.CiphertextSize(100), 3 + 100 + TagSize(suite()));
  EXPECT_EQ(MaxCiphertextSize(suite(), 100),
            kMaxHeaderSize + 100 + TagSize(suite()));
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

// Address space for spans longer than kMaxPayloadSize: reserved, never
// backed (PROT_NONE), so any access to it would crash the test.
class Reservation {
 public:
  explicit Reservation(size_t size) : size_(size) {
    void* p = mmap(nullptr, size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
  }
  ~Reservation() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  uint8_t* data() const { return data_; }

 private:
  uint8_t* data_;
  size_t size_;
};

TEST(EncryptorTest, RefusesPayloadsBeyondTheSuiteLimit) {
  const size_t n = static_cast<size_t>(kMaxPayloadSize) + 1;
  const size_t room = n + kMaxHeaderSize + kMaxTagSize;
  Reservation plaintext(n), out(room);
  if (plaintext.data() == nullptr || out.data() == nullptr) {
    GTEST_SKIP() << "cannot reserve 2 x 64 GiB of address space";
  }
  for (CipherSuite suite : kAllCipherSuites) {
    auto enc = Encryptor::Create(suite, kKid, kBaseKey);
    ASSERT_TRUE(enc.ok());
    auto r = enc->Encrypt(kMetadata, {plaintext.data(), n}, {out.data(), room});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(enc->next_counter(), 0u);
  }
}

TEST(DecryptorTest, TreatsPayloadsBeyondTheSuiteLimitAsMalformed) {
  const size_t frame_size =
      static_cast<size_t>(kMaxPayloadSize) + 1 + 1 + kMaxTagSize;
  Reservation frame(frame_size);
  if (frame.data() == nullptr) {
    GTEST_SKIP() << "cannot reserve 64 GiB of address space";
  }
  // Only the first page is readable: the header (KID 1, CTR 0) is parsed,
  // and nothing after it may be read.
  ASSERT_EQ(mprotect(frame.data(), 4096, PROT_READ | PROT_WRITE), 0);
  frame.data()[0] = 0x10;
  for (CipherSuite suite : kAllCipherSuites) {
    auto dec = Decryptor::Create(suite);
    ASSERT_TRUE(dec.ok());
    ASSERT_TRUE(dec->AddKey(1, kBaseKey).ok());
    std::vector<uint8_t> out(64, 0xaa);
    const size_t size = frame_size - (kMaxTagSize - TagSize(suite));
    auto r = dec->Decrypt(kMetadata, {frame.data(), size}, absl::MakeSpan(out));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_TRUE(AllZero(out.data(), out.size()));
    EXPECT_EQ(dec->malformed_frames(), 1u);
    EXPECT_EQ(dec->GetKeyStats(1)->authentication_failures, 0u);
  }
}

TEST(EncryptorTest, RejectsUnknownSuite) {
  for (uint16_t id : {0, 9, 0xff, 0xffff}) {
    auto enc = Encryptor::Create(static_cast<CipherSuite>(id), kKid, kBaseKey);
    EXPECT_EQ(enc.status().code(), absl::StatusCode::kInvalidArgument) << id;
  }
}

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
