// Copyright 2026 The sframecpp Authors.
//
// sframe_frame_crypto.h: SFrame frame encryptor and decryptor with the shape
// of WebRTC's webrtc::FrameEncryptorInterface / FrameDecryptorInterface
// (api/crypto/), without depending on WebRTC. An application that builds
// libwebrtc subclasses the real interfaces and forwards to these classes in
// a few lines (docs/media.md, "WebRTC").
//
//   sframe_webrtc::FrameCryptoOptions options;
//   options.video_codec = sframe::MediaCodec::kVp8;  // the negotiated codec
//   auto tx = sframe_webrtc::SframeFrameEncryptor::Create(options).value();
//   tx->SetKey(/*key_id=*/1, base_key).IgnoreError();
//   std::vector<uint8_t> out(tx->GetMaxCiphertextByteSize(
//       sframe_webrtc::MediaType::kVideo, frame.size()));
//   size_t written = 0;
//   tx->Encrypt(sframe_webrtc::MediaType::kVideo, ssrc, {}, frame,
//               absl::MakeSpan(out), &written);
//
//   auto rx = sframe_webrtc::SframeFrameDecryptor::Create(options).value();
//   rx->AddKey(1, base_key).IgnoreError();
//   auto r = rx->Decrypt(sframe_webrtc::MediaType::kVideo, {}, {},
//                        absl::MakeConstSpan(out.data(), written), plain);
//
// Codec: WebRTC does not tell a frame encryptor which codec produced a
// frame, so the application sets the negotiated video codec (and may change
// it with SetVideoCodec when renegotiating). Audio uses `audio_codec` (Opus
// by default).
//
// Keys: one send key at a time (SetKey replaces it). With `per_ssrc_keys`,
// each SSRC (simulcast layer, RTX...) encrypts under its own
// DeriveSsrcBaseKey(base_key, ssrc) and its own counter; without it, all
// SSRCs share one Encryptor, hence one counter space. A KID set again
// (e.g. MLS epoch bits that wrap, or a rollback to an earlier key) resumes
// the counter where that KID left off, per SSRC, so no (key, KID, CTR) is
// ever reused; the encryptor remembers one counter per KID (and SSRC) it
// has used. A decryptor serves one remote sender: with `per_ssrc_keys` it
// needs that sender's SSRC.
//
// Thread safety: all methods may be called from any thread (WebRTC encrypts
// on the encoder queue while the application rotates keys); an internal
// mutex serialises them. Steady-state Encrypt/Decrypt allocate nothing
// (the first frame of a new SSRC derives its key).

#ifndef SFRAME_EXAMPLES_WEBRTC_SFRAME_FRAME_CRYPTO_H_
#define SFRAME_EXAMPLES_WEBRTC_SFRAME_FRAME_CRYPTO_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "sframe/media.h"
#include "sframe/sframe.h"

namespace sframe_webrtc {

// Mirrors cricket::MediaType.
enum class MediaType { kAudio, kVideo, kData, kUnsupported };

struct FrameCryptoOptions {
  sframe::CipherSuite suite = sframe::CipherSuite::kAes128GcmSha256_128;
  sframe::MediaCodec audio_codec = sframe::MediaCodec::kOpus;
  sframe::MediaCodec video_codec = sframe::MediaCodec::kWholeFrame;
  // draft-ietf-avtcore-rtp-sframe-02 per-SSRC base keys.
  bool per_ssrc_keys = false;
  // Authenticate WebRTC's additional_data (the generic frame descriptor when
  // the sender enables it) as SFrame metadata. Both sides must agree.
  bool bind_additional_data = true;
  // At most this many SSRCs get their own key (per_ssrc_keys).
  size_t max_ssrcs = 16;
};

// The shape of webrtc::FrameEncryptorInterface.
class SframeFrameEncryptor {
 public:
  // kInvalidArgument for an unknown suite or max_ssrcs == 0.
  static absl::StatusOr<std::unique_ptr<SframeFrameEncryptor>> Create(
      const FrameCryptoOptions& options);
  ~SframeFrameEncryptor();

  // Installs the send key (and forgets the previous one). kInvalidArgument
  // for an empty key, kAlreadyExists if `key_id` is the current KID,
  // kResourceExhausted if `key_id` used up its counters earlier.
  absl::Status SetKey(sframe::KeyId key_id, absl::Span<const uint8_t> base_key);
  void SetVideoCodec(sframe::MediaCodec codec);

