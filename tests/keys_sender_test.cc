// Copyright 2026 The sframecpp Authors.
//
// Sender keys (RFC 9605 §5.1): KID layout, the ratchet, the sending stream,
// and the receiver's bounded, tentative catch-up, grace periods, rotation
// overlap, several senders, statistics and events.

#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/keys.h"
#include "src/crypto/secret.h"
#include "src/keys/ratchet.h"
#include "tests/keys_test_util.h"
#include "tests/test_util.h"

namespace sframe {
namespace {

using ::sframe::testing::FakeClock;
using ::sframe::testing::Seal;

const std::vector<uint8_t> kKey0(16, 0x10);
const std::vector<uint8_t> kKey1(16, 0x11);
const std::vector<uint8_t> kPt = {'f', 'r', 'a', 'm', 'e'};

absl::StatusCode Open(SenderKeyDecryptor& rx, SenderId sender,
                      const std::vector<uint8_t>& ct) {
  std::vector<uint8_t> out(ct.size() + 1, 0xcc);
  auto got = rx.Decrypt(sender, {}, ct, absl::MakeSpan(out));
  if (got.ok()) {
    EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), kPt);
  } else {
    EXPECT_TRUE(testing::AllZero(out.data(), out.size()));
  }
  return got.status().code();
}

