// Copyright 2026 The sframecpp Authors.
//
// Contract tests of EncryptBatch and DecryptBatch (sframe/batch.h): every
// result, status and state change equals that of the single-frame calls
// made in order, for every suite and every AEAD implementation that runs on
// this CPU.

#include "sframe/batch.h"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/sframe.h"
#include "src/core/header_internal.h"
#include "tests/test_util.h"

#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "tests/counting_new.h"

namespace sframe {
namespace {

using ::sframe::testing::AllZero;
using ::sframe::testing::RandomBytes;
using ::sframe::testing::ScopedImplementation;
using ::sframe::testing::SuiteAndImpl;
using Bytes = std::vector<uint8_t>;

constexpr Counter kMaxCounter = std::numeric_limits<Counter>::max();
const Bytes kKeyA(16, 0xA1);
const Bytes kKeyB(16, 0xB2);
const Bytes kKeyC(16, 0xC3);

class BatchTest : public ::testing::TestWithParam<SuiteAndImpl> {
 protected:
  BatchTest() : forced_(GetParam().impl) {}

  CipherSuite suite() const { return GetParam().suite; }

  Encryptor MakeEncryptor(KeyId kid, const Bytes& key, Counter first = 0) {
    Encryptor::Options options;
    options.first_counter = first;
    auto enc = Encryptor::Create(suite(), kid, key, options);
    EXPECT_TRUE(enc.ok());
    return *std::move(enc);
  }
  Decryptor MakeDecryptor(size_t window = Decryptor::kDefaultReplayWindow) {
    Decryptor::Options options;
    options.replay_window = window;
    auto dec = Decryptor::Create(suite(), options);
    EXPECT_TRUE(dec.ok());
    EXPECT_TRUE(dec->AddKey(1, kKeyA).ok());
    EXPECT_TRUE(dec->AddKey(300, kKeyB).ok());
    EXPECT_TRUE(dec->AddKey(0x123456789, kKeyC).ok());
    return *std::move(dec);
  }
  // Points `item` at plaintext `pt` with metadata `md`, to be written into
  // `out`; in place, `pt` is first copied to the front of `out`.
  static void SetItem(EncryptBatchItem* item, Encryptor* enc, const Bytes& pt,
                      const Bytes& md, Bytes* out, bool in_place) {
    if (in_place && !pt.empty()) memcpy(out->data(), pt.data(), pt.size());
    item->encryptor = enc;
    item->metadata = md;
    item->plaintext = in_place ? absl::MakeConstSpan(out->data(), pt.size())
                               : absl::MakeConstSpan(pt);
    item->out = absl::MakeSpan(*out);
  }
  Bytes Seal(Encryptor& enc, const Bytes& pt, const Bytes& md = {}) {
    Bytes out(enc.CiphertextSize(pt.size()));
    auto ct = enc.Encrypt(md, pt, absl::MakeSpan(out));
    EXPECT_TRUE(ct.ok()) << ct.status();
    return out;
  }

  // Encrypts pts[i] with EncryptBatch on batch[which[i]] and one by one on
  // single[which[i]], and checks that every item succeeded with the
  // sequential ciphertext.
  void EncryptBoth(Encryptor* batch, Encryptor* single,
                   const std::vector<int>& which,
                   const std::vector<Bytes>& pts) {
    const size_t n = pts.size();
    std::vector<Bytes> outs(n);
    std::vector<EncryptBatchItem> items(n);
    for (size_t i = 0; i < n; ++i) {
      // Room for the longest tag of any suite.
      outs[i].assign(
          MaxCiphertextSize(CipherSuite::kAes256GcmSha512_128, pts[i].size()),
          0x55);
      items[i].encryptor = &batch[which[i]];
      items[i].plaintext = pts[i];
      items[i].out = absl::MakeSpan(outs[i]);
    }
    EXPECT_EQ(EncryptBatch(absl::MakeSpan(items)), n);
    for (size_t i = 0; i < n; ++i) {
      SCOPED_TRACE(i);
      ASSERT_TRUE(items[i].status.ok()) << items[i].status;
      EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()),
                Seal(single[which[i]], pts[i]));
    }
  }

  // Decrypts `frames` with DecryptBatch on `batch_dec` and one by one on
  // `single_dec`, into outputs of the given sizes prefilled with 0xAA, and
  // checks that statuses, outputs and statistics agree. Returns the codes.
  std::vector<absl::StatusCode> DecryptBoth(
      Decryptor& batch_dec, Decryptor& single_dec,
      const std::vector<Bytes>& frames, const std::vector<Bytes>& metadata,
      const std::vector<size_t>& out_sizes) {
    const size_t n = frames.size();
    std::vector<Bytes> batch_out(n), single_out(n);
    std::vector<DecryptBatchItem> items(n);
    for (size_t i = 0; i < n; ++i) {
      batch_out[i].assign(out_sizes[i], 0xAA);
      single_out[i].assign(out_sizes[i], 0xAA);
      items[i].metadata = metadata[i];
      items[i].ciphertext = frames[i];
      items[i].out = absl::MakeSpan(batch_out[i]);
    }
    const size_t ok = DecryptBatch(batch_dec, absl::MakeSpan(items));
    size_t single_ok = 0;
    std::vector<absl::StatusCode> codes;
    for (size_t i = 0; i < n; ++i) {
      SCOPED_TRACE(i);
      auto got = single_dec.Decrypt(metadata[i], frames[i],
                                    absl::MakeSpan(single_out[i]));
      EXPECT_EQ(items[i].status.code(), got.status().code());
      EXPECT_TRUE(items[i].status.message().empty());
      EXPECT_EQ(batch_out[i], single_out[i]);
      if (got.ok()) {
        ++single_ok;
        EXPECT_EQ(items[i].result.data(), batch_out[i].data());
        EXPECT_EQ(items[i].result.size(), got->size());
      } else {
        EXPECT_TRUE(items[i].result.empty());
        EXPECT_TRUE(AllZero(batch_out[i].data(), batch_out[i].size()));
      }
      codes.push_back(items[i].status.code());
    }
    EXPECT_EQ(ok, single_ok);
    for (KeyId kid : {KeyId{1}, KeyId{300}, KeyId{0x123456789}}) {
      auto a = batch_dec.GetKeyStats(kid), b = single_dec.GetKeyStats(kid);
      EXPECT_TRUE(a.has_value() && b.has_value());
      if (!a.has_value() || !b.has_value()) continue;
      EXPECT_EQ(a->decrypted, b->decrypted) << kid;
      EXPECT_EQ(a->authentication_failures, b->authentication_failures);
      EXPECT_EQ(a->replays, b->replays) << kid;
    }
    EXPECT_EQ(batch_dec.unknown_key_ids(), single_dec.unknown_key_ids());
    EXPECT_EQ(batch_dec.malformed_frames(), single_dec.malformed_frames());
    return codes;
  }

