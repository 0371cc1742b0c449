// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §4.3. Config byte |X|K K K|Y|C C C|: X/Y flag an extended KID/CTR
// whose length minus one is in K/C; otherwise K/C hold the value (0–7).
// Extended values follow the config byte, KID first, big-endian, minimal.

#include "sframe/header.h"

namespace sframe {
namespace {

// Bytes needed for an extended value v >= 8 (1..8).
size_t ExtendedLength(uint64_t v) {
  size_t n = 1;
  while (n < 8 && (v >> (8 * n)) != 0) ++n;
  return n;
}

size_t FieldSize(uint64_t v) { return v < 8 ? 0 : ExtendedLength(v); }

uint8_t* PutBigEndian(uint64_t v, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(v >> (8 * (n - 1 - i)));
  }
  return out + n;
}

}  // namespace

size_t EncodedHeaderSize(const Header& header) {
  return 1 + FieldSize(header.key_id) + FieldSize(header.counter);
}

absl::StatusOr<absl::Span<uint8_t>> EncodeHeader(const Header& header,
                                                 absl::Span<uint8_t> out) {
  const size_t size = EncodedHeaderSize(header);
  if (out.size() < size) {
    return absl::InvalidArgumentError("header output too small");
  }
  const size_t kid_len = FieldSize(header.key_id);
  const size_t ctr_len = FieldSize(header.counter);
  uint8_t config = 0;
  config |= kid_len == 0 ? static_cast<uint8_t>(header.key_id << 4)
                         : static_cast<uint8_t>(0x80 | ((kid_len - 1) << 4));
  config |= ctr_len == 0 ? static_cast<uint8_t>(header.counter)
                         : static_cast<uint8_t>(0x08 | (ctr_len - 1));
  uint8_t* p = out.data();
  *p++ = config;
  p = PutBigEndian(header.key_id, kid_len, p);
  PutBigEndian(header.counter, ctr_len, p);
  return out.first(size);
}

absl::StatusOr<ParsedHeader> ParseHeader(absl::Span<const uint8_t> frame) {
  // Per-frame errors carry no message (no allocation on the attacker's path).
  const absl::Status kMalformed(absl::StatusCode::kDataLoss, "");
  if (frame.empty()) return kMalformed;
  const uint8_t config = frame[0];
  size_t pos = 1;
  // Reads one field; `extended` says whether `bits` is a length.
  auto read_field = [&](bool extended, uint8_t bits, uint64_t* value) {
    if (!extended) {
      *value = bits;
      return true;
    }
    const size_t len = static_cast<size_t>(bits) + 1;
    if (frame.size() - pos < len) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; ++i) v = (v << 8) | frame[pos + i];
    pos += len;
    *value = v;
    // Strict: the value must need exactly `len` bytes and be at least 8.
    return v >= 8 && ExtendedLength(v) == len;
  };
  ParsedHeader parsed;
  if (!read_field((config & 0x80) != 0, (config >> 4) & 0x07,
                  &parsed.header.key_id) ||
      !read_field((config & 0x08) != 0, config & 0x07,
                  &parsed.header.counter)) {
    return kMalformed;
  }
  parsed.bytes = frame.first(pos);
  parsed.payload = frame.subspan(pos);
  return parsed;
}

}  // namespace sframe