TEST(SenderKeyIdTest, Layout) {
  EXPECT_EQ(*SenderKeyId(4, 3, 17), (3u << 4) + 1);
  EXPECT_EQ(*SenderKeyId(0, 12345, 99), 12345u);
  EXPECT_EQ(*SenderKeyId(63, 1, 5), (uint64_t{1} << 63) + 5);
  EXPECT_EQ(SenderKeyId(64, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SenderKeyId(-1, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SenderKeyId(8, uint64_t{1} << 56, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(SenderKeyId(8, (uint64_t{1} << 56) - 1, 0).ok());
}

class RatchetTest : public ::testing::TestWithParam<CipherSuite> {};

TEST_P(RatchetTest, OutputIsNhBytesAndInPlaceMatches) {
  const CipherSuite suite = GetParam();
  const size_t nh = HashSize(suite);
  std::vector<uint8_t> out(nh), again(nh);
  ASSERT_TRUE(RatchetBaseKey(suite, kKey0, absl::MakeSpan(out)).ok());
  ASSERT_TRUE(RatchetBaseKey(suite, out, absl::MakeSpan(again)).ok());
  std::vector<uint8_t> in_place = out;
  ASSERT_TRUE(RatchetBaseKey(suite, in_place, absl::MakeSpan(in_place)).ok());
  EXPECT_EQ(in_place, again);
  EXPECT_NE(out, again);
  std::vector<uint8_t> wrong(nh + 1, 0xcc);
  EXPECT_EQ(RatchetBaseKey(suite, kKey0, absl::MakeSpan(wrong)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong[0], 0xcc);
  EXPECT_EQ(RatchetBaseKey(suite, {}, absl::MakeSpan(out)).code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<uint8_t> buf(2 * nh, 1);
  EXPECT_EQ(RatchetBaseKey(suite, absl::MakeSpan(buf).first(nh),
                           absl::MakeSpan(buf).subspan(1, nh))
                .code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(AllSuites, RatchetTest,
                         ::testing::ValuesIn(kAllCipherSuites));

// A sender and a receiver with one remote sender (id 7, R = 4).
class SenderKeyTest : public ::testing::Test {
 protected:
  static constexpr SenderId kAlice = 7;
  static constexpr CipherSuite kSuite = CipherSuite::kAes128GcmSha256_128;

  void SetUp() override { Reset(SenderKeyDecryptor::Options()); }

  void Reset(SenderKeyDecryptor::Options options, int bits = 4) {
    options.clock = clock_.AsClock();
    options.on_event = [this](const KeyEvent& e) { events_.push_back(e); };
    auto tx = SenderKeyEncryptor::Create(kSuite, bits, 0, kKey0);
    auto rx = SenderKeyDecryptor::Create(kSuite, options);
    ASSERT_TRUE(tx.ok() && rx.ok());
    tx_ = std::make_unique<SenderKeyEncryptor>(*std::move(tx));
    rx_ = std::make_unique<SenderKeyDecryptor>(*std::move(rx));
    ASSERT_TRUE(rx_->AddSender(kAlice, bits).ok());
    ASSERT_TRUE(rx_->InstallKey(kAlice, 0, 0, kKey0).ok());
    events_.clear();
  }

  std::vector<uint8_t> Frame() { return Seal(*tx_, kPt); }
  absl::StatusCode Open(const std::vector<uint8_t>& ct) {
    return sframe::Open(*rx_, kAlice, ct);
  }
  size_t CountEvents(KeyEventType type) const {
    size_t n = 0;
    for (const KeyEvent& e : events_) n += e.type == type;
    return n;
  }

  FakeClock clock_;
  std::vector<KeyEvent> events_;
  std::unique_ptr<SenderKeyEncryptor> tx_;
  std::unique_ptr<SenderKeyDecryptor> rx_;
};

TEST_F(SenderKeyTest, FollowsRatchetsAndRekeys) {
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
    }
    ASSERT_TRUE(tx_->Ratchet().ok());
    EXPECT_EQ(tx_->next_counter(), 0u);  // fresh counter space
  }
  EXPECT_EQ(tx_->step(), 40u);
  EXPECT_EQ(tx_->key_id(), 40u % 16);  // the step wraps modulo 2^R
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
  EXPECT_EQ(rx_->current_step(kAlice), 40u);
  EXPECT_EQ(rx_->GetSenderStats(kAlice)->ratchet_steps, 40u);
  EXPECT_EQ(rx_->GetSenderStats(kAlice)->decrypted, 121u);
  // Retained steps are bounded however long the stream runs.
  EXPECT_LE(rx_->key_count(kAlice), 1u + 2u);

  ASSERT_TRUE(tx_->Rekey(kKey1).ok());
  EXPECT_EQ(tx_->generation(), 1u);
  EXPECT_EQ(tx_->step(), 0u);
  EXPECT_EQ(tx_->key_id(), 16u);
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kNotFound);  // not installed
  ASSERT_TRUE(rx_->InstallKey(kAlice, 1, 0, kKey1).ok());
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kOk);
}

TEST_F(SenderKeyTest, CatchUpIsBoundedByMaxStepsAhead) {
  SenderKeyDecryptor::Options o;
  o.max_steps_ahead = 3;
  Reset(o);
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(tx_->Ratchet().ok());
  }
  const std::vector<uint8_t> step4 = Frame();
  const uint64_t before = internal::RatchetDerivationsForTesting();
  EXPECT_EQ(Open(step4), absl::StatusCode::kNotFound);          // 4 > 3 ahead
  EXPECT_EQ(internal::RatchetDerivationsForTesting(), before);  // no work
  EXPECT_EQ(rx_->current_step(kAlice), 0u);
  EXPECT_EQ(rx_->key_count(kAlice), 1u);
  EXPECT_EQ(CountEvents(KeyEventType::kUnknownKeyId), 1u);

  // Three steps ahead is within bounds: exactly three derivations.
  Reset(o);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(tx_->Ratchet().ok());
  }
  const uint64_t before3 = internal::RatchetDerivationsForTesting();
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kOk);
  EXPECT_EQ(rx_->current_step(kAlice), 3u);
  // 3 for the candidate, then the retained skipped steps on success.
  EXPECT_LE(internal::RatchetDerivationsForTesting() - before3, 3u + 3u);
  EXPECT_EQ(CountEvents(KeyEventType::kRatchetStep), 1u);
  EXPECT_EQ(events_.back().counter, 3u);
}

TEST_F(SenderKeyTest, ForgedStepsAheadCostBoundedWorkAndChangeNothing) {
  SenderKeyDecryptor::Options o;
  o.max_steps_ahead = 5;
  Reset(o);
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
  std::mt19937_64 rng(1);
  const size_t keys = rx_->key_count(kAlice);
  for (uint64_t step = 1; step < 16; ++step) {
    // A header for KID (generation 0, step) with random payload.
    std::vector<uint8_t> forged = {static_cast<uint8_t>(0x80),
                                   static_cast<uint8_t>(step)};
    if (step < 8) forged = {static_cast<uint8_t>(step << 4)};
    for (int i = 0; i < 40; ++i) forged.push_back(static_cast<uint8_t>(rng()));
    const uint64_t before = internal::RatchetDerivationsForTesting();
    const absl::StatusCode code = Open(forged);
    const uint64_t work = internal::RatchetDerivationsForTesting() - before;
    EXPECT_LE(work, 5u) << step;
    if (step <= 5) {
      EXPECT_EQ(code, absl::StatusCode::kDataLoss) << step;
      EXPECT_EQ(work, step);
    } else {
      EXPECT_EQ(code, absl::StatusCode::kNotFound) << step;
      EXPECT_EQ(work, 0u);
    }
    EXPECT_EQ(rx_->current_step(kAlice), 0u);
    EXPECT_EQ(rx_->key_count(kAlice), keys);
  }
  EXPECT_EQ(rx_->GetSenderStats(kAlice)->ratchet_steps, 0u);
  EXPECT_EQ(rx_->GetSenderStats(kAlice)->authentication_failures, 5u);
  // The genuine next step still works.
  ASSERT_TRUE(tx_->Ratchet().ok());
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kOk);
  EXPECT_EQ(rx_->current_step(kAlice), 1u);
}

