// Copyright 2026 The sframecpp Authors.
//
// MLS (RFC 9605 §5.2): KID layout and the RFC's figure, per-context
// counters, lazy per-KID keys cached only after verification, and epoch
// removal (collision rule, PurgeBefore, timer).

#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/keys.h"
#include "tests/keys_test_util.h"
#include "tests/test_util.h"

namespace sframe {
namespace {

using ::sframe::testing::FakeClock;

constexpr CipherSuite kSuite = CipherSuite::kAes128CtrHmacSha256_80;
constexpr MlsKeyIdLayout kLayout{/*epoch_bits=*/4, /*sender_bits=*/6};
const std::vector<uint8_t> kPt = {'m', 'l', 's'};

std::vector<uint8_t> EpochKey(uint64_t epoch) {
  return std::vector<uint8_t>(KeySize(kSuite), static_cast<uint8_t>(epoch));
}

std::vector<uint8_t> Seal(MlsEncryptor& tx, uint64_t context) {
  std::vector<uint8_t> out(tx.CiphertextSize(context, kPt.size()));
  auto sealed = tx.Encrypt(context, {}, kPt, absl::MakeSpan(out));
  EXPECT_TRUE(sealed.ok()) << sealed.status();
  if (!sealed.ok()) return {};
  EXPECT_EQ(sealed->size(), out.size());
  return out;
}

absl::StatusCode Open(MlsDecryptor& rx, const std::vector<uint8_t>& ct) {
  std::vector<uint8_t> out(ct.size() + 1, 0xcc);
  auto got = rx.Decrypt({}, ct, absl::MakeSpan(out));
  if (got.ok()) {
    EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), kPt);
  } else {
    EXPECT_TRUE(testing::AllZero(out.data(), out.size()));
  }
  return got.status().code();
}

TEST(MlsKeyIdTest, MatchesTheRfcFigure) {
  struct Case {
    uint64_t epoch, index, context, kid;
  };
  for (const Case& c :
       {Case{14, 3, 0, 0x3e}, Case{14, 7, 0, 0x7e}, Case{14, 20, 0, 0x14e},
        Case{15, 3, 0, 0x3f}, Case{15, 5, 0, 0x5f}, Case{16, 2, 2, 0x820},
        Case{16, 2, 3, 0xc20}, Case{17, 33, 0, 0x211},
        Case{17, 51, 0, 0x331}}) {
    EXPECT_EQ(*MlsKeyId(kLayout, c.epoch, c.index, c.context), c.kid);
    const MlsKeyIdParts p = *ParseMlsKeyId(kLayout, c.kid);
    EXPECT_EQ(p.epoch_low_bits, c.epoch % 16);
    EXPECT_EQ(p.sender_index, c.index);
    EXPECT_EQ(p.context, c.context);
  }
}