  // FrameEncryptorInterface::Encrypt: 0 on success with `*bytes_written`
  // set; otherwise a non-zero absl::StatusCode value (e.g. 9,
  // kFailedPrecondition, before SetKey) with `*bytes_written` = 0 and
  // `encrypted_frame` as EncryptFrame leaves it: untouched when the error is
  // found before anything is written (no key, a frame the codec policy
  // cannot parse, too small an output), zeroed otherwise.
  int Encrypt(MediaType media_type, uint32_t ssrc,
              absl::Span<const uint8_t> additional_data,
              absl::Span<const uint8_t> frame,
              absl::Span<uint8_t> encrypted_frame, size_t* bytes_written);

  // FrameEncryptorInterface::GetMaxCiphertextByteSize.
  size_t GetMaxCiphertextByteSize(MediaType media_type, size_t frame_size);

 private:
  explicit SframeFrameEncryptor(const FrameCryptoOptions& options);
  absl::StatusOr<sframe::Encryptor*> EncryptorFor(uint32_t ssrc)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  sframe::MediaCodec CodecFor(MediaType media_type) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  FrameCryptoOptions options_ ABSL_GUARDED_BY(mu_);
  std::optional<sframe::KeyId> key_id_ ABSL_GUARDED_BY(mu_);
  std::vector<uint8_t> base_key_ ABSL_GUARDED_BY(mu_);  // wiped
  std::optional<sframe::Encryptor> shared_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint32_t, std::unique_ptr<sframe::Encryptor>> per_ssrc_
      ABSL_GUARDED_BY(mu_);
  // The next counter of every (KID, SSRC) that has been replaced (SSRC 0
  // without per-SSRC keys); nullopt once its counters are used up.
  absl::flat_hash_map<std::pair<sframe::KeyId, uint32_t>,
                      std::optional<sframe::Counter>>
      resume_ ABSL_GUARDED_BY(mu_);
  // Records the counters of the current key's Encryptors in resume_.
  void SaveCounters() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Creates the Encryptor of `key_id` for `ssrc` (0 when shared), resuming
  // its counter; kResourceExhausted if that counter is used up.
  absl::StatusOr<sframe::Encryptor> NewEncryptor(
      sframe::KeyId key_id, absl::Span<const uint8_t> base_key, uint32_t ssrc)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

// The shape of webrtc::FrameDecryptorInterface.
class SframeFrameDecryptor {
 public:
  // FrameDecryptorInterface::Result.
  struct Result {
    enum class Status { kOk, kRecoverable, kFailedToDecrypt, kUnknown };
    Status status = Status::kUnknown;
    size_t bytes_written = 0;
    bool IsOk() const { return status == Status::kOk; }
  };

  // kInvalidArgument for an unknown suite, or per_ssrc_keys without
  // `remote_ssrc`.
  static absl::StatusOr<std::unique_ptr<SframeFrameDecryptor>> Create(
      const FrameCryptoOptions& options,
      std::optional<uint32_t> remote_ssrc = std::nullopt);

  // Installs a receive key (per-SSRC-derived if configured). Errors as
  // sframe::Decryptor::AddKey.
  absl::Status AddKey(sframe::KeyId key_id, absl::Span<const uint8_t> base_key);
  absl::Status RemoveKey(sframe::KeyId key_id);
  void SetVideoCodec(sframe::MediaCodec codec);

  // FrameDecryptorInterface::Decrypt. kRecoverable when the KID has no key
  // yet (WebRTC then buffers the frame and retries), kFailedToDecrypt for
  // anything else (forged, replayed, malformed). In place (`frame` starts
  // where `encrypted_frame` does, as WebRTC's video path calls it), a frame
  // whose KID has no key is left intact, so that the retry can succeed; any
  // other failure zeroes it.
  Result Decrypt(MediaType media_type, const std::vector<uint32_t>& csrcs,
                 absl::Span<const uint8_t> additional_data,
                 absl::Span<const uint8_t> encrypted_frame,
                 absl::Span<uint8_t> frame);

  // FrameDecryptorInterface::GetMaxPlaintextByteSize.
  size_t GetMaxPlaintextByteSize(MediaType media_type,
                                 size_t encrypted_frame_size);

 private:
  SframeFrameDecryptor(const FrameCryptoOptions& options,
                       std::optional<uint32_t> remote_ssrc,
                       sframe::Decryptor decryptor);

  absl::Mutex mu_;
  FrameCryptoOptions options_ ABSL_GUARDED_BY(mu_);
  std::optional<uint32_t> remote_ssrc_;
  sframe::Decryptor decryptor_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sframe_webrtc

#endif  // SFRAME_EXAMPLES_WEBRTC_SFRAME_FRAME_CRYPTO_H_
