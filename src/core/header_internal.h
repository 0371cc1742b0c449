// Copyright 2026 The sframecpp Authors.
//
// Branch-light header encoding for the per-frame path (RFC 9605 §4.3).

#ifndef SFRAME_SRC_CORE_HEADER_INTERNAL_H_
#define SFRAME_SRC_CORE_HEADER_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sframe/header.h"

namespace sframe {
namespace internal {

// Bytes of an extended field for v (0 when v is carried inline, v < 8).
inline size_t HeaderFieldSize(uint64_t v) {
  const size_t significant =
      static_cast<size_t>((64 - __builtin_clzll(v | 1) + 7) / 8);
  return v < 8 ? 0 : significant;
}

inline size_t HeaderSize(const Header& h) {
  return 1 + HeaderFieldSize(h.key_id) + HeaderFieldSize(h.counter);
}

// A scratch buffer for EncodeHeaderTo: the header plus 8 bytes of slack for
// the whole-word stores.
inline constexpr size_t kHeaderScratchSize = kMaxHeaderSize + 8;

// Writes the minimal encoding of `h` to the front of `scratch` with whole
// 8-byte stores and returns its size (1..17). Bytes past the size are
// unspecified.
inline size_t EncodeHeaderTo(const Header& h,
                             uint8_t (&scratch)[kHeaderScratchSize]) {
  const size_t kid_len = HeaderFieldSize(h.key_id);
  const size_t ctr_len = HeaderFieldSize(h.counter);
  scratch[0] = static_cast<uint8_t>(
      (kid_len == 0 ? h.key_id << 4 : 0x80 | ((kid_len - 1) << 4)) |
      (ctr_len == 0 ? h.counter : 0x08 | (ctr_len - 1)));
  // Shift the value to the top of a word and store it big-endian: its
  // first `len` bytes are the field. The next store overwrites the rest.
  auto put = [&scratch](size_t pos, uint64_t v, size_t len) {
    uint8_t word[8];
    const uint64_t top = len == 0 ? 0 : v << (8 * (8 - len));
    for (int i = 0; i < 8; ++i)
      word[i] = static_cast<uint8_t>(top >> (56 - 8 * i));
    memcpy(scratch + pos, word, 8);
  };
  put(1, h.key_id, kid_len);
  put(1 + kid_len, h.counter, ctr_len);
  return 1 + kid_len + ctr_len;
}

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CORE_HEADER_INTERNAL_H_