  std::mt19937_64 rng_{7};

 private:
  ScopedImplementation forced_;
};

TEST_P(BatchTest, EncryptIsIdenticalToSinglesWithMixedKeysAndLengths) {
  // Three keys, interleaved, several frames each; lengths across block
  // edges and the kernels' short-frame limit; more frames than one chunk.
  Encryptor batch_enc[] = {MakeEncryptor(1, kKeyA),
                           MakeEncryptor(300, kKeyB, 5),
                           MakeEncryptor(0x123456789, kKeyC, 1u << 20)};
  Encryptor single_enc[] = {MakeEncryptor(1, kKeyA),
                            MakeEncryptor(300, kKeyB, 5),
                            MakeEncryptor(0x123456789, kKeyC, 1u << 20)};
  constexpr size_t kFrames = 77;
  std::vector<Bytes> pts(kFrames), mds(kFrames), outs(kFrames);
  std::vector<EncryptBatchItem> items(kFrames);
  std::vector<size_t> which(kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    which[i] = rng_() % 3;
    const size_t len = i < 40 ? i * 7 : rng_() % 1500;
    pts[i] = RandomBytes(len, rng_);
    mds[i] = RandomBytes(rng_() % 40, rng_);
    outs[i].assign(MaxCiphertextSize(suite(), len) + 3, 0x55);
    SetItem(&items[i], &batch_enc[which[i]], pts[i], mds[i], &outs[i],
            i % 5 == 0);
  }
  EXPECT_EQ(EncryptBatch(absl::MakeSpan(items)), kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(items[i].status.ok()) << items[i].status;
    const Bytes expected = Seal(single_enc[which[i]], pts[i], mds[i]);
    EXPECT_EQ(items[i].result.data(), outs[i].data());
    EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()), expected);
  }
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(batch_enc[k].next_counter(), single_enc[k].next_counter());
  }

  // And back: the batch decryptor and a sequential one agree.
  Decryptor batch_dec = MakeDecryptor(), single_dec = MakeDecryptor();
  std::vector<Bytes> frames(kFrames);
  std::vector<size_t> sizes(kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    frames[i].assign(items[i].result.begin(), items[i].result.end());
    sizes[i] = pts[i].size() + (i % 3);
  }
  for (absl::StatusCode code :
       DecryptBoth(batch_dec, single_dec, frames, mds, sizes)) {
    EXPECT_EQ(code, absl::StatusCode::kOk);
  }
}

TEST_P(BatchTest, DecryptInPlaceMatchesPlaintext) {
  Encryptor enc = MakeEncryptor(300, kKeyB);
  Decryptor dec = MakeDecryptor();
  constexpr size_t kFrames = 20;
  std::vector<Bytes> pts(kFrames), bufs(kFrames);
  std::vector<DecryptBatchItem> items(kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    pts[i] = RandomBytes(i * 13, rng_);
    bufs[i] = Seal(enc, pts[i]);
    items[i].ciphertext = bufs[i];
    items[i].out = absl::MakeSpan(bufs[i]);
  }
  EXPECT_EQ(DecryptBatch(dec, absl::MakeSpan(items)), kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    ASSERT_TRUE(items[i].status.ok());
    EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()), pts[i]);
  }
}

