// Copyright 2026 The sframecpp Authors.
//
// Codec policies: how many leading bytes of a frame stay in the clear.
// Every parser here reads untrusted bytes through a bounds-checked cursor and
// fails with kDataLoss; each decision depends only on the bytes it keeps in
// the clear, so the receiver recomputes it on the encrypted frame.

#include "src/media/codec_policy.h"

#include <cstddef>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/media.h"
#include "src/media/bit_reader.h"

namespace sframe {
namespace internal {
namespace {

absl::Status Malformed() {
  return absl::Status(absl::StatusCode::kDataLoss, "");
}

// ------------------------------------------------------------------- VP8

// RFC 6386 §9.1: the 3-byte frame tag; bit 0 of the first byte is 0 on key
// frames, which add the start code 9d 01 2a and 4 bytes of dimensions.
absl::StatusOr<size_t> Vp8ClearSize(absl::Span<const uint8_t> frame) {
  if (frame.empty()) return Malformed();
  const bool key_frame = (frame[0] & 0x01) == 0;
  const size_t n = key_frame ? 10 : 3;
  if (frame.size() < n) return Malformed();
  return n;
}

// ------------------------------------------------------------------- VP9

// VP9 bitstream spec v0.6 §6.2 uncompressed_header(). Stateless: when an
// inter frame takes its size from a reference frame (found_ref), the tile
// info (whose length depends on the frame width) cannot be parsed, so the
// clear part stops after segmentation_params.
class Vp9Parser {
 public:
  explicit Vp9Parser(absl::Span<const uint8_t> frame) : r_(frame, false) {}

  absl::StatusOr<size_t> Parse() {
    uint32_t v = 0;
    if (!Bits(2, &v) || v != 2) return Malformed();  // frame_marker
    uint32_t lo = 0, hi = 0;
    if (!Bits(1, &lo) || !Bits(1, &hi)) return Malformed();
    profile_ = static_cast<int>((hi << 1) | lo);
    if (profile_ == 3 && !Bits(1, &v)) return Malformed();  // reserved_zero
    bool show_existing = false;
    if (!Flag(&show_existing)) return Malformed();
    if (show_existing) {
      if (!Bits(3, &v)) return Malformed();  // frame_to_show_map_idx
      return r_.bytes_consumed();
    }
    bool inter = false, show_frame = false, error_resilient = false;
    if (!Flag(&inter) || !Flag(&show_frame) || !Flag(&error_resilient)) {
      return Malformed();
    }
    bool size_known = true;
    if (!inter) {  // KEY_FRAME
      if (!SyncCode() || !ColorConfig() || !FrameSize() || !RenderSize()) {
        return Malformed();
      }
    } else {
      bool intra_only = false;
      if (!show_frame && !Flag(&intra_only)) return Malformed();
      if (!error_resilient && !Bits(2, &v)) return Malformed();
      if (intra_only) {
        if (!SyncCode()) return Malformed();
        if (profile_ > 0 && !ColorConfig()) return Malformed();
        if (!Bits(8, &v) || !FrameSize() || !RenderSize()) return Malformed();
      } else {
        if (!Bits(8, &v)) return Malformed();  // refresh_frame_flags
        for (int i = 0; i < 3; ++i) {
          if (!Bits(4, &v)) return Malformed();  // ref_frame_idx, sign_bias
        }
        bool found_ref = false;
        for (int i = 0; i < 3 && !found_ref; ++i) {
          if (!Flag(&found_ref)) return Malformed();
        }
        if (found_ref) {
          size_known = false;
        } else if (!FrameSize()) {
          return Malformed();
        }
        if (!RenderSize()) return Malformed();
        if (!Bits(1, &v)) return Malformed();  // allow_high_precision_mv
        bool switchable = false;
        if (!Flag(&switchable)) return Malformed();
        if (!switchable && !Bits(2, &v)) return Malformed();
      }
    }
    if (!error_resilient && !Bits(2, &v)) return Malformed();
    if (!Bits(2, &v)) return Malformed();  // frame_context_idx
    if (!LoopFilter() || !Quantization() || !Segmentation()) {
      return Malformed();
    }
    if (!size_known) return r_.bytes_consumed();
    if (!TileInfo() || !Bits(16, &v)) return Malformed();
    return r_.bytes_consumed();  // trailing_bits: up to the byte boundary
  }

