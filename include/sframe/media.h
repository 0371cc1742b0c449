// Copyright 2026 The sframecpp Authors.
//
// media.h: SFrame for encoded media frames. Codec-aware clear bytes, frame
// encryption and decryption around them, and the per-SSRC base key of
// draft-ietf-avtcore-rtp-sframe-02. (The RTP payload format itself is in
// sframe/rtp.h.)
//
// When an encrypted frame still goes through a *codec-specific* packetizer
// (WebRTC's FrameEncryptorInterface, Insertable Streams without the SFrame
// RTP format), the packetizer, the receiver's depacketizer and SFUs read a
// few leading bytes of the frame: the VP8 key-frame bit, H.264 NAL unit
// headers, AV1 OBU headers... A codec policy (`MediaCodec`) says how many
// leading bytes of a frame stay in the clear. Those bytes are passed to
// SFrame as `metadata`, so they are authenticated: altering one of them makes
// decryption fail. An encrypted frame is
//
//   clear prefix || SFrame ciphertext (header || AEAD ciphertext || tag)
//
// with two codec-specific transforms, so that the result is still a valid
// bitstream for the packetizer:
//   - H.264/H.265: the SFrame ciphertext is escaped with emulation
//     prevention (a 0x03 after every 00 00 that precedes a byte <= 0x03) and
//     ends with a 0x80 byte, so it never contains a start code (00 00 01),
//     nor 00 00 00 / 00 00 02, and never ends in 0x00;
//   - AV1: the first OBU that is encrypted keeps its header, with
//     obu_has_size_field set and obu_size rewritten to the ciphertext size.
// docs/media.md explains each policy, its source and its reasoning.
//
//   // Sender.
//   auto enc = sframe::Encryptor::Create(suite, kid, base_key).value();
//   std::vector<uint8_t> wire(sframe::MaxEncryptedFrameSize(
//       sframe::MediaCodec::kH264, suite, frame.size()));
//   absl::StatusOr<absl::Span<uint8_t>> sealed = sframe::EncryptFrame(
//       sframe::MediaCodec::kH264, enc, /*metadata=*/{}, frame,
//       absl::MakeSpan(wire));
//   // Receiver.
//   std::vector<uint8_t> out(sframe::MaxDecryptedFrameSize(sealed->size()));
//   absl::StatusOr<absl::Span<uint8_t>> opened = sframe::DecryptFrame(
//       sframe::MediaCodec::kH264, dec, /*metadata=*/{}, *sealed,
//       absl::MakeSpan(out));
//
// The generic overloads take the seal/open step as a function, so the key
// management objects of sframe/keys.h (SenderKeyEncryptor, MlsDecryptor...)
// plug in with a lambda.
//
// Robustness: the codec parsers face the network. Any input, however
// malformed, gives kDataLoss (DecryptFrame, ClearPrefixSize) or
// kInvalidArgument (EncryptFrame), never a crash, and reads no byte outside
// the given span.
//
// Thread safety: every function here is stateless and may be called from any
// thread; the Encryptor/Decryptor passed in follows its own rules (one thread
// at a time). Nothing here allocates on the per-frame path, except when the
// clear prefix plus `metadata` exceed 1 KiB (one temporary copy).

#ifndef SFRAME_MEDIA_H_
#define SFRAME_MEDIA_H_

#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"
#include "sframe/sframe.h"

