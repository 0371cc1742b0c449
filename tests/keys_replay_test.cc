// Copyright 2026 The sframecpp Authors.
//
// The per-KID anti-replay window (RFC 9605 §9.3, RFC 3711 §3.3.2 style):
// edges, out-of-order acceptance, and that only verified frames move it.

#include <cstdint>
#include <limits>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/sframe.h"
#include "tests/test_util.h"

namespace sframe {
namespace {

constexpr CipherSuite kSuite = CipherSuite::kAes128GcmSha256_128;
constexpr KeyId kKid = 42;
const std::vector<uint8_t> kKey(16, 3);
const std::vector<uint8_t> kMetadata = {'m', 'd'};

// The frame with counter `ctr` (a fresh Encryptor per frame: tests only).
std::vector<uint8_t> Frame(Counter ctr) {
  Encryptor::Options o;
  o.first_counter = ctr;
  auto enc = Encryptor::Create(kSuite, kKid, kKey, o);
  EXPECT_TRUE(enc.ok());
  const std::vector<uint8_t> pt = {1, 2, 3};
  std::vector<uint8_t> out(enc->CiphertextSize(pt.size()));
  EXPECT_TRUE(enc->Encrypt(kMetadata, pt, absl::MakeSpan(out)).ok());
  return out;
}

class ReplayWindowTest : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    Decryptor::Options o;
    o.replay_window = GetParam();
    auto dec = Decryptor::Create(kSuite, o);
    ASSERT_TRUE(dec.ok());
    dec_ = std::make_unique<Decryptor>(*std::move(dec));
    ASSERT_TRUE(dec_->AddKey(kKid, kKey).ok());
  }
  absl::StatusCode Open(Counter ctr) {
    std::vector<uint8_t> ct = Frame(ctr);
    std::vector<uint8_t> out(ct.size(), 0xcc);
    auto got = dec_->Decrypt(kMetadata, ct, absl::MakeSpan(out));
    if (!got.ok()) {
      EXPECT_TRUE(testing::AllZero(out.data(), out.size()));
    }
    return got.status().code();
  }
  size_t window() const { return GetParam(); }
  std::unique_ptr<Decryptor> dec_;
};