TEST_P(BatchTest, MixedErrorsInOneBatchZeroTheirOutputs) {
  Encryptor enc_a = MakeEncryptor(1, kKeyA);
  Encryptor enc_b = MakeEncryptor(300, kKeyB);
  Encryptor stranger = MakeEncryptor(77, kKeyA);
  const Bytes md = {1, 2, 3};
  std::vector<Bytes> frames;
  std::vector<Bytes> mds;
  std::vector<size_t> sizes;
  auto add = [&](Bytes frame, size_t out_size, Bytes metadata) {
    frames.push_back(std::move(frame));
    sizes.push_back(out_size);
    mds.push_back(std::move(metadata));
  };
  const Bytes good = Seal(enc_a, Bytes(100, 1), md);
  add(good, 100, md);  // OK
  Bytes forged = Seal(enc_b, Bytes(50, 2), md);
  forged.back() ^= 0x80;
  add(forged, 60, md);                                  // kDataLoss (tag)
  add(Seal(enc_b, Bytes(50, 3), md), 60, {9});          // kDataLoss (metadata)
  add(Bytes(good.begin(), good.begin() + 3), 100, md);  // truncated
  add({}, 10, md);                                      // empty
  add({0x88, 0x00}, 10, md);                            // non-minimal KID
  add(Seal(stranger, Bytes(20, 4), md), 20, md);        // kNotFound
  add(Seal(enc_a, Bytes(30, 5), md), 29, md);           // out too small
  add(good, 100, md);                                   // replay of frame 0
  add(Seal(enc_b, Bytes(0, 0), md), 0, md);             // OK, empty
  add(Seal(enc_a, Bytes(500, 6), md), 500, md);         // OK

  Decryptor batch_dec = MakeDecryptor(), single_dec = MakeDecryptor();
  const std::vector<absl::StatusCode> codes =
      DecryptBoth(batch_dec, single_dec, frames, mds, sizes);
  const std::vector<absl::StatusCode> expected = {
      absl::StatusCode::kOk,
      absl::StatusCode::kDataLoss,
      absl::StatusCode::kDataLoss,
      absl::StatusCode::kDataLoss,
      absl::StatusCode::kDataLoss,
      absl::StatusCode::kDataLoss,
      absl::StatusCode::kNotFound,
      absl::StatusCode::kInvalidArgument,
      absl::StatusCode::kAlreadyExists,
      absl::StatusCode::kOk,
      absl::StatusCode::kOk};
  EXPECT_EQ(codes, expected);
}

