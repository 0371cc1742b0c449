// Copyright 2026 The sframecpp Authors.
//
// The codec policies (sframe/media.h), whose parsers face the network. The
// fuzzed bytes are used twice, under a fuzzed codec, suite and metadata:
//  - as a received encrypted frame: DecryptFrame fails cleanly (its output
//    all zero), ClearPrefixSize stays within the frame, and
//    EncryptedFrameHeader succeeds or reports kDataLoss;
//  - as an encoded frame: EncryptFrame either refuses it or stays within
//    MaxEncryptedFrameSize, and EncryptedFrameHeader reads back the KID and
//    counter it used; then a copy with one bit flipped (at a fuzzed
//    position) is offered first, and either fails with its output zeroed
//    or opens to the very frame that was sent (two wire encodings of one
//    SFrame ciphertext); it changes no receiver state, so the unaltered
//    frame then opens (in place or not) to the frame sent.

#include <cstring>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "sframe/media.h"
#include "sframe/sframe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sframe;
  fuzz::Reader in(data, size);
  const MediaCodec codec = kAllMediaCodecs[in.Byte() % 7];
  const CipherSuite suite = in.Suite();
  const uint8_t flags = in.Byte();
  const size_t flip_at = (size_t{in.Byte()} << 8) | in.Byte();
  absl::Span<const uint8_t> metadata = in.Bytes(in.Byte() % 32);
  absl::Span<const uint8_t> frame = in.Rest();

  const uint8_t key[32] = {7, 1, 2,  3,  4,  5,  6,  7,
                           8, 9, 10, 11, 12, 13, 14, 15};
  constexpr KeyId kKid = 9;
  absl::StatusOr<Encryptor> enc = Encryptor::Create(suite, kKid, key);
  absl::StatusOr<Decryptor> dec = Decryptor::Create(suite);
  SFRAME_FUZZ_CHECK(enc.ok() && dec.ok());
  SFRAME_FUZZ_CHECK(dec->AddKey(kKid, key).ok());

  // The bytes as a clear prefix, and as a received frame.
  absl::StatusOr<size_t> clear = ClearPrefixSize(codec, frame);
  SFRAME_FUZZ_CHECK(!clear.ok() || *clear <= frame.size());
  SFRAME_FUZZ_CHECK(clear.ok() ||
                    clear.status().code() == absl::StatusCode::kDataLoss);
  {
    std::vector<uint8_t> out(MaxDecryptedFrameSize(frame.size()) + 1, 0x5a);
    absl::StatusOr<absl::Span<uint8_t>> opened = DecryptFrame(
        codec, *dec, metadata, frame, absl::MakeSpan(out).first(frame.size()));
    // (Success needs a valid tag for this key: with a 4-byte tag, one
    // chance in 2^32.)
    if (opened.ok()) {
      SFRAME_FUZZ_CHECK(opened->data() == out.data() &&
                        opened->size() <= frame.size());
    } else {
      SFRAME_FUZZ_CHECK(
          fuzz::AllZero(absl::MakeConstSpan(out).first(frame.size())));
    }
    SFRAME_FUZZ_CHECK(out[frame.size()] == 0x5a);
    // The header peek never crashes, and fails only as malformed.
    absl::StatusOr<Header> peek = EncryptedFrameHeader(codec, frame);
    SFRAME_FUZZ_CHECK(peek.ok() ||
                      peek.status().code() == absl::StatusCode::kDataLoss);
  }

  // The bytes as a frame to send.
  const size_t max = MaxEncryptedFrameSize(codec, suite, frame.size());
  std::vector<uint8_t> wire(max + 1, 0xa5);
  absl::StatusOr<absl::Span<uint8_t>> sealed = EncryptFrame(
      codec, *enc, metadata, frame, absl::MakeSpan(wire).first(max));
  SFRAME_FUZZ_CHECK(wire[max] == 0xa5);
  if (!sealed.ok()) {
    SFRAME_FUZZ_CHECK(sealed.status().code() ==
                      absl::StatusCode::kInvalidArgument);
    return 0;
  }
  SFRAME_FUZZ_CHECK(sealed->data() == wire.data() && sealed->size() <= max);
  // The clear part is decided the same way on both sides (for AV1 the
  // first encrypted OBU's header is rewritten, so only its success).
  SFRAME_FUZZ_CHECK(clear.ok());
  absl::StatusOr<size_t> wire_clear = ClearPrefixSize(codec, *sealed);
  SFRAME_FUZZ_CHECK(wire_clear.ok());
  SFRAME_FUZZ_CHECK(codec == MediaCodec::kAv1 || *wire_clear == *clear);
  // The header is read back without a key.
  absl::StatusOr<Header> header = EncryptedFrameHeader(codec, *sealed);
  SFRAME_FUZZ_CHECK(header.ok() && header->key_id == kKid &&
                    header->counter == enc->next_counter() - 1);

  // A forgery first: it must not open to anything else, nor change state.
  std::vector<uint8_t> forged(sealed->begin(), sealed->end());
  forged[flip_at % forged.size()] ^= static_cast<uint8_t>(1u << (flags % 8));
  std::vector<uint8_t> out(forged.size());
  absl::StatusOr<absl::Span<uint8_t>> opened =
      DecryptFrame(codec, *dec, metadata, forged, absl::MakeSpan(out));
  if (opened.ok()) {
    SFRAME_FUZZ_CHECK(opened->size() == frame.size() &&
                      (frame.empty() || memcmp(opened->data(), frame.data(),
                                               frame.size()) == 0));
    return 0;  // the counter is used now: the frame itself is a replay
  }
  SFRAME_FUZZ_CHECK(fuzz::AllZero(out));

  // The frame itself, in place or not.
  std::vector<uint8_t> copy(sealed->begin(), sealed->end());
  std::vector<uint8_t> plain(copy.size());
  const bool in_place = flags & 8;
  opened =
      DecryptFrame(codec, *dec, metadata, copy,
                   in_place ? absl::MakeSpan(copy) : absl::MakeSpan(plain));
  SFRAME_FUZZ_CHECK(opened.ok());
  SFRAME_FUZZ_CHECK(opened->size() == frame.size() &&
                    (frame.empty() ||
                     memcmp(opened->data(), frame.data(), frame.size()) == 0));
  return 0;
}
