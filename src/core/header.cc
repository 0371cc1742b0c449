// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §4.3. Config byte |X|K K K|Y|C C C|: X/Y flag an extended KID/CTR
// whose length minus one is in K/C; otherwise K/C hold the value (0–7).
// Extended values follow the config byte, KID first, big-endian, minimal.

#include "sframe/header.h"

#include <cstring>

#include "src/core/header_internal.h"

namespace sframe {

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
  ParsedHeader parsed;
  const size_t size =
      internal::ParseHeaderTo(frame.data(), frame.size(), &parsed.header);
  if (size == 0) {
    // Per-frame errors carry no message (no allocation on the attacker's
    // path).
    return absl::Status(absl::StatusCode::kDataLoss, "");
  }
  parsed.bytes = frame.first(size);
  parsed.payload = frame.subspan(size);
  return parsed;
}

}  // namespace sframe
