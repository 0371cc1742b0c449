// Copyright 2026 The sframecpp Authors.
//
// The thread-safety contract of sframe/keys.h: every object may be used
// from several threads at once. Run under -fsanitize=thread in CI.

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/keys.h"
#include "tests/keys_test_util.h"

namespace sframe {
namespace {

using ::sframe::testing::Seal;

constexpr CipherSuite kSuite = CipherSuite::kAes128GcmSha256_128;

TEST(ConcurrencyTest, SenderKeyDecryptorSharedByMediaAndControlThreads) {
  constexpr int kSenders = 4;
  constexpr int kFrames = 400;
  SenderKeyDecryptor::Options o;
  std::atomic<uint64_t> events{0};
  o.on_event = [&](const KeyEvent&) { events.fetch_add(1); };
  o.grace_period = absl::Milliseconds(1);
  auto rx = SenderKeyDecryptor::Create(kSuite, o);
  ASSERT_TRUE(rx.ok());
  // Each sender's frames, made up front; the sender ratchets every 50.
  std::vector<std::vector<std::vector<uint8_t>>> frames(kSenders);
  const std::vector<uint8_t> pt(300, 5);
  for (SenderId id = 0; id < kSenders; ++id) {
    const std::vector<uint8_t> key(16, static_cast<uint8_t>(id));
    auto tx = SenderKeyEncryptor::Create(kSuite, 6, 0, key);
    ASSERT_TRUE(rx->AddSender(id, 6).ok());
    ASSERT_TRUE(rx->InstallKey(id, 0, 0, key).ok());
    for (int i = 0; i < kFrames; ++i) {
      if (i > 0 && i % 50 == 0) {
        ASSERT_TRUE(tx->Ratchet().ok());
      }
      frames[id].push_back(Seal(*tx, pt));
    }
  }
  std::atomic<bool> done{false};
  std::vector<std::thread> media;
  std::atomic<int> failures{0};
  for (SenderId id = 0; id < kSenders; ++id) {
    media.emplace_back([&, id] {
      std::vector<uint8_t> out(pt.size());
      for (const auto& ct : frames[id]) {
        if (!rx->Decrypt(id, {}, ct, absl::MakeSpan(out)).ok()) {
          ++failures;
        }
        // A forged copy from the same thread: must fail, change nothing.
        std::vector<uint8_t> forged = ct;
        forged.back() ^= 1;
        if (rx->Decrypt(id, {}, forged, absl::MakeSpan(out)).ok()) {
          ++failures;
        }
      }
    });
  }
  std::thread control([&] {
    const std::vector<uint8_t> key(16, 0xee);
    uint64_t generation = 0;
    while (!done.load()) {
      // A participant that comes and goes, rotating its key.
      if (!rx->HasSender(99)) {
        ASSERT_TRUE(rx->AddSender(99, 4).ok());
      }
      ASSERT_TRUE(rx->InstallKey(99, generation++, 0, key).ok());
      for (SenderId id = 0; id < kSenders; ++id) {
        (void)rx->GetSenderStats(id);
        (void)rx->key_count(id);
        (void)rx->current_step(id);
      }
      rx->ExpireKeys();
      if (generation % 16 == 0) {
        ASSERT_TRUE(rx->RemoveSender(99).ok());
      }
    }
  });
  for (auto& t : media) t.join();
  done.store(true);
  control.join();
  EXPECT_EQ(failures.load(), 0);
  for (SenderId id = 0; id < kSenders; ++id) {
    EXPECT_EQ(rx->GetSenderStats(id)->decrypted,
              static_cast<uint64_t>(kFrames));
    EXPECT_EQ(rx->current_step(id), 7u);
  }
  EXPECT_GE(events.load(), static_cast<uint64_t>(kSenders * kFrames));
}

TEST(ConcurrencyTest, SenderKeyEncryptorNeverReusesACounter) {
  auto tx =
      SenderKeyEncryptor::Create(kSuite, 8, 0, std::vector<uint8_t>(16, 1));
  ASSERT_TRUE(tx.ok());
  std::mutex mu;  // guards every member below that is not const
  std::set<std::pair<KeyId, Counter>> seen;
  std::atomic<int> duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      const std::vector<uint8_t> pt(64, 2);
      for (int i = 0; i < 500; ++i) {
        const std::vector<uint8_t> ct = Seal(*tx, pt);
        auto h = ParseHeader(ct);
        ASSERT_TRUE(h.ok());
        std::lock_guard<std::mutex> lock(mu);
        if (!seen.insert({h->header.key_id, h->header.counter}).second) {
          ++duplicates;
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(tx->Ratchet().ok());
      (void)tx->key_id();
      (void)tx->next_counter();
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(duplicates.load(), 0);
  EXPECT_EQ(seen.size(), 1500u);
}

TEST(ConcurrencyTest, MlsObjectsSharedAcrossThreads) {
  const MlsKeyIdLayout layout{4, 6};
  auto rx = MlsDecryptor::Create(kSuite, layout);
  ASSERT_TRUE(rx.ok());
  const std::vector<uint8_t> key(16, 3);
  ASSERT_TRUE(rx->AddEpoch(1, key).ok());
  auto tx = MlsEncryptor::Create(kSuite, layout, 9);
  ASSERT_TRUE(tx->SetEpoch(1, key).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (uint64_t context = 0; context < 3; ++context) {
    threads.emplace_back([&, context] {
      const std::vector<uint8_t> pt(40, 1);
      std::vector<uint8_t> out(pt.size());
      for (int i = 0; i < 300; ++i) {
        std::vector<uint8_t> ct(tx->CiphertextSize(context, pt.size()) + 8);
        auto sealed = tx->Encrypt(context, {}, pt, absl::MakeSpan(ct));
        if (!sealed.ok() ||
            !rx->Decrypt({}, *sealed, absl::MakeSpan(out)).ok()) {
          ++failures;
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (uint64_t e = 2; e < 40; ++e) {
      // Epochs that never collide with epoch 1's low bits (1, 17, 33).
      if (e % 16 == 1) continue;
      ASSERT_TRUE(rx->AddEpoch(e, key).ok());
      (void)rx->GetStats();
      (void)rx->epoch_count();
      rx->ExpireKeys();
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(rx->GetStats().decrypted, 900u);
}

}  // namespace
}  // namespace sframe
