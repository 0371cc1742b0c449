// Copyright 2026 The sframecpp Authors.
//
// The header parser on arbitrary bytes: it never crashes, every accepted
// header is minimal (re-encoding gives the same bytes) and the spans it
// returns partition the input.

#include <cstring>

#include "fuzz/fuzz_util.h"
#include "sframe/header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sframe;
  absl::Span<const uint8_t> frame(data, size);
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(frame);
  if (!parsed.ok()) {
    SFRAME_FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kDataLoss);
    return 0;
  }
  SFRAME_FUZZ_CHECK(parsed->bytes.data() == data);
  SFRAME_FUZZ_CHECK(parsed->bytes.size() >= kMinHeaderSize &&
                    parsed->bytes.size() <= kMaxHeaderSize);
  SFRAME_FUZZ_CHECK(parsed->payload.data() == data + parsed->bytes.size());
  SFRAME_FUZZ_CHECK(parsed->bytes.size() + parsed->payload.size() == size);
  uint8_t encoded[kMaxHeaderSize];
  absl::StatusOr<absl::Span<uint8_t>> again =
      EncodeHeader(parsed->header, encoded);
  SFRAME_FUZZ_CHECK(again.ok());
  SFRAME_FUZZ_CHECK(again->size() == parsed->bytes.size());
  SFRAME_FUZZ_CHECK(
      memcmp(again->data(), parsed->bytes.data(), again->size()) == 0);
  SFRAME_FUZZ_CHECK(EncodedHeaderSize(parsed->header) == again->size());
  return 0;
}