TEST_F(SenderKeyTest, PreviousStepLivesForTheGracePeriod) {
  SenderKeyDecryptor::Options o;
  o.grace_period = absl::Seconds(2);
  Reset(o);
  const std::vector<uint8_t> late0 = Frame();
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
  ASSERT_TRUE(tx_->Ratchet().ok());
  const std::vector<uint8_t> late1 = Frame();
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);  // step 1 now
  EXPECT_EQ(rx_->key_count(kAlice), 2u);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(Open(late0), absl::StatusCode::kOk);  // reordered, in grace
  ASSERT_TRUE(tx_->Ratchet().ok());
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);  // step 2
  EXPECT_EQ(Open(late1), absl::StatusCode::kOk);
  clock_.Advance(absl::Milliseconds(1001));  // step 0 superseded 2.001 s ago
  ASSERT_TRUE(tx_->Ratchet().ok());
  std::vector<uint8_t> step3 = Frame();
  std::vector<uint8_t> late0b = late0;
  EXPECT_EQ(Open(late0b), absl::StatusCode::kNotFound);  // wiped
  EXPECT_GE(CountEvents(KeyEventType::kKeyRetired), 1u);
  clock_.Advance(absl::Seconds(5));
  rx_->ExpireKeys();
  EXPECT_EQ(rx_->key_count(kAlice), 1u);  // only step 2
  EXPECT_EQ(Open(step3), absl::StatusCode::kOk);
}

TEST_F(SenderKeyTest, PreviousStepRetiresAfterGraceFrames) {
  SenderKeyDecryptor::Options o;
  o.grace_period = absl::InfiniteDuration();
  o.grace_frames = 3;
  Reset(o);
  const std::vector<uint8_t> late0 = Frame();
  ASSERT_TRUE(tx_->Ratchet().ok());
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);  // supersedes step 0
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
  EXPECT_EQ(rx_->key_count(kAlice), 2u);
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);  // third newer frame
  EXPECT_EQ(rx_->key_count(kAlice), 1u);
  EXPECT_EQ(Open(late0), absl::StatusCode::kNotFound);
}

TEST_F(SenderKeyTest, SkippedStepsStayDecryptable) {
  SenderKeyDecryptor::Options o;
  o.max_retained_steps = 2;
  Reset(o);
  ASSERT_TRUE(tx_->Ratchet().ok());
  const std::vector<uint8_t> step1 = Frame();
  ASSERT_TRUE(tx_->Ratchet().ok());
  const std::vector<uint8_t> step2 = Frame();
  ASSERT_TRUE(tx_->Ratchet().ok());
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);  // jumps 0 -> 3
  EXPECT_EQ(rx_->current_step(kAlice), 3u);
  EXPECT_EQ(Open(step2), absl::StatusCode::kOk);
  EXPECT_EQ(Open(step1), absl::StatusCode::kOk);
  EXPECT_EQ(rx_->key_count(kAlice), 3u);  // 3 and retained 2, 1
}