 private:
  bool Bits(int n, uint32_t* v) { return r_.ReadBits(n, v); }
  bool Flag(bool* f) { return r_.ReadFlag(f); }
  bool Skip(int n) {
    uint32_t v = 0;
    return r_.ReadBits(n, &v);
  }

  bool SyncCode() {
    uint32_t v = 0;
    return Bits(24, &v) && v == 0x498342;
  }

  bool ColorConfig() {
    if (profile_ >= 2 && !Skip(1)) return false;  // ten_or_twelve_bit
    uint32_t color_space = 0;
    if (!Bits(3, &color_space)) return false;
    const bool odd_profile = profile_ == 1 || profile_ == 3;
    if (color_space != 7) {                       // not CS_RGB
      if (!Skip(1)) return false;                 // color_range
      if (odd_profile && !Skip(3)) return false;  // ss_x, ss_y, reserved
    } else if (odd_profile && !Skip(1)) {
      return false;  // reserved_zero
    }
    return true;
  }

  bool FrameSize() {
    uint32_t w = 0;
    if (!Bits(16, &w) || !Skip(16)) return false;
    width_ = w + 1;
    return true;
  }

  bool RenderSize() {
    bool different = false;
    if (!Flag(&different)) return false;
    return !different || Skip(32);
  }

  bool LoopFilter() {
    if (!Skip(9)) return false;  // level(6), sharpness(3)
    bool delta_enabled = false, delta_update = false;
    if (!Flag(&delta_enabled)) return false;
    if (!delta_enabled) return true;
    if (!Flag(&delta_update)) return false;
    if (!delta_update) return true;
    for (int i = 0; i < 4 + 2; ++i) {  // ref deltas, then mode deltas
      bool update = false;
      if (!Flag(&update)) return false;
      if (update && !Skip(7)) return false;  // su(6)
    }
    return true;
  }

  bool DeltaQ() {
    bool coded = false;
    if (!Flag(&coded)) return false;
    return !coded || Skip(5);  // su(4)
  }

  bool Quantization() { return Skip(8) && DeltaQ() && DeltaQ() && DeltaQ(); }

  bool Prob() {
    bool coded = false;
    if (!Flag(&coded)) return false;
    return !coded || Skip(8);
  }

  bool Segmentation() {
    bool enabled = false;
    if (!Flag(&enabled)) return false;
    if (!enabled) return true;
    bool update_map = false;
    if (!Flag(&update_map)) return false;
    if (update_map) {
      for (int i = 0; i < 7; ++i) {
        if (!Prob()) return false;
      }
      bool temporal = false;
      if (!Flag(&temporal)) return false;
      for (int i = 0; i < 3 && temporal; ++i) {
        if (!Prob()) return false;
      }
    }
    bool update_data = false;
    if (!Flag(&update_data)) return false;
    if (!update_data) return true;
    if (!Skip(1)) return false;  // abs_or_delta
    static constexpr int kFeatureBits[4] = {8, 6, 2, 0};
    static constexpr bool kFeatureSigned[4] = {true, true, false, false};
    for (int i = 0; i < 8; ++i) {
      for (int j = 0; j < 4; ++j) {
        bool feature_enabled = false;
        if (!Flag(&feature_enabled)) return false;
        if (!feature_enabled) continue;
        if (!Skip(kFeatureBits[j])) return false;
        if (kFeatureSigned[j] && !Skip(1)) return false;
      }
    }
    return true;
  }

  bool TileInfo() {
    const uint32_t mi_cols = (width_ + 7) >> 3;
    const uint32_t sb64_cols = (mi_cols + 7) >> 3;
    int min_log2 = 0;
    while ((uint32_t{64} << min_log2) < sb64_cols) ++min_log2;
    int max_log2 = 1;
    while ((sb64_cols >> max_log2) >= 4) ++max_log2;
    --max_log2;
    int log2 = min_log2;
    while (log2 < max_log2) {
      bool increment = false;
      if (!Flag(&increment)) return false;
      if (!increment) break;
      ++log2;
    }
    bool rows = false;
    if (!Flag(&rows)) return false;
    return !rows || Skip(1);
  }

