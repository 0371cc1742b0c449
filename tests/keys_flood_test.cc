// Copyright 2026 The sframecpp Authors.
//
// A hostile network: 1 M forged frames with random senders, KIDs, steps and
// counters against a sender-key receiver (and 100 k against an MLS
// receiver, the size of the cisco/sframe heap-growth report). Invariant 3:
// no state changes (ratchets, replay windows, caches, success statistics)
// and resident memory stays bounded.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/keys.h"
#include "tests/keys_test_util.h"

namespace sframe {
namespace {

// AddressSanitizer keeps freed memory in a quarantine and adds shadow pages,
// so RSS grows by a bounded, allocator-dependent amount that is not ours.
#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kRssSlack = 16;
#else
constexpr size_t kRssSlack = 1;
#endif

using ::sframe::testing::Seal;

// Resident set size in bytes, from /proc/self/statm.
size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// Writes a frame with `header` and `payload_size` random bytes into `buf`.
absl::Span<const uint8_t> Forge(const Header& header, size_t payload_size,
                                std::mt19937_64& rng,
                                std::vector<uint8_t>& buf) {
  auto h = EncodeHeader(header, absl::MakeSpan(buf));
  size_t n = h->size();
  for (size_t i = 0; i < payload_size; ++i) {
    buf[n++] = static_cast<uint8_t>(rng());
  }
  return absl::MakeConstSpan(buf).first(n);
}

struct SenderSnapshot {
  size_t keys;
  std::optional<uint64_t> step, generation;
  uint64_t decrypted, ratchet_steps;
  bool operator==(const SenderSnapshot& o) const {
    return keys == o.keys && step == o.step && generation == o.generation &&
           decrypted == o.decrypted && ratchet_steps == o.ratchet_steps;
  }
};

SenderSnapshot Snapshot(const SenderKeyDecryptor& rx, SenderId id) {
  const SenderStats s = *rx.GetSenderStats(id);
  return {rx.key_count(id), rx.current_step(id), rx.current_generation(id),
          s.decrypted, s.ratchet_steps};
}

TEST(FloodTest, MillionForgedFramesChangeNoStateAndRssStaysBounded) {
  constexpr CipherSuite kSuite = CipherSuite::kAes128GcmSha256_128;
  constexpr int kBits = 4;
  constexpr int kSenders = 4;
  SenderKeyDecryptor::Options o;
  o.max_steps_ahead = 4;
  uint64_t events = 0;
  o.on_event = [&](const KeyEvent&) { ++events; };
  auto rx = SenderKeyDecryptor::Create(kSuite, o);
  ASSERT_TRUE(rx.ok());
  std::vector<SenderKeyEncryptor> tx;
  std::vector<std::vector<uint8_t>> held_back;  // genuine, not yet delivered
  const std::vector<uint8_t> pt(100, 0x77);
  for (SenderId id = 0; id < kSenders; ++id) {
    const std::vector<uint8_t> key(16, static_cast<uint8_t>(id + 1));
    tx.push_back(*SenderKeyEncryptor::Create(kSuite, kBits, 1, key));
    ASSERT_TRUE(rx->AddSender(id, kBits).ok());
    ASSERT_TRUE(rx->InstallKey(id, 1, 0, key).ok());
    // Counter 0 is held back; 1..9 are delivered (window top 9).
    held_back.push_back(Seal(tx[id], pt));
    std::vector<uint8_t> out(200);
    for (int i = 1; i < 10; ++i) {
      ASSERT_TRUE(
          rx->Decrypt(id, {}, Seal(tx[id], pt), absl::MakeSpan(out)).ok());
    }
  }
  std::vector<SenderSnapshot> before;
  for (SenderId id = 0; id < kSenders; ++id) {
    before.push_back(Snapshot(*rx, id));
  }

  std::mt19937_64 rng(2026);
  std::vector<uint8_t> buf(kMaxHeaderSize + 128);
  std::vector<uint8_t> out(buf.size());
  auto flood = [&](int frames) {
    int ok = 0;
    for (int i = 0; i < frames; ++i) {
      const uint64_t r = rng();
      const SenderId sender = r % (kSenders + 1);  // 1 in 5: unknown sender
      Header h;
      switch ((r >> 8) % 4) {
        case 0:  // any KID
          h.key_id = rng();
          break;
        case 1:  // current generation, any step: up to 4 derivations
        case 2:
          h.key_id = *SenderKeyId(kBits, 1, rng());
          break;
        default:  // the installed KID: replays and forged tags
          h.key_id = *SenderKeyId(kBits, 1, 0);
          break;
      }
      h.counter = (r >> 16) % 3 == 0 ? rng() : (r >> 20) % 16;
      const size_t payload = 16 + (r >> 32) % 100;
      ok += rx->Decrypt(sender, {}, Forge(h, payload, rng, buf),
                        absl::MakeSpan(out))
                .ok();
    }
    return ok;
  };

  flood(20000);  // warm up the allocator
  const size_t rss_before = ResidentBytes();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(flood(1000000), 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const size_t rss_after = ResidentBytes();
  std::printf(
      "flood: 1000000 forged frames in %.2f s; RSS %zu KiB -> %zu KiB "
      "(%+ld KiB); %llu events\n",
      seconds, rss_before / 1024, rss_after / 1024,
      (static_cast<long>(rss_after) - static_cast<long>(rss_before)) / 1024,
      static_cast<unsigned long long>(events));
  RecordProperty("rss_before_kib", static_cast<int>(rss_before / 1024));
  RecordProperty("rss_after_kib", static_cast<int>(rss_after / 1024));
  EXPECT_LT(rss_after, rss_before + kRssSlack * (2u << 20));

  for (SenderId id = 0; id < kSenders; ++id) {
    EXPECT_TRUE(Snapshot(*rx, id) == before[id]) << id;
    const SenderStats s = *rx->GetSenderStats(id);
    EXPECT_GT(s.authentication_failures + s.replays + s.unknown_key_ids, 0u);
    // No replay window moved: the held-back counter 0 is still inside it,
    // and the next genuine frames still decrypt.
    EXPECT_TRUE(rx->Decrypt(id, {}, held_back[id], absl::MakeSpan(out)).ok())
        << id;
    EXPECT_TRUE(
        rx->Decrypt(id, {}, Seal(tx[id], pt), absl::MakeSpan(out)).ok());
    ASSERT_TRUE(tx[id].Ratchet().ok());
    EXPECT_TRUE(
        rx->Decrypt(id, {}, Seal(tx[id], pt), absl::MakeSpan(out)).ok());
    EXPECT_EQ(rx->current_step(id), 1u);
  }
  EXPECT_GT(rx->unknown_sender_frames(), 150000u);
}

TEST(FloodTest, MlsForgedFramesNeverGrowTheCache) {
  constexpr CipherSuite kSuite = CipherSuite::kAes128GcmSha256_128;
  const MlsKeyIdLayout layout{4, 6};
  auto rx = MlsDecryptor::Create(kSuite, layout);
  const std::vector<uint8_t> key(16, 9);
  ASSERT_TRUE(rx->AddEpoch(7, key).ok());
  auto tx = MlsEncryptor::Create(kSuite, layout, 3);
  ASSERT_TRUE(tx->SetEpoch(7, key).ok());
  const std::vector<uint8_t> pt(50, 1);
  std::vector<uint8_t> out(200);
  std::vector<uint8_t> ct(tx->CiphertextSize(0, pt.size()));
  ASSERT_TRUE(tx->Encrypt(0, {}, pt, absl::MakeSpan(ct)).ok());
  ASSERT_TRUE(rx->Decrypt({}, ct, absl::MakeSpan(out)).ok());

  std::mt19937_64 rng(7);
  std::vector<uint8_t> buf(kMaxHeaderSize + 128);
  auto flood = [&](int frames) {
    for (int i = 0; i < frames; ++i) {
      const uint64_t r = rng();
      // Half in the live epoch (one derivation each), half anywhere.
      const KeyId kid =
          r % 2 ? *MlsKeyId(layout, 7, (r >> 1) % 64, (r >> 8) % 4096) : rng();
      ASSERT_FALSE(rx->Decrypt({}, Forge({kid, rng() % 64}, 40, rng, buf),
                               absl::MakeSpan(out))
                       .ok());
    }
  };
  flood(5000);
  const size_t rss_before = ResidentBytes();
  flood(100000);
  const size_t rss_after = ResidentBytes();
  std::printf("mls flood: 100000 forged frames; RSS %zu KiB -> %zu KiB\n",
              rss_before / 1024, rss_after / 1024);
  EXPECT_LT(rss_after, rss_before + kRssSlack * (1u << 20));
  EXPECT_EQ(rx->key_count(), 1u);
  EXPECT_EQ(rx->epoch_count(), 1u);
  EXPECT_EQ(rx->GetStats().decrypted, 1u);
  ASSERT_TRUE(tx->Encrypt(0, {}, pt, absl::MakeSpan(ct)).ok());
  EXPECT_TRUE(rx->Decrypt({}, ct, absl::MakeSpan(out)).ok());
}

}  // namespace
}  // namespace sframe
