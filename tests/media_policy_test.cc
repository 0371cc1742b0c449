// Copyright 2026 The sframecpp Authors.
//
// Codec policies (ClearPrefixSize) and the H.264/H.265 escaping, including
// robustness on malformed and random input.

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/media.h"
#include "src/media/codec_policy.h"
#include "tests/media_test_frames.h"

namespace sframe {
namespace {

using ::sframe::testing::MediaFrame;
using ::sframe::testing::RecordedFrames;

size_t ClearOf(MediaCodec codec, const std::vector<uint8_t>& frame) {
  absl::StatusOr<size_t> n = ClearPrefixSize(codec, frame);
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : 0;
}

absl::StatusCode CodeOf(MediaCodec codec, const std::vector<uint8_t>& frame) {
  return ClearPrefixSize(codec, frame).status().code();
}

TEST(MediaPolicy, RecordedFramesHaveTheDocumentedClearPrefix) {
  for (const MediaFrame& f : RecordedFrames()) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(ClearOf(f.codec, f.bytes), f.clear_size);
  }
}

TEST(MediaPolicy, NamesAreStable) {
  EXPECT_EQ(MediaCodecName(MediaCodec::kH264), "h264");
  EXPECT_EQ(MediaCodecName(MediaCodec::kAv1), "av1");
  EXPECT_EQ(MediaCodecName(static_cast<MediaCodec>(99)), "unknown");
  EXPECT_EQ(CodeOf(static_cast<MediaCodec>(99), {1, 2, 3}),
            absl::StatusCode::kInvalidArgument);
}

TEST(WholeFramePolicy, KeepsNothing) {
  EXPECT_EQ(ClearOf(MediaCodec::kWholeFrame, {}), 0u);
  EXPECT_EQ(ClearOf(MediaCodec::kWholeFrame, {0, 0, 1}), 0u);
}

TEST(OpusPolicy, KeepsTheTocByteAndRejectsAnEmptyPacket) {
  EXPECT_EQ(ClearOf(MediaCodec::kOpus, {0xfc}), 1u);
  EXPECT_EQ(CodeOf(MediaCodec::kOpus, {}), absl::StatusCode::kDataLoss);
}

TEST(Vp8Policy, KeyFrameKeepsTenBytesDeltaFrameThree) {
  std::vector<uint8_t> key(10, 0x00);
  std::vector<uint8_t> delta(3, 0x01);
  EXPECT_EQ(ClearOf(MediaCodec::kVp8, key), 10u);
  EXPECT_EQ(ClearOf(MediaCodec::kVp8, delta), 3u);
}

TEST(Vp8Policy, RejectsFramesShorterThanTheirClearPart) {
  EXPECT_EQ(CodeOf(MediaCodec::kVp8, {}), absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kVp8, std::vector<uint8_t>(9, 0)),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kVp8, {0x01, 0x00}),
            absl::StatusCode::kDataLoss);
}

// Writes VP9 headers field by field (VP9 bitstream spec §6.2).
class BitWriter {
 public:
  void Put(uint32_t value, int bits) {
    for (int i = bits - 1; i >= 0; --i) {
      if (n_ % 8 == 0) bytes_.push_back(0);
      if ((value >> i) & 1) bytes_.back() |= 0x80 >> (n_ % 8);
      ++n_;
    }
  }
  size_t bits() const { return n_; }
  std::vector<uint8_t> bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  size_t n_ = 0;
};