TEST_P(BatchTest, BadOverlapWritesNothing) {
  Encryptor enc = MakeEncryptor(1, kKeyA);
  Decryptor dec = MakeDecryptor();
  Bytes buf = Seal(enc, Bytes(64, 1));
  buf.resize(buf.size() + 8, 0xEE);
  const Bytes before = buf;
  DecryptBatchItem item;
  item.ciphertext = absl::MakeConstSpan(buf.data(), buf.size() - 8);
  item.out = absl::MakeSpan(buf).subspan(4);
  EXPECT_EQ(DecryptBatch(dec, absl::MakeSpan(&item, 1)), 0u);
  EXPECT_EQ(item.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(buf, before);
}

// Items whose metadata lies inside their own output, amid good items of
// the same Encryptor (so inside a lane run) and of a moved-from one.
TEST_P(BatchTest, MetadataOverlapAndMovedFromEncryptorFailOnlyTheirItems) {
  Encryptor enc = MakeEncryptor(1, kKeyA);
  Encryptor donor = MakeEncryptor(300, kKeyB);
  Encryptor taker(std::move(donor));
  constexpr size_t kItems = 8;
  const Bytes md = {1, 2, 3, 4};
  std::vector<Bytes> pts, outs;
  for (size_t i = 0; i < kItems; ++i) {
    pts.push_back(RandomBytes(60 + i, rng_));
    outs.emplace_back(MaxCiphertextSize(suite(), pts[i].size()) + 8, 0xEE);
  }
  EncryptBatchItem items[kItems];
  for (size_t i = 0; i < kItems; ++i) {
    SetItem(&items[i], &enc, pts[i], md, &outs[i], /*in_place=*/false);
  }
  // Item 2: metadata at the end of its own output; item 5: a moved-from
  // Encryptor.
  Bytes& out2 = outs[2];
  memcpy(out2.data() + out2.size() - md.size(), md.data(), md.size());
  items[2].metadata = absl::MakeConstSpan(out2).last(md.size());
  items[5].encryptor = &donor;  // NOLINT(bugprone-use-after-move)
  const Bytes before2 = out2, before5 = outs[5];
  EXPECT_EQ(EncryptBatch(absl::MakeSpan(items, kItems)), kItems - 2);
  EXPECT_EQ(items[2].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(items[5].status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(out2, before2);
  EXPECT_EQ(outs[5], before5);
  // The other items took consecutive counters, as single calls would.
  Decryptor dec = MakeDecryptor();
  Counter expected = 0;
  for (size_t i = 0; i < kItems; ++i) {
    if (i == 2 || i == 5) continue;
    ASSERT_TRUE(items[i].status.ok()) << i;
    EXPECT_EQ(ParseHeader(items[i].result)->header.counter, expected++);
    Bytes plain(pts[i].size());
    ASSERT_TRUE(dec.Decrypt(md, items[i].result, absl::MakeSpan(plain)).ok());
    EXPECT_EQ(plain, pts[i]);
  }
  EXPECT_EQ(enc.next_counter(), kItems - 2);
  EXPECT_EQ(taker.next_counter(), 0u);
}

TEST_P(BatchTest, DecryptMetadataOverlappingTheOutputWritesNothing) {
  Encryptor enc = MakeEncryptor(1, kKeyA);
  Decryptor dec = MakeDecryptor();
  const Bytes md = {9, 8, 7};
  constexpr size_t kItems = 6;
  std::vector<Bytes> pts, cts, outs;
  for (size_t i = 0; i < kItems; ++i) {
    pts.push_back(RandomBytes(50, rng_));
    cts.push_back(Seal(enc, pts[i], md));
    outs.emplace_back(pts[i].size() + 8, 0xEE);
  }
  DecryptBatchItem items[kItems];
  for (size_t i = 0; i < kItems; ++i) {
    items[i].metadata = md;
    items[i].ciphertext = cts[i];
    items[i].out = absl::MakeSpan(outs[i]);
  }
  memcpy(outs[3].data() + 50, md.data(), md.size());
  items[3].metadata = absl::MakeConstSpan(outs[3]).subspan(50, md.size());
  const Bytes before3 = outs[3];
  EXPECT_EQ(DecryptBatch(dec, absl::MakeSpan(items, kItems)), kItems - 1);
  EXPECT_EQ(items[3].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outs[3], before3);
  for (size_t i = 0; i < kItems; ++i) {
    if (i == 3) continue;
    ASSERT_TRUE(items[i].status.ok()) << i;
    EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()), pts[i]);
  }
  // The refused frame changed no state: it opens now.
  Bytes plain(pts[3].size());
  ASSERT_TRUE(dec.Decrypt(md, cts[3], absl::MakeSpan(plain)).ok());
  EXPECT_EQ(plain, pts[3]);
}

TEST_P(BatchTest, ReplaysWithinOneBatchFollowSequentialOrder) {
  Encryptor low = MakeEncryptor(1, kKeyA, 0);
  Encryptor high = MakeEncryptor(1, kKeyA, 1000);
  const Bytes f0 = Seal(low, Bytes(40, 1));
  const Bytes f1 = Seal(low, Bytes(40, 2));
  const Bytes f1000 = Seal(high, Bytes(40, 3));
  Bytes forged1000 = f1000;
  forged1000.back() ^= 1;
  const std::vector<Bytes> frames = {
      f0,          // OK
      f0,          // duplicate in the same batch: kAlreadyExists
      forged1000,  // kDataLoss, the window must not move
      f1,          // OK: still inside the window
      f1000,       // OK: moves the window to 1000
      f0,          // now too old as well as seen
  };
  std::vector<size_t> sizes(frames.size(), 40);
  std::vector<Bytes> mds(frames.size());
  Decryptor batch_dec = MakeDecryptor(), single_dec = MakeDecryptor();
  const std::vector<absl::StatusCode> codes =
      DecryptBoth(batch_dec, single_dec, frames, mds, sizes);
  const std::vector<absl::StatusCode> expected = {
      absl::StatusCode::kOk,       absl::StatusCode::kAlreadyExists,
      absl::StatusCode::kDataLoss, absl::StatusCode::kOk,
      absl::StatusCode::kOk,       absl::StatusCode::kAlreadyExists};
  EXPECT_EQ(codes, expected);

  // An old frame made too old by a newer frame earlier in the same batch.
  Encryptor low2 = MakeEncryptor(300, kKeyB, 10);
  Encryptor high2 = MakeEncryptor(300, kKeyB, 5000);
  const Bytes old_frame = Seal(low2, Bytes(8, 1));
  const std::vector<Bytes> frames2 = {Seal(high2, Bytes(8, 2)), old_frame};
  Decryptor batch_dec2 = MakeDecryptor(), single_dec2 = MakeDecryptor();
  const std::vector<absl::StatusCode> codes2 = DecryptBoth(
      batch_dec2, single_dec2, frames2, {{}, {}}, std::vector<size_t>(2, 8));
  EXPECT_EQ(codes2[0], absl::StatusCode::kOk);
  EXPECT_EQ(codes2[1], absl::StatusCode::kAlreadyExists);

  // Without a window, duplicates are all accepted, as by Decrypt.
  Decryptor open_dec = MakeDecryptor(0), open_single = MakeDecryptor(0);
  for (absl::StatusCode code :
       DecryptBoth(open_dec, open_single, {f0, f0, f0}, {{}, {}, {}},
                   std::vector<size_t>(3, 40))) {
    EXPECT_EQ(code, absl::StatusCode::kOk);
  }
}

// Frames too long for the kernels' lanes are sealed and opened with single
// calls inside the batch, each after the frames queued before it: the
// replay window they meet, and the one they leave, must still be the
// sequential one.
TEST_P(BatchTest, LongFramesBetweenShortOnesFollowSequentialOrder) {
  Encryptor low = MakeEncryptor(1, kKeyA, 0);
  Encryptor high = MakeEncryptor(1, kKeyA, 1000);
  const Bytes s0 = Seal(low, Bytes(40, 1));       // counter 0, short
  const Bytes l1 = Seal(low, Bytes(700, 2));      // counter 1, long
  const Bytes s2 = Seal(low, Bytes(100, 3));      // counter 2, short
  const Bytes l3 = Seal(low, Bytes(260, 4));      // counter 3, just too long
  const Bytes l1000 = Seal(high, Bytes(260, 5));  // counter 1000, just too long
  Bytes forged_l3 = l3;
  forged_l3[forged_l3.size() / 2] ^= 1;
  const std::vector<Bytes> frames = {
      s0,         // OK
      l1,         // OK (long, after a queued short frame)
      s0,         // replay of a frame the batch accepted
      l1,         // replay of a long frame the batch accepted
      forged_l3,  // forged long frame: rejected, the window does not move
      s2,         // OK
      l1000,      // OK: moves the window past 0..3 (window 128)
      l3,         // too old now, though the forgery did not take it
      s2,         // too old as well as seen
      s0,         // likewise
  };
  std::vector<size_t> sizes;
  for (const Bytes& f : frames) sizes.push_back(f.size());
  Decryptor batch_dec = MakeDecryptor(128), single_dec = MakeDecryptor(128);
  const std::vector<absl::StatusCode> codes = DecryptBoth(
      batch_dec, single_dec, frames, std::vector<Bytes>(frames.size()), sizes);
  using C = absl::StatusCode;
  const std::vector<absl::StatusCode> expected = {
      C::kOk, C::kOk, C::kAlreadyExists, C::kAlreadyExists, C::kDataLoss,
      C::kOk, C::kOk, C::kAlreadyExists, C::kAlreadyExists, C::kAlreadyExists};
  EXPECT_EQ(codes, expected);

  // A queued short frame, then a long frame far ahead: the short one is
  // committed first (sequentially it is accepted, then the window moves).
  Encryptor far = MakeEncryptor(1, kKeyA, 5000);
  const Bytes f5000 = Seal(far, Bytes(900, 6));
  for (const Bytes& later : {l1000, f5000}) {
    Decryptor d1 = MakeDecryptor(128), d2 = MakeDecryptor(128);
    const std::vector<Bytes> two = {s2, later};
    EXPECT_EQ(DecryptBoth(d1, d2, two, {{}, {}}, {s2.size(), later.size()}),
              (std::vector<absl::StatusCode>{C::kOk, C::kOk}));
  }

  // Encrypt: long and short frames of two Encryptors, alternating, give the
  // sequential ciphertexts and counters.
  Encryptor batch_enc[] = {MakeEncryptor(1, kKeyA), MakeEncryptor(300, kKeyB)};
  Encryptor single_enc[] = {MakeEncryptor(1, kKeyA), MakeEncryptor(300, kKeyB)};
  constexpr size_t kFrames = 24;
  std::vector<Bytes> pts(kFrames);
  std::vector<int> which(kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    const size_t len = (i % 3 == 1) ? 300 + 97 * i : 16 + 5 * i;
    pts[i] = RandomBytes(len, rng_);
    which[i] = static_cast<int>((i / 2) % 2);
  }
  EncryptBoth(batch_enc, single_enc, which, pts);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(batch_enc[k].next_counter(), single_enc[k].next_counter());
  }
}