TEST_F(SenderKeyTest, WindowIsClampedToTheKidSpace) {
  // R = 2: four step values on the wire. newest + ahead + retained <= 4.
  SenderKeyDecryptor::Options o;
  o.max_steps_ahead = 8;
  o.max_retained_steps = 8;
  Reset(o, /*bits=*/2);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(tx_->Ratchet().ok());
  }
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kOk);  // 3 ahead: allowed
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(tx_->Ratchet().ok());
  }
  // Step 7 has the same low bits as step 3: its KID names step 3's key.
  // Counter 0 of that KID was seen (a replay); counter 1 fails
  // authentication. Neither changes anything.
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kDataLoss);
  EXPECT_EQ(rx_->current_step(kAlice), 3u);
}

TEST_F(SenderKeyTest, RotationOverlapThenTheOldGenerationIsGone) {
  SenderKeyDecryptor::Options o;
  o.grace_period = absl::Seconds(3);
  Reset(o);
  ASSERT_EQ(Open(Frame()), absl::StatusCode::kOk);
  const std::vector<uint8_t> old_late = Frame();
  const std::vector<uint8_t> old_later = Frame();
  ASSERT_TRUE(tx_->Rekey(kKey1).ok());
  ASSERT_TRUE(rx_->InstallKey(kAlice, 1, 0, kKey1).ok());
  EXPECT_EQ(rx_->current_generation(kAlice), 1u);
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kOk);   // new key works
  EXPECT_EQ(Open(old_late), absl::StatusCode::kOk);  // old one too
  // The old generation may still ratchet during the overlap.
  EXPECT_EQ(rx_->key_count(kAlice), 2u);
  clock_.Advance(absl::Seconds(3));
  EXPECT_EQ(Open(old_later), absl::StatusCode::kNotFound);
  EXPECT_EQ(rx_->key_count(kAlice), 1u);
  EXPECT_EQ(Open(Frame()), absl::StatusCode::kOk);
  // Installing an older or the same generation is refused, changing nothing.
  EXPECT_EQ(rx_->InstallKey(kAlice, 0, 0, kKey0).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(rx_->InstallKey(kAlice, 1, 0, kKey0).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(rx_->key_count(kAlice), 1u);
}

TEST_F(SenderKeyTest, AtMostMaxPreviousGenerations) {
  SenderKeyDecryptor::Options o;
  o.max_previous_generations = 1;
  o.grace_period = absl::InfiniteDuration();
  Reset(o);
  const std::vector<uint8_t> gen0 = Frame();
  ASSERT_TRUE(tx_->Rekey(kKey1).ok());
  const std::vector<uint8_t> gen1 = Frame();
  ASSERT_TRUE(rx_->InstallKey(kAlice, 1, 0, kKey1).ok());
  ASSERT_TRUE(rx_->InstallKey(kAlice, 5, 0, kKey0).ok());
  EXPECT_EQ(Open(gen0), absl::StatusCode::kNotFound);  // dropped at once
  EXPECT_EQ(Open(gen1), absl::StatusCode::kOk);
}

TEST_F(SenderKeyTest, JoinerInstallsTheCurrentStep) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(tx_->Ratchet().ok());
  }
  std::vector<uint8_t> key = kKey0;
  for (int i = 0; i < 5; ++i) {
    std::vector<uint8_t> next(HashSize(kSuite));
    ASSERT_TRUE(RatchetBaseKey(kSuite, key, absl::MakeSpan(next)).ok());
    key = next;
  }
  auto rx = SenderKeyDecryptor::Create(kSuite);
  ASSERT_TRUE(rx->AddSender(kAlice, 4).ok());
  ASSERT_TRUE(rx->InstallKey(kAlice, 0, 5, key).ok());
  EXPECT_EQ(sframe::Open(*rx, kAlice, Frame()), absl::StatusCode::kOk);
}

