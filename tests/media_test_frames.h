// Copyright 2026 The sframecpp Authors.
//
// Recorded-style encoded frames for the media tests: real headers (or
// headers written field by field from the codec specs) followed by
// pseudo-random payload bytes, and the clear prefix each policy must keep.

#ifndef SFRAME_TESTS_MEDIA_TEST_FRAMES_H_
#define SFRAME_TESTS_MEDIA_TEST_FRAMES_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sframe/media.h"

namespace sframe {
namespace testing {

struct MediaFrame {
  std::string name;
  MediaCodec codec;
  std::vector<uint8_t> bytes;
  size_t clear_size;  // what ClearPrefixSize must return
};

inline void AppendRandom(std::vector<uint8_t>& v, size_t n,
                         std::mt19937_64& rng) {
  for (size_t i = 0; i < n; ++i) v.push_back(static_cast<uint8_t>(rng()));
}

// Payload bytes of an H.264/H.265 NAL unit: random, then escaped so that
// they contain no start code (as an encoder's output would be).
inline void AppendNalPayload(std::vector<uint8_t>& v, size_t n,
                             std::mt19937_64& rng) {
  int zeros = 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = static_cast<uint8_t>(rng());
    if (rng() % 8 == 0) b = 0;  // plenty of zeros
    if (zeros >= 2 && b <= 3) {
      v.push_back(3);
      zeros = 0;
    }
    v.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  if (v.back() == 0) v.push_back(0x80);
}

inline void Append(std::vector<uint8_t>& v, std::initializer_list<uint8_t> b) {
  v.insert(v.end(), b);
}

// One frame per policy (several for some), each with its expected clear
// prefix.
inline std::vector<MediaFrame> RecordedFrames(uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::vector<MediaFrame> out;

  {  // Opus: TOC 0x78 (SILK/CELT hybrid FB 20 ms, mono, 1 frame).
    std::vector<uint8_t> f = {0x78};
    AppendRandom(f, 80, rng);
    out.push_back({"opus", MediaCodec::kOpus, f, 1});
  }
  {  // VP8 key frame: frame tag (key, show, first partition size), start
     // code 9d 01 2a, 640x480.
    std::vector<uint8_t> f = {0x50, 0x2d, 0x00, 0x9d, 0x01,
                              0x2a, 0x80, 0x02, 0xe0, 0x01};
    AppendRandom(f, 1500, rng);
    out.push_back({"vp8_key", MediaCodec::kVp8, f, 10});
  }
  {  // VP8 delta frame.
    std::vector<uint8_t> f = {0x31, 0x0b, 0x00};
    AppendRandom(f, 300, rng);
    out.push_back({"vp8_delta", MediaCodec::kVp8, f, 3});
  }
  {  // VP9 inter frame with segmentation, encoded by libvpx: the header of
     // WebRTC's vp9_uncompressed_header_parser_unittest.cc
     // (FrameWithSegmentation), whose uncompressed header is 37 bytes
     // (compressed header 23).
    std::vector<uint8_t> f = {
        0x87, 0x01, 0x00, 0x00, 0x02, 0x7e, 0x01, 0xdf, 0x02, 0x7f, 0x01, 0xdf,
        0xc6, 0x87, 0x04, 0x83, 0x83, 0x2e, 0x46, 0x60, 0x20, 0x38, 0x0c, 0x06,
        0x03, 0xcd, 0x80, 0xc0, 0x60, 0x9f, 0xc5, 0x46, 0x00, 0x00, 0x00, 0x00,
        0x2e, 0x73, 0xb7, 0xee, 0x22, 0x06, 0x81, 0x82, 0xd4, 0xef, 0xc3, 0x58,
        0x1f, 0x12, 0xd2, 0x7b, 0x28, 0x1f, 0x80, 0xfc, 0x07, 0xe0, 0x00, 0x00};
    AppendRandom(f, 400, rng);
    out.push_back({"vp9_inter_segmentation", MediaCodec::kVp9, f, 37});
  }
  {  // VP9 show_existing_frame (frame_to_show_map_idx 5): one byte.
    out.push_back({"vp9_show_existing", MediaCodec::kVp9, {0x8d}, 1});
  }
  {  // H.264: SPS, PPS, IDR slice (first_mb 0, slice_type 7, pps_id 0:
     // bits 1 0001000 1 -> 2 bytes of slice header).
    std::vector<uint8_t> f = {0,    0,    0,    1,    0x67, 0x42, 0xc0,
                              0x1f, 0x8c, 0x8d, 0x40, 0x50, 0x1e, 0xd0,
                              0x0f, 0x08, 0x84, 0x6a, 0,    0,    0,
                              1,    0x68, 0xce, 0x3c, 0x80};
    Append(f, {0, 0, 0, 1, 0x65});
    const size_t clear = f.size() + 2;
    Append(f, {0x88, 0x84});
    AppendNalPayload(f, 3000, rng);
    // A second slice of the same picture (encrypted with the rest).
    Append(f, {0, 0, 1, 0x65, 0xb8, 0x41});
    AppendNalPayload(f, 500, rng);
    out.push_back({"h264_idr", MediaCodec::kH264, f, clear});
  }
  {  // H.264 non-IDR slice behind an AUD (first_mb 0, slice_type 5,
     // pps_id 0: bits 1 00110 1 -> 1 byte).
    std::vector<uint8_t> f = {0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41};
    const size_t clear = f.size() + 1;
    Append(f, {0x9a});
    AppendNalPayload(f, 800, rng);
    out.push_back({"h264_p", MediaCodec::kH264, f, clear});
  }
  {  // H.265: VPS, SPS, PPS, IDR_W_RADL (first_slice_segment_in_pic 1,
     // no_output_of_prior_pics 0, pps_id 0: bits 1 0 1 -> 1 byte).
    std::vector<uint8_t> f = {0, 0, 0, 1, 0x40, 0x01, 0x0c, 0x01, 0xff, 0xff,
                              0, 0, 0, 1, 0x42, 0x01, 0x01, 0x01, 0x60, 0x00,
                              0, 0, 0, 1, 0x44, 0x01, 0xc1, 0x72, 0xb4};
    Append(f, {0, 0, 0, 1, 0x26, 0x01});
    const size_t clear = f.size() + 1;
    Append(f, {0xaf});
    AppendNalPayload(f, 2500, rng);
    out.push_back({"h265_idr", MediaCodec::kH265, f, clear});
  }
  {  // H.265 TRAIL_R (type 1): header 02 01, then first_slice 1, pps_id 0.
    std::vector<uint8_t> f = {0, 0, 1, 0x02, 0x01};
    const size_t clear = f.size() + 1;
    Append(f, {0xd0});
    AppendNalPayload(f, 700, rng);
    out.push_back({"h265_trail", MediaCodec::kH265, f, clear});
  }
  {  // AV1 key temporal unit: temporal delimiter, sequence header (12
     // bytes), frame OBU (type 6) with an extension byte.
    std::vector<uint8_t> f = {0x12, 0x00, 0x0a, 0x0b, 0x00, 0x00, 0x00, 0x24,
                              0xc4, 0xff, 0xdf, 0x00, 0x68, 0x02, 0x10};
    const size_t clear = f.size() + 2;
    Append(f, {0x36, 0x28, 0x90, 0x0c});  // type 6, ext, size 1552
    AppendRandom(f, 1552, rng);
    out.push_back({"av1_key", MediaCodec::kAv1, f, clear});
  }
  {  // AV1 delta: TD then a frame OBU without extension, size 200.
    std::vector<uint8_t> f = {0x12, 0x00};
    const size_t clear = f.size() + 1;
    Append(f, {0x32, 0xc8, 0x01});
    AppendRandom(f, 200, rng);
    out.push_back({"av1_delta", MediaCodec::kAv1, f, clear});
  }
  {
    std::vector<uint8_t> f;
    AppendRandom(f, 1000, rng);
    out.push_back({"whole", MediaCodec::kWholeFrame, f, 0});
  }
  return out;
}

}  // namespace testing
}  // namespace sframe

#endif  // SFRAME_TESTS_MEDIA_TEST_FRAMES_H_
