// Copyright 2026 The sframecpp Authors.
//
// Internal pieces of the codec policies shared by the frame encryption code
// and the tests: the AV1 prefix layout, LEB128, and the H.264/H.265
// emulation prevention applied to SFrame ciphertexts.

#ifndef SFRAME_SRC_MEDIA_CODEC_POLICY_H_
#define SFRAME_SRC_MEDIA_CODEC_POLICY_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/media.h"

namespace sframe {
namespace internal {

// AV1: `clear_obus` bytes of leading temporal delimiter / sequence header
// OBUs, then the first other OBU, whose header is `header_size` (1 or 2)
// bytes. kDataLoss if the OBUs cannot be parsed or there is no other OBU.
struct Av1Prefix {
  size_t clear_obus = 0;
  size_t header_size = 0;
};
absl::StatusOr<Av1Prefix> ParseAv1Prefix(absl::Span<const uint8_t> frame);

// True for the values of the MediaCodec enum (0-6), false for any other
// value cast into it.
inline constexpr bool IsKnownCodec(MediaCodec codec) {
  return static_cast<uint8_t>(codec) <= static_cast<uint8_t>(MediaCodec::kAv1);
}

// AV1 leb128 (AV1 spec §4.10.5): at most 8 bytes, value < 2^32. False if the
// data ends first or the value is out of range.
bool ReadLeb128(absl::Span<const uint8_t> data, uint64_t* value, size_t* len);
// Minimal encoding of `value` (< 2^35) into `out` (>= 5 bytes); returns its
// length.
size_t WriteLeb128(uint64_t value, uint8_t* out);
inline constexpr size_t kMaxLeb128Size32 = 5;  // for values < 2^32

// Emulation prevention for an SFrame ciphertext carried inside an H.264/H.265
// NAL unit. `leading_zeros` (0-2) is the number of 0x00 bytes that precede
// the escaped data on the wire (the end of the clear prefix).
//
// Escape: a 0x03 is inserted before any byte <= 0x03 that follows two 0x00
// bytes, and 0x80 is appended; the result never contains 00 00 00, 00 00 01
// or 00 00 02 (also across the boundary with the prefix) and never ends in
// 0x00. It is at most EscapedSizeBound(n) bytes. `out` may start before
// `in` provided it never overtakes the reader: out + EscapedSizeBound(n) <=
// in + n suffices (forward copy).
inline constexpr size_t EscapedSizeBound(size_t n) {
  return n + (n + 1) / 2 + 1;
}
size_t EscapeNalPayload(const uint8_t* in, size_t n, int leading_zeros,
                        uint8_t* out);
// The inverse: removes each 0x03 that follows 00 00, checks and drops the
// final 0x80, writes forward to `out` (which may equal `in`). kDataLoss for
// 00 00 00/01/02, a missing 0x80 end byte or empty input.
absl::StatusOr<size_t> UnescapeNalPayload(const uint8_t* in, size_t n,
                                          int leading_zeros, uint8_t* out);

// The number of 0x00 bytes that end `prefix`, at most 2.
int TrailingZeros(absl::Span<const uint8_t> prefix);

// The first (up to) `max_out` bytes UnescapeNalPayload would give, without
// writing more: a header's worth of an escaped payload. Checks the escaping
// of the bytes it reads and the 0x80 end byte; returns the bytes written.
absl::StatusOr<size_t> UnescapeNalPrefix(const uint8_t* in, size_t n,
                                         int leading_zeros, uint8_t* out,
                                         size_t max_out);

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_MEDIA_CODEC_POLICY_H_