TEST(SenderKeyReceiverTest, SeveralSendersWithTheSameKidsStayApart) {
  constexpr CipherSuite kSuite = CipherSuite::kAes256GcmSha512_128;
  std::vector<KeyEvent> events;
  SenderKeyDecryptor::Options o;
  o.on_event = [&](const KeyEvent& e) { events.push_back(e); };
  auto rx = SenderKeyDecryptor::Create(kSuite, o);
  ASSERT_TRUE(rx.ok());
  std::vector<SenderKeyEncryptor> senders;
  for (SenderId id = 0; id < 4; ++id) {
    const std::vector<uint8_t> key(32, static_cast<uint8_t>(0x40 + id));
    senders.push_back(*SenderKeyEncryptor::Create(kSuite, 8, 0, key));
    ASSERT_TRUE(rx->AddSender(100 + id, 8).ok());
    ASSERT_TRUE(rx->InstallKey(100 + id, 0, 0, key).ok());
  }
  EXPECT_EQ(rx->AddSender(100, 8).code(), absl::StatusCode::kAlreadyExists);
  for (int round = 0; round < 5; ++round) {
    for (SenderId id = 0; id < 4; ++id) {
      if ((round + id) % 2 == 0) {
        ASSERT_TRUE(senders[id].Ratchet().ok());
      }
      const std::vector<uint8_t> ct = Seal(senders[id], kPt);
      EXPECT_EQ(Open(*rx, 100 + id, ct), absl::StatusCode::kOk);
    }
  }
  const std::vector<uint8_t> bob = Seal(senders[1], kPt);
  events.clear();
  EXPECT_EQ(Open(*rx, 102, bob), absl::StatusCode::kDataLoss);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, KeyEventType::kAuthenticationFailed);
  EXPECT_EQ(events[0].sender, 102u);
  EXPECT_EQ(events[0].key_id, senders[1].key_id());
  EXPECT_EQ(Open(*rx, 101, bob), absl::StatusCode::kOk);
  for (SenderId id = 0; id < 4; ++id) {
    EXPECT_EQ(rx->GetSenderStats(100 + id)->decrypted, 5u + (id == 1));
  }
  // A participant leaves: its keys are gone, the others are untouched.
  ASSERT_TRUE(rx->RemoveSender(101).ok());
  EXPECT_EQ(Open(*rx, 101, Seal(senders[1], kPt)), absl::StatusCode::kNotFound);
  EXPECT_EQ(rx->unknown_sender_frames(), 1u);
  EXPECT_EQ(Open(*rx, 100, Seal(senders[0], kPt)), absl::StatusCode::kOk);
}

// A bad overlap is refused before anything else, with nothing written,
// whether the sender is known or not (an unknown sender used to zero `out`,
// which here is the caller's ciphertext).
TEST_F(SenderKeyTest, BadOverlapWritesNothingEvenForAnUnknownSender) {
  const std::vector<uint8_t> ct = Frame();
  for (SenderId sender : {kAlice, SenderId{99}}) {
    std::vector<uint8_t> buf = ct;
    buf.resize(ct.size() + 8, 0xee);
    const std::vector<uint8_t> before = buf;
    auto r = rx_->Decrypt(sender, {}, absl::MakeConstSpan(buf).first(ct.size()),
                          absl::MakeSpan(buf).subspan(3));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << sender;
    EXPECT_EQ(buf, before) << sender;
    // Metadata inside the output.
    std::vector<uint8_t> out(ct.size(), 0xee);
    const std::vector<uint8_t> out_before = out;
    r = rx_->Decrypt(sender, absl::MakeConstSpan(out).first(4), ct,
                     absl::MakeSpan(out));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << sender;
    EXPECT_EQ(out, out_before) << sender;
  }
  EXPECT_EQ(rx_->unknown_sender_frames(), 0u);
  EXPECT_TRUE(events_.empty());
  EXPECT_EQ(Open(ct), absl::StatusCode::kOk);
}