TEST(MlsKeyIdTest, EdgesAndInvalidLayouts) {
  EXPECT_EQ(*MlsKeyId({0, 0}, 99, 0, 12345), 12345u);
  EXPECT_EQ(*MlsKeyId({64, 0}, ~uint64_t{0}, 0, 0), ~uint64_t{0});
  EXPECT_EQ(*MlsKeyId({0, 64}, 5, ~uint64_t{0}, 0), ~uint64_t{0});
  EXPECT_EQ(MlsKeyId({64, 0}, 1, 0, 1).status().code(),
            absl::StatusCode::kInvalidArgument);  // no room for a context
  EXPECT_EQ(MlsKeyId(kLayout, 1, 64, 0).status().code(),
            absl::StatusCode::kInvalidArgument);  // index needs 7 bits
  EXPECT_EQ(MlsKeyId(kLayout, 1, 0, uint64_t{1} << 54).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(MlsKeyId(kLayout, 1, 0, (uint64_t{1} << 54) - 1).ok());
  EXPECT_EQ(MlsKeyId({40, 25}, 0, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MlsKeyId({-1, 4}, 0, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  // E + S would overflow an int: still invalid, everywhere.
  constexpr int kHuge = std::numeric_limits<int>::max();
  for (MlsKeyIdLayout bad :
       {MlsKeyIdLayout{kHuge, kHuge}, MlsKeyIdLayout{4, kHuge},
        MlsKeyIdLayout{kHuge, 1}, MlsKeyIdLayout{65, 0}, MlsKeyIdLayout{0, 65},
        MlsKeyIdLayout{1, 64}}) {
    EXPECT_EQ(MlsKeyId(bad, 0, 0, 0).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ParseMlsKeyId(bad, 1).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(MlsEncryptor::Create(kSuite, bad, 0).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(MlsDecryptor::Create(kSuite, bad).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

class MlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MlsDecryptor::Options o;
    o.clock = clock_.AsClock();
    o.epoch_grace = absl::Seconds(5);
    o.on_event = [this](const KeyEvent& e) { events_.push_back(e); };
    rx_ = std::make_unique<MlsDecryptor>(
        *MlsDecryptor::Create(kSuite, kLayout, o));
    for (uint64_t index : {3, 20, 33}) {
      tx_.push_back(*MlsEncryptor::Create(kSuite, kLayout, index));
    }
  }
  void SetEpoch(uint64_t epoch) {
    for (auto& tx : tx_) {
      ASSERT_TRUE(tx.SetEpoch(epoch, EpochKey(epoch)).ok());
    }
    ASSERT_TRUE(rx_->AddEpoch(epoch, EpochKey(epoch)).ok());
  }
  FakeClock clock_;
  std::vector<KeyEvent> events_;
  std::vector<MlsEncryptor> tx_;
  std::unique_ptr<MlsDecryptor> rx_;
};

TEST_F(MlsTest, MembersAndContextsDecryptWithTheirOwnCounters) {
  SetEpoch(14);
  for (int i = 0; i < 3; ++i) {
    for (auto& tx : tx_) {
      for (uint64_t context : {0, 1, 7}) {
        const std::vector<uint8_t> ct = Seal(tx, context);
        auto header = ParseHeader(ct);
        EXPECT_EQ(header->header.counter, static_cast<Counter>(i));
        EXPECT_EQ(Open(*rx_, ct), absl::StatusCode::kOk);
      }
    }
  }
  EXPECT_EQ(rx_->key_count(), 9u);  // 3 members x 3 contexts
  EXPECT_EQ(rx_->GetStats().decrypted, 27u);
  EXPECT_EQ(ParseHeader(Seal(tx_[1], 0))->header.key_id, 0x14eu);
}

TEST_F(MlsTest, CachesPerKidKeysOnlyAfterTheTagVerifies) {
  SetEpoch(14);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 500; ++i) {
    // Valid epoch bits, random sender and context: each costs one
    // derivation and leaves nothing behind.
    const KeyId kid = *MlsKeyId(kLayout, 14, rng() % 64, rng() % 1000);
    uint8_t header[kMaxHeaderSize];
    auto h = EncodeHeader({kid, rng() % 100}, header);
    std::vector<uint8_t> forged(h->begin(), h->end());
    for (int j = 0; j < 30; ++j) forged.push_back(static_cast<uint8_t>(rng()));
    EXPECT_EQ(Open(*rx_, forged), absl::StatusCode::kDataLoss);
  }
  EXPECT_EQ(rx_->key_count(), 0u);
  EXPECT_EQ(rx_->GetStats().authentication_failures, 500u);
  EXPECT_EQ(Open(*rx_, Seal(tx_[0], 0)), absl::StatusCode::kOk);
  EXPECT_EQ(rx_->key_count(), 1u);
}

// One member can mint valid frames for any sender index and context of the
// epoch: the per-epoch cache is bounded, and KIDs beyond it are refused
// before any derivation, as unknown.
TEST(MlsBoundTest, KeysPerEpochAreBounded) {
  MlsDecryptor::Options o;
  o.max_keys_per_epoch = 5;
  std::vector<KeyEvent> events;
  o.on_event = [&events](const KeyEvent& e) { events.push_back(e); };
  auto rx = MlsDecryptor::Create(kSuite, kLayout, o);
  ASSERT_TRUE(rx.ok());
  ASSERT_TRUE(rx->AddEpoch(3, EpochKey(3)).ok());
  MlsEncryptor tx = *MlsEncryptor::Create(kSuite, kLayout, 9);
  ASSERT_TRUE(tx.SetEpoch(3, EpochKey(3)).ok());
  std::vector<std::vector<uint8_t>> first;
  for (uint64_t context = 0; context < 5; ++context) {
    first.push_back(Seal(tx, context));
    EXPECT_EQ(Open(*rx, first.back()), absl::StatusCode::kOk);
  }
  EXPECT_EQ(rx->key_count(), 5u);
  for (uint64_t context = 5; context < 50; ++context) {
    EXPECT_EQ(Open(*rx, Seal(tx, context)), absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(rx->key_count(), 5u);
  EXPECT_EQ(rx->GetStats().unknown_key_ids, 45u);
  EXPECT_EQ(events.size(), 45u);
  for (const KeyEvent& e : events) {
    EXPECT_EQ(e.type, KeyEventType::kUnknownKeyId);
  }
  // The cached KIDs keep working, and their replay windows are intact.
  for (uint64_t context = 0; context < 5; ++context) {
    EXPECT_EQ(Open(*rx, first[context]), absl::StatusCode::kAlreadyExists);
    EXPECT_EQ(Open(*rx, Seal(tx, context)), absl::StatusCode::kOk);
  }
  // A new epoch has its own bound.
  ASSERT_TRUE(rx->AddEpoch(4, EpochKey(4)).ok());
  ASSERT_TRUE(tx.SetEpoch(4, EpochKey(4)).ok());
  EXPECT_EQ(Open(*rx, Seal(tx, 42)), absl::StatusCode::kOk);
  EXPECT_EQ(rx->key_count(), 6u);

  o.max_keys_per_epoch = 0;
  EXPECT_EQ(MlsDecryptor::Create(kSuite, kLayout, o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(MlsTest, NewEpochWithTheSameLowBitsRemovesTheOldOne) {
  SetEpoch(14);
  const std::vector<uint8_t> old_frame = Seal(tx_[0], 0);
  ASSERT_EQ(Open(*rx_, Seal(tx_[0], 0)), absl::StatusCode::kOk);
  ASSERT_EQ(rx_->key_count(), 1u);
  // Epoch 30 has the same low 4 bits as 14: RFC 9605 §5.2 MUST remove 14.
  SetEpoch(30);
  EXPECT_FALSE(rx_->HasEpoch(14));
  EXPECT_TRUE(rx_->HasEpoch(30));
  EXPECT_EQ(rx_->epoch_count(), 1u);
  EXPECT_EQ(rx_->key_count(), 0u);  // epoch 14's cached key is wiped
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.back().type, KeyEventType::kEpochRemoved);
  EXPECT_EQ(events_.back().counter, 14u);
  // The old frame's KID now names epoch 30: wrong key, nothing cached.
  EXPECT_EQ(Open(*rx_, old_frame), absl::StatusCode::kDataLoss);
  EXPECT_EQ(rx_->key_count(), 0u);
  EXPECT_EQ(Open(*rx_, Seal(tx_[0], 0)), absl::StatusCode::kOk);
  // An older epoch cannot evict a newer one; the same epoch is refused.
  EXPECT_EQ(rx_->AddEpoch(14, EpochKey(14)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(rx_->AddEpoch(30, EpochKey(30)).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(rx_->HasEpoch(30));
}

TEST_F(MlsTest, OldEpochsRetireAfterTheGracePeriod) {
  SetEpoch(15);
  const std::vector<uint8_t> e15 = Seal(tx_[1], 0);
  const std::vector<uint8_t> e15b = Seal(tx_[1], 0);
  SetEpoch(16);
  EXPECT_EQ(rx_->epoch_count(), 2u);
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(Open(*rx_, e15), absl::StatusCode::kOk);  // overlap
  EXPECT_EQ(Open(*rx_, Seal(tx_[1], 0)), absl::StatusCode::kOk);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Open(*rx_, e15b), absl::StatusCode::kNotFound);
  EXPECT_EQ(rx_->epoch_count(), 1u);
  EXPECT_EQ(rx_->key_count(), 1u);
  EXPECT_FALSE(rx_->HasEpoch(15));
}

TEST_F(MlsTest, PurgeBeforeRemovesOlderEpochs) {
  MlsDecryptor::Options o;
  o.epoch_grace = absl::InfiniteDuration();
  rx_ =
      std::make_unique<MlsDecryptor>(*MlsDecryptor::Create(kSuite, kLayout, o));
  for (uint64_t e = 1; e <= 5; ++e) {
    ASSERT_TRUE(rx_->AddEpoch(e, EpochKey(e)).ok());
  }
  EXPECT_EQ(rx_->PurgeBefore(4), 3u);
  EXPECT_EQ(rx_->epoch_count(), 2u);
  EXPECT_TRUE(rx_->HasEpoch(4));
  EXPECT_EQ(rx_->AddEpoch(2, EpochKey(2)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(rx_->PurgeBefore(4), 0u);
}

TEST_F(MlsTest, EncryptorLifecycle) {
  MlsEncryptor tx = *MlsEncryptor::Create(kSuite, kLayout, 5);
  std::vector<uint8_t> out(100);
  EXPECT_EQ(tx.Encrypt(0, {}, kPt, absl::MakeSpan(out)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(tx.SetEpoch(3, EpochKey(3)).ok());
  EXPECT_EQ(tx.SetEpoch(3, EpochKey(3)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(tx.SetEpoch(4, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tx.epoch(), 3u);
  EXPECT_EQ(tx.Encrypt(uint64_t{1} << 54, {}, kPt, absl::MakeSpan(out))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MlsEncryptor::Create(kSuite, kLayout, 64).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MlsDecryptor::Create(kSuite, {60, 6}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sframe