// Encryptors of two suites (one GCM, one CTR-HMAC) in one batch: the
// frames of each AEAD kind go to their own batch path, chunk by chunk, and
// still give the sequential ciphertexts.
TEST_P(BatchTest, TwoSuitesInOneBatch) {
  const CipherSuite other_suite = IsGcm(suite())
                                      ? CipherSuite::kAes128CtrHmacSha256_80
                                      : CipherSuite::kAes128GcmSha256_128;
  auto make = [](CipherSuite s, KeyId kid, const Bytes& key) {
    auto enc = Encryptor::Create(s, kid, key);
    EXPECT_TRUE(enc.ok());
    return *std::move(enc);
  };
  const Bytes key_other(KeySize(other_suite), 0x4D);
  Encryptor batch_enc[] = {MakeEncryptor(1, kKeyA),
                           make(other_suite, 2, key_other)};
  Encryptor single_enc[] = {MakeEncryptor(1, kKeyA),
                            make(other_suite, 2, key_other)};
  constexpr size_t kFrames = 40;
  std::vector<Bytes> pts(kFrames);
  std::vector<int> which(kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    which[i] = (i % 5 == 1 || i % 5 == 2) ? 1 : 0;
    pts[i] = RandomBytes(1 + (rng_() % 300), rng_);
  }
  EncryptBoth(batch_enc, single_enc, which, pts);
}

TEST_P(BatchTest, ManyDuplicatesAcrossChunks) {
  Encryptor enc = MakeEncryptor(1, kKeyA);
  std::vector<Bytes> frames;
  for (int i = 0; i < 10; ++i) frames.push_back(Seal(enc, Bytes(16, i)));
  std::vector<Bytes> all;
  for (int r = 0; r < 5; ++r) {
    for (int i = 0; i < 10; ++i) all.push_back(frames[(i * 3 + r) % 10]);
  }
  Decryptor batch_dec = MakeDecryptor(), single_dec = MakeDecryptor();
  const std::vector<absl::StatusCode> codes =
      DecryptBoth(batch_dec, single_dec, all, std::vector<Bytes>(all.size()),
                  std::vector<size_t>(all.size(), 16));
  size_t ok = 0;
  for (absl::StatusCode code : codes) ok += code == absl::StatusCode::kOk;
  EXPECT_EQ(ok, 10u);
}

TEST_P(BatchTest, CounterExhaustionMidBatch) {
  Encryptor batch_enc = MakeEncryptor(1, kKeyA, kMaxCounter - 1);
  Encryptor single_enc = MakeEncryptor(1, kKeyA, kMaxCounter - 1);
  Encryptor other = MakeEncryptor(300, kKeyB);
  const Bytes pt(32, 9);
  std::vector<Bytes> outs(5, Bytes(MaxCiphertextSize(suite(), 32), 0x77));
  std::vector<EncryptBatchItem> items(5);
  for (size_t i = 0; i < 5; ++i) {
    items[i].encryptor = i == 3 ? &other : &batch_enc;
    items[i].plaintext = pt;
    items[i].out = absl::MakeSpan(outs[i]);
  }
  EXPECT_EQ(EncryptBatch(absl::MakeSpan(items)), 3u);
  EXPECT_EQ(Bytes(items[0].result.begin(), items[0].result.end()),
            Seal(single_enc, pt));
  EXPECT_EQ(Bytes(items[1].result.begin(), items[1].result.end()),
            Seal(single_enc, pt));
  EXPECT_TRUE(single_enc.exhausted());
  EXPECT_TRUE(batch_enc.exhausted());
  for (size_t i : {2, 4}) {
    EXPECT_EQ(items[i].status.code(), absl::StatusCode::kResourceExhausted);
    EXPECT_TRUE(items[i].result.empty());
    EXPECT_EQ(outs[i], Bytes(outs[i].size(), 0x77));  // nothing written
  }
  EXPECT_TRUE(items[3].status.ok());
}

