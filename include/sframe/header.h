// Copyright 2026 The sframecpp Authors.
//
// header.h: the SFrame header codec (RFC 9605 §4.3). Needs no key, so an SFU
// can route frames by KID.
//
//   uint8_t buf[sframe::kMaxHeaderSize];
//   absl::StatusOr<absl::Span<uint8_t>> h =
//       sframe::EncodeHeader({.key_id = 0x123, .counter = 0x4567}, buf);
//   // *h == 99 01 23 45 67
//   absl::StatusOr<sframe::ParsedHeader> p = sframe::ParseHeader(frame);
//   if (p.ok()) Route(p->header.key_id);
//
// Parsing is strict: a header whose KID or CTR is not minimally encoded (a
// value 0–7 written in extended form, or an extended value with a leading
// zero byte) is rejected with kDataLoss. RFC 9605 requires senders to encode
// minimally, so such a header can only come from a non-conforming or hostile
// sender. Whatever the parse policy, the AAD of a frame is always the header
// bytes exactly as received (`ParsedHeader::bytes`), never a re-encoding.

#ifndef SFRAME_HEADER_H_
#define SFRAME_HEADER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace sframe {

// Key ID and counter: unsigned integers in [0, 2^64 - 1].
using KeyId = uint64_t;
using Counter = uint64_t;

struct Header {
  KeyId key_id = 0;
  Counter counter = 0;

  friend bool operator==(const Header& a, const Header& b) {
    return a.key_id == b.key_id && a.counter == b.counter;
  }
  friend bool operator!=(const Header& a, const Header& b) { return !(a == b); }
};

// Size bounds of an encoded header: one config byte, then up to 8 bytes of
// KID and 8 bytes of CTR.
inline constexpr size_t kMinHeaderSize = 1;
inline constexpr size_t kMaxHeaderSize = 1 + 8 + 8;

// The exact size of the minimal encoding of `header` (1 to 17 bytes).
size_t EncodedHeaderSize(const Header& header);

// Writes the minimal encoding of `header` to the front of `out` and returns
// the written prefix. Fails with kInvalidArgument, writing nothing, if `out`
// is shorter than EncodedHeaderSize(header).
absl::StatusOr<absl::Span<uint8_t>> EncodeHeader(const Header& header,
                                                 absl::Span<uint8_t> out);

// A parsed header, pointing into the caller's buffer.
struct ParsedHeader {
  Header header;
  // The header bytes as received: use these (never a re-encoding) as the
  // start of the AAD.
  absl::Span<const uint8_t> bytes;
  // Everything after the header: the AEAD ciphertext and tag.
  absl::Span<const uint8_t> payload;
};

// Parses the header at the start of `frame`. Fails with kDataLoss if `frame`
// is empty, too short for the lengths in the config byte, or not minimally
// encoded. The returned spans alias `frame` and live as long as it does.
absl::StatusOr<ParsedHeader> ParseHeader(absl::Span<const uint8_t> frame);

}  // namespace sframe

#endif  // SFRAME_HEADER_H_