TEST_F(SenderKeyTest, EventsAndStatsNameTheKidAndSender) {
  const std::vector<uint8_t> ct = Frame();
  ASSERT_EQ(Open(ct), absl::StatusCode::kOk);
  EXPECT_EQ(Open(ct), absl::StatusCode::kAlreadyExists);
  std::vector<uint8_t> forged = Frame();
  forged.back() ^= 1;
  EXPECT_EQ(Open(forged), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Open({0x00}), absl::StatusCode::kDataLoss);  // too short
  const std::vector<uint8_t> unknown = {0x80, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
                                        0,    0,    0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(Open(unknown), absl::StatusCode::kNotFound);
  ASSERT_EQ(events_.size(), 4u);
  EXPECT_EQ(events_[0].type, KeyEventType::kReplay);
  EXPECT_EQ(events_[0].sender, kAlice);
  EXPECT_EQ(events_[0].key_id, 0u);
  EXPECT_EQ(events_[0].counter, 0u);
  EXPECT_EQ(events_[1].type, KeyEventType::kAuthenticationFailed);
  EXPECT_EQ(events_[1].counter, 1u);
  EXPECT_EQ(events_[2].type, KeyEventType::kMalformed);
  EXPECT_EQ(events_[3].type, KeyEventType::kUnknownKeyId);
  EXPECT_EQ(events_[3].key_id, 0xffu);
  const SenderStats s = *rx_->GetSenderStats(kAlice);
  EXPECT_EQ(s.decrypted, 1u);
  EXPECT_EQ(s.replays, 1u);
  EXPECT_EQ(s.authentication_failures, 1u);
  EXPECT_EQ(s.malformed, 1u);
  EXPECT_EQ(s.unknown_key_ids, 1u);
  const KeyStats k = *rx_->GetKeyStats(kAlice, 0);
  EXPECT_EQ(k.decrypted, 1u);
  EXPECT_EQ(k.replays, 1u);
  EXPECT_EQ(k.authentication_failures, 1u);
  EXPECT_FALSE(rx_->GetKeyStats(kAlice, 99).has_value());
}

TEST(SenderKeyEncryptorTest, ReservesCountersForEveryNewKey) {
  std::vector<std::pair<KeyId, Counter>> reserved;
  SenderKeyEncryptor::Options o;
  o.reservation_block = 2;
  o.reserve_counters = [&](KeyId kid, Counter first, Counter) {
    reserved.emplace_back(kid, first);
    return absl::OkStatus();
  };
  auto tx = SenderKeyEncryptor::Create(CipherSuite::kAes128CtrHmacSha256_80, 4,
                                       2, kKey0, o);
  ASSERT_TRUE(tx.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(Seal(*tx, kPt).empty());
  }
  ASSERT_TRUE(tx->Ratchet().ok());
  ASSERT_FALSE(Seal(*tx, kPt).empty());
  const std::vector<std::pair<KeyId, Counter>> want = {
      {32, 0}, {32, 2}, {33, 0}};
  EXPECT_EQ(reserved, want);
}

TEST(SenderKeyEncryptorTest, RejectsBadConfigurationAndExhaustion) {
  constexpr CipherSuite kSuite = CipherSuite::kAes128GcmSha256_128;
  EXPECT_EQ(SenderKeyEncryptor::Create(kSuite, 64, 0, kKey0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SenderKeyEncryptor::Create(kSuite, 4, 0, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // The last generation that fits 60 bits cannot be rekeyed.
  auto tx =
      SenderKeyEncryptor::Create(kSuite, 4, (uint64_t{1} << 60) - 1, kKey0);
  ASSERT_TRUE(tx.ok());
  const KeyId kid = tx->key_id();
  EXPECT_EQ(tx->Rekey(kKey1).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(tx->key_id(), kid);
  EXPECT_EQ(tx->Rekey({}).code(), absl::StatusCode::kInvalidArgument);
}

// The old base key and derived key are wiped when the sender ratchets.
std::vector<std::pair<size_t, bool>>* g_wipes = nullptr;
void Observe(const void* p, size_t size) {
  if (g_wipes != nullptr) {
    g_wipes->emplace_back(
        size, testing::AllZero(static_cast<const uint8_t*>(p), size));
  }
}

TEST(SenderKeyEncryptorTest, RatchetWipesTheOldKey) {
  std::vector<std::pair<size_t, bool>> wipes;
  auto tx = SenderKeyEncryptor::Create(CipherSuite::kAes128GcmSha256_128, 4, 0,
                                       kKey0);
  ASSERT_TRUE(tx.ok());
  g_wipes = &wipes;
  internal::SetWipeObserverForTesting(Observe);
  ASSERT_TRUE(tx->Ratchet().ok());
  internal::SetWipeObserverForTesting(nullptr);
  g_wipes = nullptr;
  bool base_key_wiped = false, salt_wiped = false;
  for (const auto& [size, zero] : wipes) {
    EXPECT_TRUE(zero) << size;
    base_key_wiped |= size == kKey0.size();
    salt_wiped |= size == kNonceSize;
  }
  EXPECT_TRUE(base_key_wiped);
  EXPECT_TRUE(salt_wiped);
}

}  // namespace
}  // namespace sframe