  BitReader r_;
  int profile_ = 0;
  uint32_t width_ = 0;
};

// ----------------------------------------------------------- H.264/H.265

// The offset of the next 00 00 01 at or after `from`, or frame.size().
size_t FindStartCode(absl::Span<const uint8_t> frame, size_t from) {
  for (size_t i = from; i + 2 < frame.size(); ++i) {
    if (frame[i + 2] > 1) {
      i += 2;  // none of i, i+1, i+2 can start a start code
      continue;
    }
    if (frame[i] == 0 && frame[i + 1] == 0 && frame[i + 2] == 1) return i;
  }
  return frame.size();
}

// Annex B: all NAL units before the first VCL NAL unit stay clear, then the
// VCL NAL unit's header and its slice header up to the PPS id (which
// receivers such as WebRTC's SpsPpsTracker read to match parameter sets).
absl::StatusOr<size_t> H26xClearSize(absl::Span<const uint8_t> frame,
                                     bool h265) {
  size_t pos;
  if (frame.size() >= 3 && frame[0] == 0 && frame[1] == 0 && frame[2] == 1) {
    pos = 3;
  } else if (frame.size() >= 4 && frame[0] == 0 && frame[1] == 0 &&
             frame[2] == 0 && frame[3] == 1) {
    pos = 4;
  } else {
    return Malformed();
  }
  const size_t header_size = h265 ? 2 : 1;
  for (;;) {
    const size_t next = FindStartCode(frame, pos);
    if (next - pos < header_size) return Malformed();
    absl::Span<const uint8_t> nal = frame.subspan(pos, next - pos);
    const int type = h265 ? (nal[0] >> 1) & 0x3f : nal[0] & 0x1f;
    const bool vcl = h265 ? type <= 31 : (type >= 1 && type <= 5);
    if (vcl) {
      BitReader r(nal, /*skip_emulation_prevention=*/true);
      uint32_t v = 0;
      if (!r.ReadBits(8 * static_cast<int>(header_size), &v)) {
        return Malformed();
      }
      if (h265) {
        if (!r.ReadBits(1, &v)) return Malformed();  // first_slice_segment
        if (type >= 16 && type <= 23 && !r.ReadBits(1, &v)) {
          return Malformed();  // no_output_of_prior_pics_flag
        }
        if (!r.ReadUe(&v)) return Malformed();  // slice_pic_parameter_set_id
      } else {
        // first_mb_in_slice, slice_type, pic_parameter_set_id.
        for (int i = 0; i < 3; ++i) {
          if (!r.ReadUe(&v)) return Malformed();
        }
      }
      return pos + r.bytes_consumed();
    }
    if (next == frame.size()) return Malformed();  // no VCL NAL unit
    pos = next + 3;
  }
}

// ------------------------------------------------------------------- AV1

absl::StatusOr<size_t> Av1ClearSize(absl::Span<const uint8_t> frame) {
  absl::StatusOr<Av1Prefix> p = ParseAv1Prefix(frame);
  if (!p.ok()) return p.status();
  return p->clear_obus + p->header_size;
}

}  // namespace

bool ReadLeb128(absl::Span<const uint8_t> data, uint64_t* value, size_t* len) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    if (i >= data.size()) return false;
    v |= uint64_t{data[i] & 0x7fu} << (7 * i);
    if ((data[i] & 0x80) == 0) {
      if (v > 0xffffffffu) return false;
      *value = v;
      *len = i + 1;
      return true;
    }
  }
  return false;
}

size_t WriteLeb128(uint64_t value, uint8_t* out) {
  size_t n = 0;
  do {
    uint8_t b = value & 0x7f;
    value >>= 7;
    if (value != 0) b |= 0x80;
    out[n++] = b;
  } while (value != 0);
  return n;
}

