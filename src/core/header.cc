// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §4.3. Config byte |X|K K K|Y|C C C|: X/Y flag an extended KID/CTR
// whose length minus one is in K/C; otherwise K/C hold the value (0–7).
// Extended values follow the config byte, KID first, big-endian, minimal.

#include "sframe/header.h"

#include <cstring>

#include "src/core/header_internal.h"

namespace sframe {
namespace {

// Bytes needed for an extended value v >= 8 (1..8).
size_t ExtendedLength(uint64_t v) {
  return static_cast<size_t>((64 - __builtin_clzll(v | 1) + 7) / 8);
}

}  // namespace

size_t EncodedHeaderSize(const Header& header) {
  return internal::HeaderSize(header);
}

absl::StatusOr<absl::Span<uint8_t>> EncodeHeader(const Header& header,
                                                 absl::Span<uint8_t> out) {
  uint8_t scratch[internal::kHeaderScratchSize];
  const size_t size = internal::EncodeHeaderTo(header, scratch);
  if (out.size() < size) {
    return absl::InvalidArgumentError("header output too small");
  }
  memcpy(out.data(), scratch, size);
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
