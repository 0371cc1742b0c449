// Copyright 2026 The sframecpp Authors.
//
// EncryptFrame / DecryptFrame: clear prefix || SFrame ciphertext, with the
// H.264/H.265 escaping and the AV1 OBU rewrite (see sframe/media.h).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/media.h"
#include "src/core/header_internal.h"
#include "src/media/codec_policy.h"

namespace sframe {
namespace {

using internal::Overlaps;

absl::Status Code(absl::StatusCode code) { return absl::Status(code, ""); }

bool IsH26x(MediaCodec codec) {
  return codec == MediaCodec::kH264 || codec == MediaCodec::kH265;
}

void Zero(absl::Span<uint8_t> out) {
  if (!out.empty()) std::memset(out.data(), 0, out.size());
}

// The SFrame metadata: the clear prefix as on the wire, then the
// application's metadata. Zero-copy when the latter is empty; otherwise
// one copy, on the stack up to 1 KiB.
class Metadata {
 public:
  Metadata(absl::Span<const uint8_t> prefix, absl::Span<const uint8_t> app) {
    if (app.empty()) {
      view_ = prefix;
      return;
    }
    const size_t n = prefix.size() + app.size();
    uint8_t* p = inline_.data();
    if (n > inline_.size()) {
      heap_.resize(n);
      p = heap_.data();
    }
    if (!prefix.empty()) std::memcpy(p, prefix.data(), prefix.size());
    std::memcpy(p + prefix.size(), app.data(), app.size());
    view_ = {p, n};
  }
  absl::Span<const uint8_t> view() const { return view_; }