// A profile-0 key frame of `width` x 480 with loop-filter deltas, no
// segmentation, and `tile_bits` tile-column increments.
std::vector<uint8_t> Vp9KeyFrame(uint32_t width, int tile_bits,
                                 size_t* header_bytes) {
  BitWriter w;
  w.Put(2, 2);          // frame_marker
  w.Put(0, 2);          // profile 0
  w.Put(0, 1);          // show_existing_frame
  w.Put(0, 1);          // frame_type KEY_FRAME
  w.Put(1, 1);          // show_frame
  w.Put(0, 1);          // error_resilient_mode
  w.Put(0x498342, 24);  // frame_sync_code
  w.Put(2, 3);          // color_space BT_709
  w.Put(0, 1);          // color_range
  w.Put(width - 1, 16);
  w.Put(479, 16);
  w.Put(0, 1);   // render_and_frame_size_different
  w.Put(1, 1);   // refresh_frame_context
  w.Put(1, 1);   // frame_parallel_decoding_mode
  w.Put(0, 2);   // frame_context_idx
  w.Put(36, 6);  // loop_filter_level
  w.Put(0, 3);   // sharpness
  w.Put(1, 1);   // delta_enabled
  w.Put(1, 1);   // delta_update
  for (int i = 0; i < 6; ++i) {
    w.Put(i % 2, 1);            // update
    if (i % 2) w.Put(0x25, 7);  // su(6)
  }
  w.Put(60, 8);  // base_q_idx
  w.Put(0, 1);   // delta_q_y_dc
  w.Put(1, 1);   // delta_q_uv_dc coded
  w.Put(3, 5);
  w.Put(0, 1);  // delta_q_uv_ac
  w.Put(0, 1);  // segmentation_enabled
  for (int i = 0; i < tile_bits; ++i) w.Put(1, 1);
  w.Put(0, 1);     // tile_rows_log2
  w.Put(123, 16);  // header_size_in_bytes
  *header_bytes = (w.bits() + 7) / 8;
  std::vector<uint8_t> f = w.bytes();
  for (int i = 0; i < 123 + 50; ++i) f.push_back(static_cast<uint8_t>(i * 7));
  return f;
}

TEST(Vp9Policy, KeyFrameKeepsTheWholeUncompressedHeader) {
  // Widths for which the tile-column loop reads 0, 1 and 2 bits.
  struct Case {
    uint32_t width;
    int tile_bits;
  } cases[] = {{320, 0}, {640, 1}, {1920, 2}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.width);
    size_t header = 0;
    std::vector<uint8_t> f = Vp9KeyFrame(c.width, c.tile_bits, &header);
    EXPECT_EQ(ClearOf(MediaCodec::kVp9, f), header);
  }
}

TEST(Vp9Policy, InterFrameSizedFromAReferenceStopsAfterSegmentation) {
  BitWriter w;
  w.Put(2, 2);
  w.Put(0, 2);
  w.Put(0, 1);                                   // show_existing_frame
  w.Put(1, 1);                                   // NON_KEY
  w.Put(1, 1);                                   // show_frame
  w.Put(0, 1);                                   // error_resilient_mode
  w.Put(0, 2);                                   // reset_frame_context
  w.Put(0x01, 8);                                // refresh_frame_flags
  for (int i = 0; i < 3; ++i) w.Put(i << 1, 4);  // ref_frame_idx, sign_bias
  w.Put(1, 1);                                   // found_ref
  w.Put(0, 1);  // render_and_frame_size_different
  w.Put(1, 1);  // allow_high_precision_mv
  w.Put(1, 1);  // is_filter_switchable
  w.Put(0, 2);  // refresh_frame_context, frame_parallel
  w.Put(1, 2);  // frame_context_idx
  w.Put(10, 6);
  w.Put(0, 3);
  w.Put(0, 1);  // no loop filter deltas
  w.Put(100, 8);
  w.Put(0, 3);  // no delta q
  w.Put(0, 1);  // segmentation off
  const size_t expected = (w.bits() + 7) / 8;
  std::vector<uint8_t> f = w.bytes();
  f.resize(f.size() + 50, 0x5a);
  EXPECT_EQ(ClearOf(MediaCodec::kVp9, f), expected);
}

