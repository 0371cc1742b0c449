// Copyright 2026 The sframecpp Authors.
//
// Encrypt then decrypt with fuzzed suite, KID, starting counter, metadata,
// plaintext and in-place choice. Invariants: the result equals the input;
// the ciphertext size is exact; the counter never repeats or wraps.

#include <cstring>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "sframe/sframe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sframe;
  fuzz::Reader in(data, size);
  const CipherSuite suite = in.Suite();
  const uint8_t flags = in.Byte();
  const KeyId kid = in.U64();
  Encryptor::Options options;
  // Counters near 2^64 - 1 exercise exhaustion.
  options.first_counter =
      (flags & 1) ? ~uint64_t{0} - (in.Byte() % 4) : in.U64();
  absl::Span<const uint8_t> base_key = in.Bytes(1 + in.Byte() % 64);
  absl::Span<const uint8_t> metadata = in.Bytes(in.Byte());
  absl::Span<const uint8_t> plaintext = in.Rest();
  if (base_key.empty()) return 0;

  absl::StatusOr<Encryptor> enc =
      Encryptor::Create(suite, kid, base_key, options);
  absl::StatusOr<Decryptor> dec = Decryptor::Create(suite);
  SFRAME_FUZZ_CHECK(enc.ok() && dec.ok());
  SFRAME_FUZZ_CHECK(dec->AddKey(kid, base_key).ok());

  const bool in_place = flags & 2;
  for (int frame = 0; frame < 3; ++frame) {
    const Counter counter = enc->next_counter();
    const bool was_exhausted = enc->exhausted();
    const size_t ct_size = enc->CiphertextSize(plaintext.size());
    std::vector<uint8_t> buf(ct_size);
    absl::Span<const uint8_t> pt = plaintext;
    if (in_place) {
      memcpy(buf.data(), plaintext.data(), plaintext.size());
      pt = absl::MakeConstSpan(buf).first(plaintext.size());
    }
    absl::StatusOr<absl::Span<uint8_t>> ct =
        enc->Encrypt(metadata, pt, absl::MakeSpan(buf));
    if (was_exhausted) {
      SFRAME_FUZZ_CHECK(ct.status().code() ==
                        absl::StatusCode::kResourceExhausted);
      return 0;
    }
    SFRAME_FUZZ_CHECK(ct.ok() && ct->size() == ct_size);
    absl::StatusOr<ParsedHeader> parsed = ParseHeader(*ct);
    SFRAME_FUZZ_CHECK(parsed.ok());
    SFRAME_FUZZ_CHECK(parsed->header.key_id == kid &&
                      parsed->header.counter == counter);
    SFRAME_FUZZ_CHECK(enc->exhausted() || enc->next_counter() == counter + 1);

    std::vector<uint8_t> out(ct->size());
    absl::StatusOr<absl::Span<uint8_t>> back =
        in_place ? dec->Decrypt(metadata, *ct, *ct)
                 : dec->Decrypt(metadata, *ct, absl::MakeSpan(out));
    SFRAME_FUZZ_CHECK(back.ok());
    SFRAME_FUZZ_CHECK(back->size() == plaintext.size());
    SFRAME_FUZZ_CHECK(
        plaintext.empty() ||
        memcmp(back->data(), plaintext.data(), plaintext.size()) == 0);
  }
  return 0;
}
