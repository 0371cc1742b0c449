// Copyright 2026 The sframecpp Authors.
//
// Decrypt of arbitrary bytes under fixed keys, for every suite. Input:
// suite byte, metadata length byte, metadata, then the frame. Invariants:
// no crash; on error the whole output is zero; nothing is written past the
// output span; on success the plaintext is exactly frame - header - tag.

#include <cstring>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "sframe/sframe.h"

namespace {
// The official vectors' base key, installed under their KID (0x123) and a
// few edge KIDs.
const uint8_t kBaseKey[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                              8, 9, 10, 11, 12, 13, 14, 15};
constexpr sframe::KeyId kKids[] = {0, 1, 7, 8, 0x123, ~uint64_t{0}};
constexpr size_t kGuard = 32;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sframe;
  fuzz::Reader in(data, size);
  const CipherSuite suite = in.Suite();
  absl::Span<const uint8_t> metadata = in.Bytes(in.Byte());
  absl::Span<const uint8_t> frame = in.Rest();

  absl::StatusOr<Decryptor> dec = Decryptor::Create(suite);
  SFRAME_FUZZ_CHECK(dec.ok());
  for (KeyId kid : kKids) SFRAME_FUZZ_CHECK(dec->AddKey(kid, kBaseKey).ok());

  std::vector<uint8_t> buf(frame.size() + kGuard, 0xab);
  absl::Span<uint8_t> out(buf.data(), frame.size());
  absl::StatusOr<absl::Span<uint8_t>> pt = dec->Decrypt(metadata, frame, out);
  for (size_t i = frame.size(); i < buf.size(); ++i) {
    SFRAME_FUZZ_CHECK(buf[i] == 0xab);
  }
  if (!pt.ok()) {
    SFRAME_FUZZ_CHECK(fuzz::AllZero(out));
    const auto code = pt.status().code();
    SFRAME_FUZZ_CHECK(code == absl::StatusCode::kDataLoss ||
                      code == absl::StatusCode::kNotFound);
    return 0;
  }
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(frame);
  SFRAME_FUZZ_CHECK(parsed.ok());
  SFRAME_FUZZ_CHECK(pt->data() == out.data());
  SFRAME_FUZZ_CHECK(pt->size() + parsed->bytes.size() + TagSize(suite) ==
                    frame.size());
  // In place gives the same result.
  std::vector<uint8_t> copy(frame.begin(), frame.end());
  absl::StatusOr<Decryptor> dec2 = Decryptor::Create(suite);
  SFRAME_FUZZ_CHECK(dec2.ok());
  for (KeyId kid : kKids) SFRAME_FUZZ_CHECK(dec2->AddKey(kid, kBaseKey).ok());
  absl::StatusOr<absl::Span<uint8_t>> again =
      dec2->Decrypt(metadata, copy, absl::MakeSpan(copy));
  SFRAME_FUZZ_CHECK(again.ok() && again->size() == pt->size());
  SFRAME_FUZZ_CHECK(memcmp(again->data(), pt->data(), pt->size()) == 0);
  return 0;
}