TEST(Vp9Policy, RejectsBadMarkerBadSyncCodeAndTruncation) {
  size_t header = 0;
  std::vector<uint8_t> f = Vp9KeyFrame(640, 1, &header);
  std::vector<uint8_t> bad_marker = f;
  bad_marker[0] ^= 0x40;
  EXPECT_EQ(CodeOf(MediaCodec::kVp9, bad_marker), absl::StatusCode::kDataLoss);
  std::vector<uint8_t> bad_sync = f;
  bad_sync[2] ^= 0x10;
  EXPECT_EQ(CodeOf(MediaCodec::kVp9, bad_sync), absl::StatusCode::kDataLoss);
  for (size_t n = 0; n < header; ++n) {
    std::vector<uint8_t> t(f.begin(), f.begin() + n);
    EXPECT_EQ(CodeOf(MediaCodec::kVp9, t), absl::StatusCode::kDataLoss) << n;
  }
}

TEST(H264Policy, KeepsParameterSetsAndTheSliceHeaderUpToThePpsId) {
  for (const MediaFrame& f : RecordedFrames()) {
    if (f.codec != MediaCodec::kH264) continue;
    SCOPED_TRACE(f.name);
    EXPECT_EQ(ClearOf(MediaCodec::kH264, f.bytes), f.clear_size);
  }
  // A large pps_id spanning an emulation prevention byte: first_mb 0
  // ('1'), slice_type 0 ('1'), then pps_id with 16 leading zeros across
  // 00 00 03.
  std::vector<uint8_t> f = {0,    0,    1,    0x01, 0xc0, 0x00, 0x00,
                            0x03, 0x00, 0x80, 0x01, 0x77, 0x55};
  // After the header: first_mb '1', slice_type '1', then pps_id: 30 zeros
  // (the 03 after 00 00 is skipped), '1' and 30 more bits: all 13 bytes.
  absl::StatusOr<size_t> n = ClearPrefixSize(MediaCodec::kH264, f);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, f.size());
}

TEST(H264Policy, RejectsFramesWithoutStartCodeOrSlice) {
  EXPECT_EQ(CodeOf(MediaCodec::kH264, {}), absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kH264, {0x65, 0x88}),
            absl::StatusCode::kDataLoss);
  // SPS and PPS only.
  EXPECT_EQ(CodeOf(MediaCodec::kH264, {0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68}),
            absl::StatusCode::kDataLoss);
  // Slice header cut short by the next start code.
  EXPECT_EQ(CodeOf(MediaCodec::kH264, {0, 0, 1, 0x65, 0x00, 0, 0, 1, 0x65}),
            absl::StatusCode::kDataLoss);
  // Empty NAL unit.
  EXPECT_EQ(CodeOf(MediaCodec::kH264, {0, 0, 1, 0, 0, 1, 0x65, 0xff}),
            absl::StatusCode::kDataLoss);
  // ue(v) with more than 31 leading zeros.
  EXPECT_EQ(
      CodeOf(MediaCodec::kH264, {0, 0, 1, 0x65, 0x80, 0x00, 0x00, 0x03, 0x00,
                                 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x80}),
      absl::StatusCode::kDataLoss);
}

TEST(H265Policy, KeepsParameterSetsAndTheSliceHeaderUpToThePpsId) {
  for (const MediaFrame& f : RecordedFrames()) {
    if (f.codec != MediaCodec::kH265) continue;
    SCOPED_TRACE(f.name);
    EXPECT_EQ(ClearOf(MediaCodec::kH265, f.bytes), f.clear_size);
  }
}

TEST(H265Policy, RejectsATruncatedNalHeader) {
  EXPECT_EQ(CodeOf(MediaCodec::kH265, {0, 0, 1, 0x26}),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kH265, {0, 0, 1, 0x26, 0x01}),
            absl::StatusCode::kDataLoss);
}

TEST(Av1Policy, KeepsTemporalDelimiterSequenceHeaderAndTheFirstObuHeader) {
  for (const MediaFrame& f : RecordedFrames()) {
    if (f.codec != MediaCodec::kAv1) continue;
    SCOPED_TRACE(f.name);
    EXPECT_EQ(ClearOf(MediaCodec::kAv1, f.bytes), f.clear_size);
  }
}