TEST_P(ReplayWindowTest, RejectsDuplicatesWithAlreadyExists) {
  EXPECT_EQ(Open(0), absl::StatusCode::kOk);
  EXPECT_EQ(Open(0), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Open(1000), absl::StatusCode::kOk);
  EXPECT_EQ(Open(1000), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(dec_->GetKeyStats(kKid)->replays, 2u);
  EXPECT_EQ(dec_->GetKeyStats(kKid)->decrypted, 2u);
}

TEST_P(ReplayWindowTest, AcceptsOutOfOrderInsideTheWindowOnce) {
  const Counter top = 10000;
  ASSERT_EQ(Open(top), absl::StatusCode::kOk);
  const std::set<Counter> backs = {1, 2, 63, 64, 65, window() - 1};
  for (Counter back : backs) {
    if (back >= window()) {
      continue;
    }
    EXPECT_EQ(Open(top - back), absl::StatusCode::kOk) << back;
    EXPECT_EQ(Open(top - back), absl::StatusCode::kAlreadyExists) << back;
  }
}

TEST_P(ReplayWindowTest, EdgeOfTheWindow) {
  const Counter top = 5000;
  ASSERT_EQ(Open(top), absl::StatusCode::kOk);
  // The oldest remembered counter is top - W + 1; top - W is too old.
  EXPECT_EQ(Open(top - window()), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Open(top - window() - 1), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Open(0), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Open(top - window() + 1), absl::StatusCode::kOk);
  // Moving by exactly W forgets everything but the new top.
  ASSERT_EQ(Open(top + window()), absl::StatusCode::kOk);
  EXPECT_EQ(Open(top), absl::StatusCode::kAlreadyExists);  // too old now
  EXPECT_EQ(Open(top + 1), absl::StatusCode::kOk);
  // A jump far ahead clears the ring; stale bits must not survive it.
  ASSERT_EQ(Open(top + 100 * window()), absl::StatusCode::kOk);
  EXPECT_EQ(Open(top + 100 * window() - window() + 1), absl::StatusCode::kOk);
}

TEST_P(ReplayWindowTest, SlidingOneByOneRemembersExactlyTheWindow) {
  // Accept most counters up to 3W (skipping some), then every counter of the
  // last W is accepted at most once.
  const Counter n = 3 * window();
  for (Counter c = 0; c <= n; c += 1 + (c % 3 == 0)) {
    ASSERT_EQ(Open(c), absl::StatusCode::kOk) << c;
  }
  // Counters skipped by the loop are still acceptable inside the window.
  size_t accepted_late = 0;
  for (Counter c = n - window() + 1; c < n; ++c) {
    if (Open(c) == absl::StatusCode::kOk) {
      ++accepted_late;
    }
    EXPECT_EQ(Open(c), absl::StatusCode::kAlreadyExists) << c;
  }
  if (window() >= 4) {
    EXPECT_GT(accepted_late, 0u);
  }
}

TEST_P(ReplayWindowTest, ForgedFramesDoNotMoveTheWindow) {
  ASSERT_EQ(Open(100), absl::StatusCode::kOk);
  // A forged frame far ahead: tag fails, the window must not move (else the
  // genuine counter 101 would later be refused as too old or replayed).
  std::vector<uint8_t> forged = Frame(100 + 10 * window());
  forged.back() ^= 1;
  std::vector<uint8_t> out(forged.size());
  EXPECT_EQ(
      dec_->Decrypt(kMetadata, forged, absl::MakeSpan(out)).status().code(),
      absl::StatusCode::kDataLoss);
  EXPECT_EQ(Open(101), absl::StatusCode::kOk);
  EXPECT_EQ(Open(100 + 10 * window()), absl::StatusCode::kOk);  // genuine
  EXPECT_EQ(dec_->GetKeyStats(kKid)->authentication_failures, 1u);
}

TEST_P(ReplayWindowTest, CounterSpaceEnds) {
  constexpr Counter kMax = std::numeric_limits<Counter>::max();
  ASSERT_EQ(Open(kMax), absl::StatusCode::kOk);
  EXPECT_EQ(Open(kMax), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Open(kMax - 1), absl::StatusCode::kOk);
  EXPECT_EQ(Open(kMax - window()), absl::StatusCode::kAlreadyExists);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ReplayWindowTest,
                         ::testing::Values(2, 64, 65, 128, 1000, 4096));

TEST(ReplayWindowConfigTest, ZeroDisablesAndTooLargeIsRejected) {
  Decryptor::Options o;
  o.replay_window = 0;
  auto dec = Decryptor::Create(kSuite, o);
  ASSERT_TRUE(dec.ok());
  ASSERT_TRUE(dec->AddKey(kKid, kKey).ok());
  const std::vector<uint8_t> ct = Frame(5);
  std::vector<uint8_t> out(ct.size());
  EXPECT_TRUE(dec->Decrypt(kMetadata, ct, absl::MakeSpan(out)).ok());
  EXPECT_TRUE(dec->Decrypt(kMetadata, ct, absl::MakeSpan(out)).ok());
  o.replay_window = Decryptor::kMaxReplayWindow + 1;
  EXPECT_EQ(Decryptor::Create(kSuite, o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CounterReservationTest, ReservesBlocksBeforeUse) {
  std::vector<std::pair<Counter, Counter>> blocks;
  Encryptor::Options o;
  o.first_counter = 10;
  o.reservation_block = 4;
  o.reserve_counters = [&](KeyId kid, Counter first, Counter last) {
    EXPECT_EQ(kid, kKid);
    blocks.emplace_back(first, last);
    return absl::OkStatus();
  };
  auto enc = Encryptor::Create(kSuite, kKid, kKey, o);
  ASSERT_TRUE(enc.ok());
  EXPECT_TRUE(blocks.empty());
  std::vector<uint8_t> out(64);
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(enc->Encrypt({}, {}, absl::MakeSpan(out)).ok());
    // The block holding every used counter was reserved first.
    ASSERT_FALSE(blocks.empty());
    EXPECT_LE(enc->next_counter() - 1, blocks.back().second);
  }
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0], std::make_pair(Counter{10}, Counter{13}));
  EXPECT_EQ(blocks[1], std::make_pair(Counter{14}, Counter{17}));
  EXPECT_EQ(blocks[2], std::make_pair(Counter{18}, Counter{21}));
}

TEST(CounterReservationTest, RefusedReservationEncryptsNothing) {
  bool allow = false;
  Encryptor::Options o;
  o.reservation_block = 100;
  o.reserve_counters = [&](KeyId, Counter, Counter) {
    return allow ? absl::OkStatus() : absl::UnavailableError("disk full");
  };
  auto enc = Encryptor::Create(kSuite, kKid, kKey, o);
  ASSERT_TRUE(enc.ok());
  std::vector<uint8_t> out(64, 0xcc);
  auto r = enc->Encrypt({}, {1, 2}, absl::MakeSpan(out));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(enc->next_counter(), 0u);
  EXPECT_EQ(out[0], 0xcc);
  allow = true;
  EXPECT_TRUE(enc->Encrypt({}, {1, 2}, absl::MakeSpan(out)).ok());
  o.reservation_block = 0;
  EXPECT_EQ(Encryptor::Create(kSuite, kKid, kKey, o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CounterReservationTest, LastBlockSaturatesAtTheEndOfTheCounterSpace) {
  constexpr Counter kMax = std::numeric_limits<Counter>::max();
  Counter last_reserved = 0;
  Encryptor::Options o;
  o.first_counter = kMax - 1;
  o.reservation_block = 1000;
  o.reserve_counters = [&](KeyId, Counter, Counter last) {
    last_reserved = last;
    return absl::OkStatus();
  };
  auto enc = Encryptor::Create(kSuite, kKid, kKey, o);
  std::vector<uint8_t> out(64);
  ASSERT_TRUE(enc->Encrypt({}, {}, absl::MakeSpan(out)).ok());
  EXPECT_EQ(last_reserved, kMax);
  ASSERT_TRUE(enc->Encrypt({}, {}, absl::MakeSpan(out)).ok());
  EXPECT_EQ(enc->Encrypt({}, {}, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace sframe