// AV1 spec §5.3: obu_header() is forbidden(1) type(4) extension_flag(1)
// has_size_field(1) reserved(1), then an extension byte if flagged.
absl::StatusOr<Av1Prefix> ParseAv1Prefix(absl::Span<const uint8_t> frame) {
  constexpr int kSequenceHeader = 1, kTemporalDelimiter = 2;
  size_t pos = 0;
  while (pos < frame.size()) {
    const uint8_t h = frame[pos];
    if (h & 0x80) return Malformed();  // obu_forbidden_bit
    const int type = (h >> 3) & 0x0f;
    const size_t header_size = (h & 0x04) ? 2 : 1;
    if (frame.size() - pos < header_size) return Malformed();
    if (type != kSequenceHeader && type != kTemporalDelimiter) {
      return Av1Prefix{pos, header_size};
    }
    // A clear OBU must say how long it is, or it would run to the end.
    if ((h & 0x02) == 0) return Malformed();
    uint64_t size = 0;
    size_t len = 0;
    if (!ReadLeb128(frame.subspan(pos + header_size), &size, &len)) {
      return Malformed();
    }
    const size_t rest = frame.size() - pos - header_size - len;
    if (size > rest) return Malformed();
    pos += header_size + len + static_cast<size_t>(size);
  }
  return Malformed();  // nothing to encrypt
}

size_t EscapeNalPayload(const uint8_t* in, size_t n, int leading_zeros,
                        uint8_t* out) {
  int zeros = leading_zeros;
  size_t w = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t b = in[i];  // read before writing: `out` may trail `in`
    if (zeros >= 2 && b <= 0x03) {
      out[w++] = 0x03;
      zeros = 0;
    }
    out[w++] = b;
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  out[w++] = 0x80;  // like rbsp_stop_one_bit: never ends in 0x00
  return w;
}

absl::StatusOr<size_t> UnescapeNalPayload(const uint8_t* in, size_t n,
                                          int leading_zeros, uint8_t* out) {
  return UnescapeNalPrefix(in, n, leading_zeros, out,
                           std::numeric_limits<size_t>::max());
}

absl::StatusOr<size_t> UnescapeNalPrefix(const uint8_t* in, size_t n,
                                         int leading_zeros, uint8_t* out,
                                         size_t max_out) {
  if (n == 0 || in[n - 1] != 0x80) return Malformed();
  int zeros = leading_zeros;
  size_t w = 0;
  for (size_t i = 0; i + 1 < n && w < max_out; ++i) {
    const uint8_t b = in[i];
    if (zeros >= 2) {
      if (b == 0x03) {
        zeros = 0;
        continue;
      }
      if (b < 0x03) return Malformed();
    }
    out[w++] = b;
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  return w;
}

int TrailingZeros(absl::Span<const uint8_t> prefix) {
  int zeros = 0;
  for (size_t i = prefix.size(); i > 0 && zeros < 2 && prefix[i - 1] == 0;
       --i) {
    ++zeros;
  }
  return zeros;
}

}  // namespace internal

absl::string_view MediaCodecName(MediaCodec codec) {
  switch (codec) {
    case MediaCodec::kWholeFrame:
      return "whole";
    case MediaCodec::kOpus:
      return "opus";
    case MediaCodec::kVp8:
      return "vp8";
    case MediaCodec::kVp9:
      return "vp9";
    case MediaCodec::kH264:
      return "h264";
    case MediaCodec::kH265:
      return "h265";
    case MediaCodec::kAv1:
      return "av1";
  }
  return "unknown";
}

absl::StatusOr<size_t> ClearPrefixSize(MediaCodec codec,
                                       absl::Span<const uint8_t> frame) {
  switch (codec) {
    case MediaCodec::kWholeFrame:
      return size_t{0};
    case MediaCodec::kOpus:
      // RFC 6716 §3.1: every Opus packet has a TOC byte.
      if (frame.empty()) return internal::Malformed();
      return size_t{1};
    case MediaCodec::kVp8:
      return internal::Vp8ClearSize(frame);
    case MediaCodec::kVp9:
      return internal::Vp9Parser(frame).Parse();
    case MediaCodec::kH264:
      return internal::H26xClearSize(frame, /*h265=*/false);
    case MediaCodec::kH265:
      return internal::H26xClearSize(frame, /*h265=*/true);
    case MediaCodec::kAv1:
      return internal::Av1ClearSize(frame);
  }
  return absl::Status(absl::StatusCode::kInvalidArgument, "");
}

}  // namespace sframe