namespace sframe {

// ---------------------------------------------------------------- policies

// Which leading bytes of a frame stay in the clear (docs/media.md):
enum class MediaCodec : uint8_t {
  // Nothing: the whole frame is encrypted. Use it with the SFrame RTP
  // payload format (sframe/rtp.h), QUIC/MoQ, or any codec-agnostic path.
  kWholeFrame = 0,
  // The TOC byte (RFC 6716 §3.1): 1 byte.
  kOpus = 1,
  // The VP8 payload header (RFC 6386 §9.1), 3 bytes, plus on key frames the
  // start code and dimensions: 10 bytes on key frames, 3 on delta frames.
  kVp8 = 2,
  // The uncompressed header (VP9 bitstream spec §6.2), rounded up to whole
  // bytes. For an inter frame that takes its size from a reference frame,
  // the tile info cannot be parsed without decoder state; the clear part
  // then ends after segmentation_params (see docs/media.md).
  kVp9 = 3,
  // H.264 Annex B byte stream: every NAL unit before the first VCL NAL unit
  // (AUD, SPS, PPS, SEI...), then the first VCL NAL unit's start code,
  // header and slice header up to pic_parameter_set_id. The rest, escaped
  // (see above), is the SFrame ciphertext.
  kH264 = 4,
  // H.265 Annex B, same rule: non-VCL NAL units before the first VCL NAL
  // unit, then its 2-byte header and slice segment header up to
  // slice_pic_parameter_set_id.
  kH265 = 5,
  // AV1 low-overhead bitstream (temporal unit): leading temporal delimiter
  // and sequence header OBUs, then the header of the first other OBU.
  kAv1 = 6,
};

// Every policy, in enum order.
inline constexpr MediaCodec kAllMediaCodecs[] = {
    MediaCodec::kWholeFrame, MediaCodec::kOpus, MediaCodec::kVp8,
    MediaCodec::kVp9,        MediaCodec::kH264, MediaCodec::kH265,
    MediaCodec::kAv1,
};

// "whole", "opus", "vp8", "vp9", "h264", "h265", "av1"; "unknown" for a value
// outside the enum.
absl::string_view MediaCodecName(MediaCodec codec);

// The number of leading bytes of `frame` that the policy of `codec` keeps in
// the clear. The decision depends only on those bytes, so it is the same on
// the plaintext frame and on the encrypted frame (for AV1 the count includes
// the first encrypted OBU's header, which EncryptFrame rewrites).
//
// Errors: kDataLoss if `frame` is not a frame of that codec the policy can
// parse (too short for its clear part, no start code, no VCL NAL unit, bad
// VP9 frame marker or sync code, AV1 OBU sizes out of range, no OBU to
// encrypt...), kInvalidArgument for a value outside the enum.
absl::StatusOr<size_t> ClearPrefixSize(MediaCodec codec,
                                       absl::Span<const uint8_t> frame);

// --------------------------------------------------------- frame encryption

// An upper bound on EncryptFrame's output for a frame of `frame_size` bytes:
// frame_size + kMaxHeaderSize + TagSize(suite), plus for AV1 7 bytes (OBU
// header and size), plus for H.264/H.265 half the ciphertext + 2 (worst-case
// emulation prevention and the 0x80 end byte). Overflow-safe: returns
// SIZE_MAX when the bound does not fit in size_t.
size_t MaxEncryptedFrameSize(MediaCodec codec, CipherSuite suite,
                             size_t frame_size);

// DecryptFrame never writes more than the encrypted frame's size.
constexpr size_t MaxDecryptedFrameSize(size_t encrypted_frame_size) {
  return encrypted_frame_size;
}

// The SFrame step, as used by the generic overloads: the same contract as
// Encryptor::Encrypt / Decryptor::Decrypt (write to the front of `out`, return
// the written prefix; `out` never overlaps the inputs here).
using FrameSealFunction = absl::FunctionRef<absl::StatusOr<absl::Span<uint8_t>>(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
    absl::Span<uint8_t> out)>;
using FrameOpenFunction = absl::FunctionRef<absl::StatusOr<absl::Span<uint8_t>>(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
    absl::Span<uint8_t> out)>;

// Encrypts one encoded frame with the policy of `codec` and returns the
// written prefix of `out`: clear prefix || SFrame ciphertext (escaped for
// H.264/H.265, in an OBU for AV1). The SFrame metadata (AAD) is the clear
// prefix as it appears on the wire, followed by `metadata` (application data
// that both sides supply, e.g. WebRTC's additional_data; may be empty).
//
// `out` must not overlap `frame` or `metadata` and must hold
// MaxEncryptedFrameSize(codec, suite, frame.size()) bytes; a smaller `out`
// is accepted when the actual layout fits. `suite` must be the suite `seal`
// encrypts with.
//
// Errors: kInvalidArgument if the policy cannot parse `frame` (see
// ClearPrefixSize), `out` is too small or overlaps `frame` or `metadata`,
// the ciphertext does not fit in an AV1 OBU (4 GiB), or `seal` returned a
// span that is not a prefix of its `out`; otherwise the error of `seal`
// (e.g. kResourceExhausted). On error all of `out` is zeroed, except for
// invalid arguments detected before anything was written (then `out` is
// untouched).
absl::StatusOr<absl::Span<uint8_t>> EncryptFrame(
    MediaCodec codec, CipherSuite suite, FrameSealFunction seal,
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> frame,
    absl::Span<uint8_t> out);
// The same with `encryptor` (its suite, its counter).
absl::StatusOr<absl::Span<uint8_t>> EncryptFrame(
    MediaCodec codec, Encryptor& encryptor, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> frame, absl::Span<uint8_t> out);

// Decrypts a frame produced by EncryptFrame with the same `codec` and
// `metadata`, and returns the written prefix of `out`: the original frame.
// No byte of plaintext is released unless the tag verifies.
//
// `out` must hold MaxDecryptedFrameSize(encrypted_frame.size()) bytes and
// either not overlap `encrypted_frame` or start at the same address (in
// place; the input is then consumed).
//
// Errors: kDataLoss if the policy cannot parse the clear prefix, the H.264/
// H.265 escaping is invalid (00 00 00/01/02, no 0x80 end byte), the AV1 OBU
// size does not match, or the SFrame step fails with kDataLoss; kNotFound
// (no key for the KID, retryable) and kAlreadyExists (replay) from the
// Decryptor; kInvalidArgument if `out` is too small or overlaps
// `encrypted_frame` badly or `metadata` at all, or if `codec` is outside the
// enum (then `out` is untouched), or if `open` returned a span that is not a
// prefix of its output. On every other error all of `out` is zeroed.
absl::StatusOr<absl::Span<uint8_t>> DecryptFrame(
    MediaCodec codec, FrameOpenFunction open,
    absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> encrypted_frame, absl::Span<uint8_t> out);
// The same with `decryptor`.
absl::StatusOr<absl::Span<uint8_t>> DecryptFrame(
    MediaCodec codec, Decryptor& decryptor, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> encrypted_frame, absl::Span<uint8_t> out);

// The SFrame header (KID, CTR) of a frame produced by EncryptFrame with
// `codec`, read without a key and without writing anything: for an SFU that
// routes codec-aware frames, or a receiver that decrypts in place and wants
// to keep a frame whose KID has no key yet (DecryptFrame zeroes its output,
// which in place is the frame). Only the clear prefix and the header are
// read: a frame that DecryptFrame would still reject as malformed further on
// (the rest of its H.264/H.265 escaping, a missing tag) can give a header.
// Errors: kDataLoss if the clear prefix or the header cannot be parsed;
// kInvalidArgument for a codec outside the enum.
absl::StatusOr<Header> EncryptedFrameHeader(
    MediaCodec codec, absl::Span<const uint8_t> encrypted_frame);

// ------------------------------------------------------- per-SSRC base keys

// The HKDF info of the per-SSRC derivation: 21 ASCII bytes, no trailing
// space.
inline constexpr char kSsrcKeyLabel[] = "SFrame 1.0 RTP Stream";

// draft-ietf-avtcore-rtp-sframe-02, optional per-SSRC keys:
//   out = HKDF-Expand(HKDF-Extract(salt = BE32(ssrc), IKM = base_key),
//                     "SFrame 1.0 RTP Stream", Nh)
// with the suite's hash. `out` is then used as the base_key of that SSRC's
// Encryptor/Decryptor (and of its ratchet). Derive once per stream, at
// session start.
//
// `out` must be exactly HashSize(suite) bytes (32 or 64). It may overlap
// `base_key` in any way (the input is consumed before `out` is written).
// Errors: kInvalidArgument for an unknown suite, an empty `base_key` or a
// wrong `out` size (`out` untouched); kInternal only if BoringSSL fails
// (`out` zeroed). Temporaries are wiped. Thread-safe.
absl::Status DeriveSsrcBaseKey(CipherSuite suite,
                               absl::Span<const uint8_t> base_key,
                               uint32_t ssrc, absl::Span<uint8_t> out);

}  // namespace sframe

#endif  // SFRAME_MEDIA_H_