TEST(Av1Policy, RejectsMalformedObus) {
  // Forbidden bit; sequence header without size field; size past the end;
  // only a temporal delimiter; leb128 longer than 8 bytes.
  EXPECT_EQ(CodeOf(MediaCodec::kAv1, {0x92, 0x00}),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kAv1, {0x08, 0x00, 0x32, 0x00}),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kAv1, {0x0a, 0x05, 0x00}),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kAv1, {0x12, 0x00}),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kAv1, {0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x00}),
            absl::StatusCode::kDataLoss);
  // Extension flag without the extension byte.
  EXPECT_EQ(CodeOf(MediaCodec::kAv1, {0x12, 0x00, 0x36}),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(CodeOf(MediaCodec::kAv1, {}), absl::StatusCode::kDataLoss);
}

TEST(MediaPolicy, NeverCrashesOnRandomOrTruncatedInput) {
  std::mt19937_64 rng(42);
  for (MediaCodec codec : kAllMediaCodecs) {
    for (int i = 0; i < 3000; ++i) {
      std::vector<uint8_t> f(rng() % 64);
      for (auto& b : f) b = static_cast<uint8_t>(rng());
      if (i % 3 == 0 && f.size() >= 4) {
        f[0] = f[1] = 0;
        f[2] = 1;  // make the H.26x parsers go deeper
      }
      absl::StatusOr<size_t> n = ClearPrefixSize(codec, f);
      if (n.ok()) {
        EXPECT_LE(*n, f.size());
      } else {
        EXPECT_EQ(n.status().code(), absl::StatusCode::kDataLoss);
      }
    }
    for (const MediaFrame& f : RecordedFrames()) {
      if (f.codec != codec) continue;
      for (size_t n = 0; n <= f.bytes.size() && n < 64; ++n) {
        absl::StatusOr<size_t> c =
            ClearPrefixSize(codec, absl::MakeConstSpan(f.bytes.data(), n));
        if (c.ok()) {
          EXPECT_LE(*c, n);
        }
      }
    }
  }
}

TEST(H264Escaping, RoundTripsAndNeverEmitsAStartCode) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> in(rng() % 200);
    for (auto& b : in) b = static_cast<uint8_t>(rng() % 4 == 0 ? 0 : rng() % 5);
    const int lead = static_cast<int>(rng() % 3);
    std::vector<uint8_t> wire(lead, 0);  // what precedes it on the wire
    std::vector<uint8_t> esc(internal::EscapedSizeBound(in.size()));
    const size_t n =
        internal::EscapeNalPayload(in.data(), in.size(), lead, esc.data());
    ASSERT_LE(n, esc.size());
    wire.insert(wire.end(), esc.begin(), esc.begin() + n);
    for (size_t j = 0; j + 2 < wire.size(); ++j) {
      ASSERT_FALSE(wire[j] == 0 && wire[j + 1] == 0 && wire[j + 2] <= 2)
          << "at " << j;
    }
    ASSERT_NE(wire.back(), 0);
    std::vector<uint8_t> back(n);
    absl::StatusOr<size_t> m =
        internal::UnescapeNalPayload(esc.data(), n, lead, back.data());
    ASSERT_TRUE(m.ok());
    back.resize(*m);
    EXPECT_EQ(back, in);
  }
}

TEST(H264Escaping, UnescapeRejectsStartCodesAndAMissingEndByte) {
  uint8_t out[8];
  const uint8_t start_code[] = {0x11, 0x00, 0x00, 0x01, 0x80};
  EXPECT_FALSE(internal::UnescapeNalPayload(start_code, 5, 0, out).ok());
  const uint8_t no_end[] = {0x11, 0x22};
  EXPECT_FALSE(internal::UnescapeNalPayload(no_end, 2, 0, out).ok());
  EXPECT_FALSE(internal::UnescapeNalPayload(no_end, 0, 0, out).ok());
  const uint8_t across_prefix[] = {0x00, 0x80};  // 00 | 00 00 with lead 2
  EXPECT_FALSE(internal::UnescapeNalPayload(across_prefix, 2, 2, out).ok());
}

}  // namespace
}  // namespace sframe
