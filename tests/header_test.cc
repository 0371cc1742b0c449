// Copyright 2026 The sframecpp Authors.

#include "sframe/header.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "src/core/header_internal.h"

namespace sframe {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

std::vector<uint8_t> Encode(KeyId kid, Counter ctr) {
  uint8_t buf[kMaxHeaderSize];
  auto out = EncodeHeader({kid, ctr}, buf);
  EXPECT_TRUE(out.ok());
  return {out->begin(), out->end()};
}

TEST(HeaderTest, EncodesRfcExamples) {
  EXPECT_EQ(Encode(0, 0), (std::vector<uint8_t>{0x00}));
  EXPECT_EQ(Encode(7, 7), (std::vector<uint8_t>{0x77}));
  EXPECT_EQ(Encode(0, 8), (std::vector<uint8_t>{0x08, 0x08}));
  EXPECT_EQ(Encode(8, 0), (std::vector<uint8_t>{0x80, 0x08}));
  EXPECT_EQ(Encode(0, 255), (std::vector<uint8_t>{0x08, 0xff}));
  EXPECT_EQ(Encode(0, 256), (std::vector<uint8_t>{0x09, 0x01, 0x00}));
  EXPECT_EQ(Encode(5, 300), (std::vector<uint8_t>{0x59, 0x01, 0x2c}));
  EXPECT_EQ(Encode(0x123, 0x4567),
            (std::vector<uint8_t>{0x99, 0x01, 0x23, 0x45, 0x67}));
  std::vector<uint8_t> max(17, 0xff);
  EXPECT_EQ(Encode(kMax, kMax), max);
}

TEST(HeaderTest, RoundTripsEdgeValues) {
  const uint64_t edges[] = {
      0,          1,        7,     8,          255,
      256,        65535,    65536, 1ull << 32, (1ull << 56) - 1,
      1ull << 56, kMax - 1, kMax};
  for (uint64_t kid : edges) {
    for (uint64_t ctr : edges) {
      std::vector<uint8_t> bytes = Encode(kid, ctr);
      EXPECT_EQ(bytes.size(), EncodedHeaderSize({kid, ctr}));
      bytes.push_back(0xaa);  // payload
      auto parsed = ParseHeader(bytes);
      ASSERT_TRUE(parsed.ok()) << kid << " " << ctr;
      EXPECT_EQ(parsed->header, (Header{kid, ctr}));
      EXPECT_EQ(parsed->bytes.size(), bytes.size() - 1);
      EXPECT_EQ(parsed->payload.size(), 1u);
    }
  }
}

TEST(HeaderTest, RejectsOutputTooSmall) {
  uint8_t buf[4];
  EXPECT_EQ(EncodeHeader({0x123, 0x4567}, buf).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HeaderTest, RejectsEmptyInput) {
  EXPECT_EQ(ParseHeader({}).status().code(), absl::StatusCode::kDataLoss);
}

TEST(HeaderTest, RejectsEveryTruncation) {
  const std::vector<uint8_t> full = Encode(kMax, kMax);
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(ParseHeader(absl::MakeConstSpan(full).first(n)).status().code(),
              absl::StatusCode::kDataLoss)
        << n;
  }
  const std::vector<uint8_t> mid = Encode(0x123, 0x4567);
  for (size_t n = 0; n < mid.size(); ++n) {
    EXPECT_FALSE(ParseHeader(absl::MakeConstSpan(mid).first(n)).ok()) << n;
  }
}

TEST(HeaderTest, RejectsNonMinimalEncodings) {
  const std::vector<std::vector<uint8_t>> bad = {
      {0x80, 0x05},                       // KID 5 in extended form
      {0x08, 0x07},                       // CTR 7 in extended form
      {0x80, 0x00},                       // KID 0 in extended form
      {0x90, 0x00, 0xff},                 // KID 0x00ff in two bytes
      {0x09, 0x00, 0xff},                 // CTR 0x00ff in two bytes
      {0x0f, 0, 0, 0, 0, 0, 0, 0, 0x08},  // CTR 8 in eight bytes
  };
  for (const auto& b : bad) {
    EXPECT_EQ(ParseHeader(b).status().code(), absl::StatusCode::kDataLoss);
  }
}

TEST(HeaderTest, AcceptsEveryInlineValue) {
  for (uint8_t k = 0; k < 8; ++k) {
    for (uint8_t c = 0; c < 8; ++c) {
      const uint8_t b = static_cast<uint8_t>(k << 4 | c);
      auto parsed = ParseHeader(absl::Span<const uint8_t>(&b, 1));
      ASSERT_TRUE(parsed.ok());
      EXPECT_EQ(parsed->header, (Header{k, c}));
    }
  }
}

TEST(HeaderTest, ParsesEveryConfigByteWithoutCrashing) {
  std::vector<uint8_t> buf(17, 0xff);
  for (int config = 0; config < 256; ++config) {
    buf[0] = static_cast<uint8_t>(config);
    for (size_t n = 0; n <= buf.size(); ++n) {
      auto parsed = ParseHeader(absl::MakeConstSpan(buf).first(n));
      if (parsed.ok()) {
        EXPECT_LE(parsed->bytes.size(), n);
        EXPECT_EQ(EncodedHeaderSize(parsed->header), parsed->bytes.size());
      }
    }
  }
}

// PeekKeyId (DecryptBatch's hint on whether the sender changes) reads the
// KID the full parse reads, from every header that parses, with or without
// the bytes after the KID; it never reads past `size`, and it says no when
// the KID itself is cut short.
TEST(HeaderTest, PeekedKeyIdIsTheParsedOne) {
  const uint64_t edges[] = {0,   1,     7,          8,          255,
                            256, 65535, 1ull << 32, 1ull << 56, kMax};
  for (uint64_t kid : edges) {
    for (uint64_t ctr : edges) {
      const std::vector<uint8_t> bytes = Encode(kid, ctr);
      const size_t kid_end = 1 + internal::HeaderFieldSize(kid);
      for (size_t n = 0; n <= bytes.size(); ++n) {
        // A copy of exactly n bytes, so that ASan sees any read past them.
        const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
        KeyId peeked = 12345;
        const bool ok = internal::PeekKeyId(cut.data(), n, &peeked);
        EXPECT_EQ(ok, n >= kid_end) << kid << " " << ctr << " " << n;
        if (ok) {
          EXPECT_EQ(peeked, kid) << kid << " " << ctr << " " << n;
        }
      }
    }
  }
}

// HeaderTemplate::Parse (the batch decrypt path's shortcut for headers
// shaped like the last one) either declines or returns exactly what
// ParseHeaderTo returns, for templates of every shape it takes and frames
// of every shape, random bytes and non-minimal counters; and it does not
// decline the frames of its own shape.
TEST(HeaderTest, TemplateParseAgreesWithTheFullParse) {
  std::mt19937_64 rng(11);
  const auto random_value = [&rng]() -> uint64_t {
    const int bits = static_cast<int>(rng() % 65);
    return bits == 0 ? 0 : rng() >> (64 - bits);
  };
  size_t templates = 0, hits = 0;
  for (int round = 0; round < 3000; ++round) {
    const Header a{random_value(), random_value()};
    std::vector<uint8_t> frame_a = Encode(a.key_id, a.counter);
    frame_a.resize(frame_a.size() + 16, 0x5a);  // a tag after the header
    const internal::HeaderTemplate t = internal::HeaderTemplate::Of(a);
    const size_t a_size = EncodedHeaderSize(a);
    const bool takes = internal::HeaderFieldSize(a.counter) != 0 && a_size <= 8;
    ASSERT_EQ(t.size, takes ? a_size : 0u) << a.key_id << " " << a.counter;
    if (!takes) continue;
    ++templates;
    for (int j = 0; j < 40; ++j) {
      std::vector<uint8_t> frame;
      switch (j % 4) {
        case 0:  // same KID, a counter of any size
          frame = Encode(a.key_id, random_value());
          break;
        case 1: {  // same KID and counter length, any counter bytes
          frame = Encode(a.key_id, a.counter);
          for (size_t k = a_size - internal::HeaderFieldSize(a.counter);
               k < a_size; ++k) {
            frame[k] = static_cast<uint8_t>(rng() % 4 == 0 ? 0 : rng());
          }
          break;
        }
        case 2:  // any header
          frame = Encode(random_value(), random_value());
          break;
        default:  // random bytes
          frame.resize(rng() % 12);
          for (uint8_t& b : frame) b = static_cast<uint8_t>(rng());
          if (!frame.empty() && rng() % 2 == 0) frame[0] = frame_a[0];
          break;
      }
      const size_t tail = rng() % 3 == 0 ? rng() % 8 : 16;
      frame.resize(frame.size() + tail, 0xa5);
      Header full{}, quick{};
      const size_t full_size =
          internal::ParseHeaderTo(frame.data(), frame.size(), &full);
      const size_t quick_size = t.Parse(frame.data(), frame.size(), &quick);
      if (quick_size == 0) continue;
      ++hits;
      ASSERT_EQ(quick_size, full_size) << round << " " << j;
      ASSERT_EQ(quick, full) << round << " " << j;
    }
    // A frame of the template's own shape is taken.
    Header own{};
    ASSERT_EQ(t.Parse(frame_a.data(), frame_a.size(), &own), a_size);
    ASSERT_EQ(own, a);
  }
  EXPECT_GT(templates, 500u);
  EXPECT_GT(hits, 5000u);
}

// The internal copy used by Encryptor::Encrypt and EncryptBatch writes
// exactly the header's bytes (never past them: the payload may already be
// there when encrypting in place), for every header size 1..17.
TEST(HeaderTest, InternalCopyWritesExactlyTheHeader) {
  for (int kid_len = 0; kid_len <= 8; ++kid_len) {
    for (int ctr_len = 0; ctr_len <= 8; ++ctr_len) {
      // The smallest and largest value of each encoded length.
      for (int top = 0; top < 2; ++top) {
        auto value = [top](int len) -> uint64_t {
          if (len == 0) return top ? 7 : 0;
          if (top) return len == 8 ? kMax : (uint64_t{1} << (8 * len)) - 1;
          return len == 1 ? 8 : uint64_t{1} << (8 * (len - 1));
        };
        const Header h{value(kid_len), value(ctr_len)};
        const std::vector<uint8_t> expect = Encode(h.key_id, h.counter);
        uint8_t scratch[internal::kHeaderScratchSize];
        ASSERT_EQ(internal::EncodeHeaderTo(h, scratch), expect.size());
        std::vector<uint8_t> dst(40, 0xa5);
        internal::CopyHeader(dst.data() + 3, scratch, expect.size());
        std::vector<uint8_t> want(40, 0xa5);
        std::copy(expect.begin(), expect.end(), want.begin() + 3);
        EXPECT_EQ(dst, want) << "kid_len=" << kid_len << " ctr_len=" << ctr_len
                             << " top=" << top;
      }
    }
  }
}

}  // namespace
}  // namespace sframe