TEST_P(BatchTest, OutputTooSmallFailsOnlyThatFrame) {
  // Counters 17..21 all have a one-byte extended field.
  Encryptor batch_enc = MakeEncryptor(1, kKeyA, 17);
  Encryptor single_enc = MakeEncryptor(1, kKeyA, 17);
  std::vector<Bytes> pts, outs;
  for (size_t i = 0; i < 6; ++i) pts.push_back(RandomBytes(20 + i, rng_));
  for (size_t i = 0; i < 6; ++i) {
    const size_t exact = batch_enc.CiphertextSize(pts[i].size());
    outs.push_back(Bytes(i == 2 ? exact - 1 : exact, 0x33));
  }
  std::vector<EncryptBatchItem> items(6);
  for (size_t i = 0; i < 6; ++i) {
    items[i].encryptor = i == 4 ? nullptr : &batch_enc;
    items[i].plaintext = pts[i];
    items[i].out = absl::MakeSpan(outs[i]);
  }
  EXPECT_EQ(EncryptBatch(absl::MakeSpan(items)), 4u);
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    if (i == 2 || i == 4) {
      EXPECT_EQ(items[i].status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(items[i].status.message().empty());
      EXPECT_EQ(outs[i], Bytes(outs[i].size(), 0x33));  // nothing written
      continue;
    }
    // The failed frame took no counter: the next frame gets it.
    ASSERT_TRUE(items[i].status.ok());
    EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()),
              Seal(single_enc, pts[i]));
  }
  EXPECT_EQ(batch_enc.next_counter(), 21u);
}

TEST_P(BatchTest, ReservationsMatchSequentialCalls) {
  struct Call {
    Counter first, last;
    bool operator==(const Call& o) const {
      return first == o.first && last == o.last;
    }
  };
  std::vector<Call> batch_calls, single_calls;
  auto make = [&](std::vector<Call>* log, int refuse_at) {
    Encryptor::Options options;
    options.reservation_block = 3;
    options.reserve_counters = [log, refuse_at](KeyId, Counter first,
                                                Counter last) {
      log->push_back({first, last});
      if (static_cast<int>(log->size()) == refuse_at) {
        return absl::UnavailableError("disk full");
      }
      return absl::OkStatus();
    };
    auto enc = Encryptor::Create(suite(), 1, kKeyA, options);
    EXPECT_TRUE(enc.ok());
    return *std::move(enc);
  };
  Encryptor batch_enc = make(&batch_calls, 3);
  Encryptor single_enc = make(&single_calls, 3);
  const Bytes pt(10, 1);
  std::vector<Bytes> outs(10, Bytes(MaxCiphertextSize(suite(), 10)));
  std::vector<EncryptBatchItem> items(10);
  for (size_t i = 0; i < 10; ++i) {
    items[i].encryptor = &batch_enc;
    items[i].plaintext = pt;
    items[i].out = absl::MakeSpan(outs[i]);
  }
  EncryptBatch(absl::MakeSpan(items));
  for (size_t i = 0; i < 10; ++i) {
    SCOPED_TRACE(i);
    Bytes out(MaxCiphertextSize(suite(), 10));
    auto single = single_enc.Encrypt({}, pt, absl::MakeSpan(out));
    EXPECT_EQ(items[i].status, single.status());
    if (single.ok()) {
      EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()),
                Bytes(single->begin(), single->end()));
    }
  }
  EXPECT_EQ(batch_calls, single_calls);
  EXPECT_EQ(items[6].status.code(), absl::StatusCode::kUnavailable);
}

// Long runs of one Encryptor (the batch's fast path queues them with the
// header kept as one machine word) across every change of header size the
// word can hold and beyond it: counter fields of 1 to 8 bytes, KIDs of 0, 2
// and 5 bytes, frames in place and with metadata, and frames the lanes do
// not take (empty, longer than 256 bytes) in the middle of runs.
TEST_P(BatchTest, LongRunsAcrossHeaderSizeChanges) {
  struct Start {
    KeyId kid;
    Counter first;
  };
  const Start starts[] = {
      {1, 0},
      {1, 250},
      {1, 65530},
      {1, (Counter{1} << 48) - 20},
      {1, (Counter{1} << 56) - 20},
      {300, 250},
      {300, (Counter{1} << 40) - 20},
      {0x123456789, 65520},
      {0x123456789, (Counter{1} << 24) - 20},
  };
  for (const Start& start : starts) {
    SCOPED_TRACE(start.first);
    Encryptor batch_enc = MakeEncryptor(start.kid, kKeyA, start.first);
    Encryptor single_enc = MakeEncryptor(start.kid, kKeyA, start.first);
    // A second Encryptor takes every ninth frame, breaking the runs.
    Encryptor batch_other = MakeEncryptor(7, kKeyB, 100);
    Encryptor single_other = MakeEncryptor(7, kKeyB, 100);
    constexpr size_t kFrames = 45;
    std::vector<Bytes> pts(kFrames), mds(kFrames), outs(kFrames);
    std::vector<EncryptBatchItem> items(kFrames);
    for (size_t i = 0; i < kFrames; ++i) {
      const size_t len = i % 11 == 5 ? 0 : i % 13 == 6 ? 300 : 1 + i * 5;
      pts[i] = RandomBytes(len, rng_);
      if (i % 4 == 1) mds[i] = RandomBytes(1 + i % 9, rng_);
      outs[i].assign(MaxCiphertextSize(suite(), len), 0x55);
      SetItem(&items[i], i % 9 == 8 ? &batch_other : &batch_enc, pts[i], mds[i],
              &outs[i], i % 3 == 2 && len != 0);
    }
    EXPECT_EQ(EncryptBatch(absl::MakeSpan(items)), kFrames);
    for (size_t i = 0; i < kFrames; ++i) {
      SCOPED_TRACE(i);
      ASSERT_TRUE(items[i].status.ok()) << items[i].status;
      Encryptor& single = i % 9 == 8 ? single_other : single_enc;
      EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()),
                Seal(single, pts[i], mds[i]));
    }
    EXPECT_EQ(batch_enc.next_counter(), single_enc.next_counter());
    EXPECT_EQ(batch_other.next_counter(), single_other.next_counter());
  }
}

