// Copyright 2026 The sframecpp Authors.
//
// A bounds-checked MSB-first bit reader for codec headers that face the
// network. Every read reports failure instead of reading past the span.
// Optionally skips H.264/H.265 emulation prevention bytes (a 0x03 after
// 00 00), so that it reads the RBSP while counting the bytes of the NAL unit
// as stored.

#ifndef SFRAME_SRC_MEDIA_BIT_READER_H_
#define SFRAME_SRC_MEDIA_BIT_READER_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace sframe {
namespace internal {

class BitReader {
 public:
  BitReader(absl::Span<const uint8_t> data, bool skip_emulation_prevention)
      : data_(data), epb_(skip_emulation_prevention) {}

  // Reads `n` <= 32 bits into `*out`. False, with `*out` unspecified, if the
  // data ends first.
  bool ReadBits(int n, uint32_t* out) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (bits_left_ == 0 && !NextByte()) return false;
      --bits_left_;
      v = (v << 1) | ((cur_ >> bits_left_) & 1u);
    }
    *out = v;
    return true;
  }

  bool ReadFlag(bool* out) {
    uint32_t v = 0;
    if (!ReadBits(1, &v)) return false;
    *out = v != 0;
    return true;
  }

  // Exp-Golomb ue(v) (H.264 §9.1). False for more than 31 leading zeros.
  bool ReadUe(uint32_t* out) {
    int zeros = 0;
    for (;;) {
      uint32_t bit = 0;
      if (!ReadBits(1, &bit)) return false;
      if (bit) break;
      if (++zeros > 31) return false;
    }
    uint32_t rest = 0;
    if (!ReadBits(zeros, &rest)) return false;
    *out = static_cast<uint32_t>((uint64_t{1} << zeros) - 1 + rest);
    return true;
  }

  // The number of bytes of `data` fetched so far (including skipped
  // emulation prevention bytes): the bytes the decisions so far depend on.
  size_t bytes_consumed() const { return pos_; }

 private:
  bool NextByte() {
    if (pos_ >= data_.size()) return false;
    uint8_t b = data_[pos_++];
    if (epb_ && zeros_ >= 2 && b == 0x03) {
      zeros_ = 0;
      if (pos_ >= data_.size()) return false;
      b = data_[pos_++];
    }
    zeros_ = (b == 0) ? zeros_ + 1 : 0;
    cur_ = b;
    bits_left_ = 8;
    return true;
  }

  absl::Span<const uint8_t> data_;
  bool epb_;
  size_t pos_ = 0;
  int zeros_ = 0;
  uint8_t cur_ = 0;
  int bits_left_ = 0;
};

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_MEDIA_BIT_READER_H_