 private:
  std::array<uint8_t, 1024> inline_;
  std::vector<uint8_t> heap_;
  absl::Span<const uint8_t> view_;
};

// `result` must be a prefix of `out` (the seal/open contract).
bool IsPrefixOf(absl::Span<uint8_t> result, absl::Span<uint8_t> out) {
  return result.data() == out.data() && result.size() <= out.size();
}

// Where an AV1 frame from EncryptFrame keeps its SFrame ciphertext: after
// the clear OBUs and the header of the encrypted OBU, whose size field
// (`leb_size` bytes at `at`) must count exactly the rest of the frame.
struct Av1Wire {
  size_t clear_obus;  // the OBUs kept whole in the output
  size_t at;          // the end of the encrypted OBU's header
  size_t leb_size;
};

absl::StatusOr<Av1Wire> ParseAv1Wire(absl::Span<const uint8_t> frame) {
  absl::StatusOr<internal::Av1Prefix> p = internal::ParseAv1Prefix(frame);
  if (!p.ok() || (frame[p->clear_obus] & 0x02) == 0) {
    return Code(absl::StatusCode::kDataLoss);
  }
  const size_t at = p->clear_obus + p->header_size;
  uint64_t size = 0;
  size_t leb_size = 0;
  if (!internal::ReadLeb128(frame.subspan(at), &size, &leb_size) ||
      size != frame.size() - at - leb_size) {
    return Code(absl::StatusCode::kDataLoss);
  }
  return Av1Wire{p->clear_obus, at, leb_size};
}

}  // namespace

size_t MaxEncryptedFrameSize(MediaCodec codec, CipherSuite suite,
                             size_t frame_size) {
  const size_t ct = MaxCiphertextSize(suite, frame_size);
  if (IsH26x(codec)) return internal::AddSaturating(ct, ct / 2 + 2);
  if (codec == MediaCodec::kAv1)
    return internal::AddSaturating(ct, 2 + internal::kMaxLeb128Size32);
  return ct;
}

absl::StatusOr<absl::Span<uint8_t>> EncryptFrame(
    MediaCodec codec, CipherSuite suite, FrameSealFunction seal,
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> frame,
    absl::Span<uint8_t> out) {
  if (Overlaps(frame.data(), frame.size(), out.data(), out.size()) ||
      Overlaps(metadata.data(), metadata.size(), out.data(), out.size())) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  // The clear part of the input and where the plaintext starts in it.
  size_t clear = 0, plaintext_start = 0;
  uint8_t av1_header[2] = {0, 0};
  if (codec == MediaCodec::kAv1) {
    absl::StatusOr<internal::Av1Prefix> p = internal::ParseAv1Prefix(frame);
    if (!p.ok()) return Code(absl::StatusCode::kInvalidArgument);
    std::memcpy(av1_header, frame.data() + p->clear_obus, p->header_size);
    av1_header[0] |= 0x02;  // obu_has_size_field
    clear = p->clear_obus + p->header_size;
    plaintext_start = p->clear_obus;  // the OBU travels whole, inside
  } else {
    absl::StatusOr<size_t> c = ClearPrefixSize(codec, frame);
    if (!c.ok()) return Code(absl::StatusCode::kInvalidArgument);
    clear = plaintext_start = *c;
  }
  absl::Span<const uint8_t> plaintext = frame.subspan(plaintext_start);
  const size_t max_ct = MaxCiphertextSize(suite, plaintext.size());
  size_t needed = internal::AddSaturating(clear, max_ct);
  if (IsH26x(codec)) {
    needed = internal::AddSaturating(clear, internal::EscapedSizeBound(max_ct));
  }
  if (codec == MediaCodec::kAv1) {
    needed = internal::AddSaturating(needed, internal::kMaxLeb128Size32);
  }
  if (out.size() < needed) return Code(absl::StatusCode::kInvalidArgument);

  // The wire prefix goes first; it is also the metadata.
  if (codec == MediaCodec::kAv1) {
    std::memcpy(out.data(), frame.data(), plaintext_start);
    std::memcpy(out.data() + plaintext_start, av1_header,
                clear - plaintext_start);
  } else if (clear > 0) {
    std::memcpy(out.data(), frame.data(), clear);
  }
  Metadata aad(out.first(clear), metadata);

  if (!IsH26x(codec) && codec != MediaCodec::kAv1) {
    absl::Span<uint8_t> body = out.subspan(clear);
    absl::StatusOr<absl::Span<uint8_t>> sealed =
        seal(aad.view(), plaintext, body);
    if (!sealed.ok() || !IsPrefixOf(*sealed, body)) {
      Zero(out);
      return sealed.ok() ? Code(absl::StatusCode::kInvalidArgument)
                         : sealed.status();
    }
    return out.first(clear + sealed->size());
  }

  // AV1 and H.26x: seal into the tail of `out`, then move the ciphertext to
  // its place behind the prefix (forward; the writer never overtakes the
  // reader, by the size check above).
  absl::Span<uint8_t> tail = out.subspan(out.size() - max_ct);
  absl::StatusOr<absl::Span<uint8_t>> sealed =
      seal(aad.view(), plaintext, tail);
  if (!sealed.ok() || !IsPrefixOf(*sealed, tail)) {
    Zero(out);
    return sealed.ok() ? Code(absl::StatusCode::kInvalidArgument)
                       : sealed.status();
  }
  const size_t ct_size = sealed->size();
  size_t written = clear;
  if (codec == MediaCodec::kAv1) {
    if (ct_size > 0xffffffffu) {
      Zero(out);
      return Code(absl::StatusCode::kInvalidArgument);
    }
    uint8_t leb[8];
    const size_t leb_size = internal::WriteLeb128(ct_size, leb);
    std::memcpy(out.data() + written, leb, leb_size);
    written += leb_size;
    std::memmove(out.data() + written, tail.data(), ct_size);
    written += ct_size;
  } else {
    written += internal::EscapeNalPayload(
        tail.data(), ct_size, internal::TrailingZeros(out.first(clear)),
        out.data() + written);
  }
  // Clear what is left of the staging area.
  const size_t staging = out.size() - max_ct;
  if (written < out.size()) Zero(out.subspan(std::max(written, staging)));
  return out.first(written);
}

absl::StatusOr<absl::Span<uint8_t>> EncryptFrame(
    MediaCodec codec, Encryptor& encryptor, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> frame, absl::Span<uint8_t> out) {
  return EncryptFrame(
      codec, encryptor.suite(),
      [&encryptor](absl::Span<const uint8_t> m, absl::Span<const uint8_t> p,
                   absl::Span<uint8_t> o) {
        return encryptor.Encrypt(m, p, o);
      },
      metadata, frame, out);
}

absl::StatusOr<absl::Span<uint8_t>> DecryptFrame(
    MediaCodec codec, FrameOpenFunction open,
    absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> encrypted_frame, absl::Span<uint8_t> out) {
  const bool in_place = out.data() == encrypted_frame.data();
  if (out.size() < encrypted_frame.size() ||
      (!in_place && Overlaps(encrypted_frame.data(), encrypted_frame.size(),
                             out.data(), out.size())) ||
      Overlaps(metadata.data(), metadata.size(), out.data(), out.size()) ||
      !internal::IsKnownCodec(codec)) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  // `clear`: the wire prefix (the metadata); `kept`: the part of it that is
  // also the start of the output; the SFrame ciphertext follows `clear`.
  size_t clear = 0, kept = 0;
  if (codec == MediaCodec::kAv1) {
    absl::StatusOr<Av1Wire> wire = ParseAv1Wire(encrypted_frame);
    if (!wire.ok()) {
      Zero(out);
      return wire.status();
    }
    const size_t at = wire->at, leb_size = wire->leb_size;
    kept = wire->clear_obus;
    clear = at;
    // The size field is not metadata (it is implied by the authenticated
    // ciphertext length); skip it.
    absl::Span<const uint8_t> ct = encrypted_frame.subspan(at + leb_size);
    Metadata aad(encrypted_frame.first(clear), metadata);
    // Open where the ciphertext is (in place) or straight to its final
    // place, then move the plaintext behind the kept OBUs.
    absl::Span<uint8_t> dst =
        in_place ? out.subspan(at + leb_size, ct.size()) : out.subspan(kept);
    absl::StatusOr<absl::Span<uint8_t>> opened = open(aad.view(), ct, dst);
    if (!opened.ok() || !IsPrefixOf(*opened, dst)) {
      Zero(out);
      return opened.ok() ? Code(absl::StatusCode::kInvalidArgument)
                         : opened.status();
    }
    const size_t pt_size = opened->size();
    if (in_place) {
      std::memmove(out.data() + kept, dst.data(), pt_size);
      // Clear the rest of what was the input.
      Zero(
          out.subspan(kept + pt_size, encrypted_frame.size() - kept - pt_size));
    } else if (kept > 0) {
      std::memcpy(out.data(), encrypted_frame.data(), kept);
    }
    return out.first(kept + pt_size);
  }

  absl::StatusOr<size_t> c = ClearPrefixSize(codec, encrypted_frame);
  if (!c.ok()) {
    Zero(out);
    return Code(absl::StatusCode::kDataLoss);
  }
  clear = kept = *c;
  Metadata aad(encrypted_frame.first(clear), metadata);
  absl::Span<const uint8_t> ct = encrypted_frame.subspan(clear);
  absl::Span<uint8_t> dst = out.subspan(clear);
  // The end of the bytes of `out` written before the plaintext is known.
  size_t dirty_end = in_place ? encrypted_frame.size() : clear;
  if (IsH26x(codec)) {
    // Unescape into `out` (forward; also in place), then open in place.
    absl::StatusOr<size_t> n = internal::UnescapeNalPayload(
        ct.data(), ct.size(),
        internal::TrailingZeros(encrypted_frame.first(clear)), dst.data());
    if (!n.ok()) {
      Zero(out);
      return Code(absl::StatusCode::kDataLoss);
    }
    ct = dst.first(*n);
    dirty_end = std::max(dirty_end, clear + *n);
  }
  absl::StatusOr<absl::Span<uint8_t>> opened = open(aad.view(), ct, dst);
  if (!opened.ok() || !IsPrefixOf(*opened, dst)) {
    Zero(out);
    return opened.ok() ? Code(absl::StatusCode::kInvalidArgument)
                       : opened.status();
  }
  if (!in_place && clear > 0) {
    std::memcpy(out.data(), encrypted_frame.data(), clear);
  }
  const size_t end = clear + opened->size();
  if (dirty_end > end) Zero(out.subspan(end, dirty_end - end));
  return out.first(end);
}

absl::StatusOr<Header> EncryptedFrameHeader(
    MediaCodec codec, absl::Span<const uint8_t> encrypted_frame) {
  if (!internal::IsKnownCodec(codec)) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  // Where the SFrame ciphertext starts, as DecryptFrame finds it.
  absl::Span<const uint8_t> ct;
  size_t clear = 0;
  if (codec == MediaCodec::kAv1) {
    absl::StatusOr<Av1Wire> wire = ParseAv1Wire(encrypted_frame);
    if (!wire.ok()) return wire.status();
    ct = encrypted_frame.subspan(wire->at + wire->leb_size);
  } else {
    absl::StatusOr<size_t> c = ClearPrefixSize(codec, encrypted_frame);
    if (!c.ok()) return Code(absl::StatusCode::kDataLoss);
    clear = *c;
    ct = encrypted_frame.subspan(clear);
  }
  uint8_t unescaped[kMaxHeaderSize];
  if (IsH26x(codec)) {
    absl::StatusOr<size_t> n = internal::UnescapeNalPrefix(
        ct.data(), ct.size(),
        internal::TrailingZeros(encrypted_frame.first(clear)), unescaped,
        sizeof(unescaped));
    if (!n.ok()) return Code(absl::StatusCode::kDataLoss);
    ct = absl::MakeConstSpan(unescaped, *n);
  }
  // Only the header is read: the payload may be cut short here.
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(ct);
  if (!parsed.ok()) return Code(absl::StatusCode::kDataLoss);
  return parsed->header;
}

absl::StatusOr<absl::Span<uint8_t>> DecryptFrame(
    MediaCodec codec, Decryptor& decryptor, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> encrypted_frame, absl::Span<uint8_t> out) {
  return DecryptFrame(
      codec,
      [&decryptor](absl::Span<const uint8_t> m, absl::Span<const uint8_t> c,
                   absl::Span<uint8_t> o) {
        return decryptor.Decrypt(m, c, o);
      },
      metadata, encrypted_frame, out);
}

}  // namespace sframe