// As ReservationsMatchSequentialCalls, from a counter whose header is one
// word, so that the blocks end inside runs of the fast path.
TEST_P(BatchTest, ReservationsEndInsideRuns) {
  std::vector<std::pair<Counter, Counter>> batch_calls, single_calls;
  auto make = [&](std::vector<std::pair<Counter, Counter>>* log) {
    Encryptor::Options options;
    options.first_counter = 100;
    options.reservation_block = 5;
    options.reserve_counters = [log](KeyId, Counter first, Counter last) {
      log->push_back({first, last});
      if (log->size() == 4) return absl::UnavailableError("disk full");
      return absl::OkStatus();
    };
    auto enc = Encryptor::Create(suite(), 300, kKeyA, options);
    EXPECT_TRUE(enc.ok());
    return *std::move(enc);
  };
  Encryptor batch_enc = make(&batch_calls);
  Encryptor single_enc = make(&single_calls);
  constexpr size_t kFrames = 24;
  const Bytes pt(40, 1);
  std::vector<Bytes> outs(kFrames, Bytes(MaxCiphertextSize(suite(), 40)));
  std::vector<EncryptBatchItem> items(kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    items[i].encryptor = &batch_enc;
    items[i].plaintext = pt;
    items[i].out = absl::MakeSpan(outs[i]);
  }
  EncryptBatch(absl::MakeSpan(items));
  size_t refused = 0;
  for (size_t i = 0; i < kFrames; ++i) {
    SCOPED_TRACE(i);
    Bytes out(MaxCiphertextSize(suite(), 40));
    auto single = single_enc.Encrypt({}, pt, absl::MakeSpan(out));
    EXPECT_EQ(items[i].status, single.status());
    if (single.ok()) {
      EXPECT_EQ(Bytes(items[i].result.begin(), items[i].result.end()),
                Bytes(single->begin(), single->end()));
    } else {
      ++refused;
    }
  }
  EXPECT_EQ(batch_calls, single_calls);
  EXPECT_EQ(refused, 1u);
  EXPECT_EQ(batch_enc.next_counter(), single_enc.next_counter());
}

// Decryption parses headers shaped like the last authenticated one through a
// template (one word compare). A counter field of that shape that is not
// minimally encoded must still be refused as malformed, as by the full
// parse, single and batched, and counted as such, never as an
// authentication failure.
TEST_P(BatchTest, NonMinimalCountersAfterALearnedShapeAreMalformed) {
  Encryptor enc = MakeEncryptor(300, kKeyB, 1000);  // 2-byte KID and CTR
  const Bytes pt(40, 3);
  std::vector<Bytes> good;
  for (int i = 0; i < 6; ++i) good.push_back(Seal(enc, pt));
  ASSERT_EQ(good[0][0], 0x99);  // KID and CTR extended, 2 bytes each
  auto non_minimal = [&](uint8_t hi, uint8_t lo) {
    Bytes f = good[5];
    f[3] = hi;
    f[4] = lo;
    return f;
  };
  const Bytes bad_a = non_minimal(0x00, 0xc8);  // 200 in two bytes
  const Bytes bad_b = non_minimal(0x00, 0x05);  // 5 in two bytes
  const std::vector<Bytes> frames = {good[0], good[1], bad_a,  good[2],
                                     bad_b,   good[3], good[4]};
  const std::vector<absl::StatusCode> want = {
      absl::StatusCode::kOk,       absl::StatusCode::kOk,
      absl::StatusCode::kDataLoss, absl::StatusCode::kOk,
      absl::StatusCode::kDataLoss, absl::StatusCode::kOk,
      absl::StatusCode::kOk};
  // One by one.
  Decryptor single = MakeDecryptor();
  for (size_t i = 0; i < frames.size(); ++i) {
    Bytes out(frames[i].size());
    EXPECT_EQ(
        single.Decrypt({}, frames[i], absl::MakeSpan(out)).status().code(),
        want[i])
        << i;
  }
  EXPECT_EQ(single.malformed_frames(), 2u);
  EXPECT_EQ(single.GetKeyStats(300)->authentication_failures, 0u);
  // In one batch, after a call that taught the key its shape; the batch and
  // a sequential Decryptor agree.
  Decryptor batch_dec = MakeDecryptor(), single_dec = MakeDecryptor();
  for (Decryptor* d : {&batch_dec, &single_dec}) {
    Bytes out(good[5].size());
    ASSERT_TRUE(d->Decrypt({}, good[5], absl::MakeSpan(out)).ok());
  }
  Encryptor enc2 = MakeEncryptor(300, kKeyB, 2000);
  std::vector<Bytes> later;
  for (int i = 0; i < 4; ++i) later.push_back(Seal(enc2, pt));
  Bytes bad_c = later[3];
  bad_c[3] = 0x00;
  bad_c[4] = 0xfe;
  const std::vector<Bytes> batch = {later[0], bad_c, later[1], bad_a, later[2]};
  EXPECT_EQ(DecryptBoth(batch_dec, single_dec, batch,
                        std::vector<Bytes>(batch.size()),
                        std::vector<size_t>(batch.size(), 64)),
            (std::vector<absl::StatusCode>{
                absl::StatusCode::kOk, absl::StatusCode::kDataLoss,
                absl::StatusCode::kOk, absl::StatusCode::kDataLoss,
                absl::StatusCode::kOk}));
  EXPECT_EQ(batch_dec.malformed_frames(), 2u);
  EXPECT_EQ(batch_dec.GetKeyStats(300)->authentication_failures, 0u);
}

// The decrypt batch parses headers through the template of an earlier one
// (HeaderShapes): senders interleaved frame by frame, in blocks, with
// counters that grow a byte in the middle, and non-minimal counters of a
// learned shape among them; every status and statistic as sequential calls.
TEST_P(BatchTest, HeaderShapesOfInterleavedSendersMatchSequentialCalls) {
  Encryptor a = MakeEncryptor(1, kKeyA, 250);
  Encryptor b = MakeEncryptor(300, kKeyB, 65530);
  Encryptor c = MakeEncryptor(0x123456789, kKeyC, 240);
  Encryptor* const senders[] = {&a, &b, &c};
  std::mt19937_64 rng(5);
  std::vector<Bytes> frames;
  // Alternating, then blocks of 2-7 of one sender, then random.
  for (int i = 0; i < 24; ++i)
    frames.push_back(Seal(*senders[i % 3], Bytes(30, 1)));
  for (int block = 0; block < 12; ++block) {
    Encryptor* s = senders[block % 3];
    for (int j = 0, n = 2 + block % 6; j < n; ++j) {
      frames.push_back(Seal(*s, Bytes(20 + j, 2)));
    }
  }
  for (int i = 0; i < 30; ++i) {
    frames.push_back(Seal(*senders[rng() % 3], Bytes(rng() % 200, 3)));
  }
  // Non-minimal copies of some frames' counters (the counter's top byte
  // cleared where that leaves it non-minimal), and truncated frames.
  for (size_t i = 5; i < frames.size(); i += 11) {
    Bytes bad = frames[i];
    Header h;
    const size_t hs = internal::ParseHeaderTo(bad.data(), bad.size(), &h);
    const size_t ctr_len = internal::HeaderFieldSize(h.counter);
    if (hs == 0 || ctr_len < 2) continue;
    bad[hs - ctr_len] = 0;
    frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(i + 1), bad);
    frames.insert(frames.begin() + static_cast<std::ptrdiff_t>(i + 2),
                  Bytes(frames[i].begin(), frames[i].begin() + 6));
  }
  Decryptor batch_dec = MakeDecryptor(), single_dec = MakeDecryptor();
  const std::vector<absl::StatusCode> codes = DecryptBoth(
      batch_dec, single_dec, frames, std::vector<Bytes>(frames.size()),
      std::vector<size_t>(frames.size(), 256));
  size_t ok = 0, malformed = 0;
  for (absl::StatusCode code : codes) {
    ok += code == absl::StatusCode::kOk;
    malformed += code == absl::StatusCode::kDataLoss;
  }
  EXPECT_GT(ok, 100u);
  EXPECT_GT(malformed, 10u);
  EXPECT_EQ(batch_dec.malformed_frames(), malformed);
}

TEST_P(BatchTest, EmptyBatchIsANoOp) {
  Decryptor dec = MakeDecryptor();
  EXPECT_EQ(EncryptBatch({}), 0u);
  EXPECT_EQ(DecryptBatch(dec, {}), 0u);
}

TEST_P(BatchTest, AllocatesNothing) {
  Encryptor enc = MakeEncryptor(1, kKeyA, 200);
  Encryptor enc_b = MakeEncryptor(300, kKeyB);
  Decryptor dec = MakeDecryptor();
  constexpr size_t kFrames = 64;
  std::vector<Bytes> pts(kFrames), cts(kFrames), pt_out(kFrames);
  std::vector<EncryptBatchItem> enc_items(kFrames);
  std::vector<DecryptBatchItem> dec_items(kFrames);
  for (size_t i = 0; i < kFrames; ++i) {
    pts[i] = RandomBytes(i * 19, rng_);
    cts[i].assign(MaxCiphertextSize(suite(), pts[i].size()), 0);
    pt_out[i].assign(cts[i].size(), 0);
    enc_items[i].encryptor = i % 3 == 0 ? &enc_b : &enc;
    enc_items[i].plaintext = pts[i];
    enc_items[i].out = absl::MakeSpan(cts[i]);
  }
  // Results are checked after the measurement, outside it.
  const long before = g_allocations.load();
  const size_t sealed = EncryptBatch(absl::MakeSpan(enc_items));
  for (size_t i = 0; i < kFrames; ++i) {
    dec_items[i].ciphertext = enc_items[i].result;
    dec_items[i].out = absl::MakeSpan(pt_out[i]);
  }
  dec_items[5].out = dec_items[5].out.first(1);  // too small
  const size_t opened = DecryptBatch(dec, absl::MakeSpan(dec_items));
  // Everything again is a replay (or too small).
  const size_t replayed = DecryptBatch(dec, absl::MakeSpan(dec_items));
  const long allocations = g_allocations.load() - before;
  EXPECT_EQ(sealed, kFrames);
  EXPECT_EQ(opened, kFrames - 1);
  EXPECT_EQ(replayed, 0u);
  EXPECT_EQ(allocations, 0);
  // The counter measures something.
  const long before_install = g_allocations.load();
  ASSERT_TRUE(dec.AddKey(1000, kKeyA).ok());
  EXPECT_GT(g_allocations.load(), before_install);
}

INSTANTIATE_TEST_SUITE_P(
    AllSuites, BatchTest,
    ::testing::ValuesIn(testing::AllSuitesAndImplementations()),
    [](const ::testing::TestParamInfo<SuiteAndImpl>& info) {
      return testing::SuiteAndImplName(info.param);
    });

}  // namespace
}  // namespace sframe
