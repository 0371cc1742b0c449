// Copyright 2026 The sframecpp Authors.

#include "sframe_frame_crypto.h"

#include <utility>

#include "sframe/cipher_suite.h"

namespace sframe_webrtc {
namespace {

// Zeroes key bytes in a way the compiler does not drop.
void Wipe(std::vector<uint8_t>& bytes) {
  volatile uint8_t* p = bytes.data();
  for (size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
  bytes.clear();
}

int ErrorCode(const absl::Status& status) {
  return status.ok() ? 0 : static_cast<int>(status.code());
}

}  // namespace

// ------------------------------------------------------------- encryptor

SframeFrameEncryptor::SframeFrameEncryptor(const FrameCryptoOptions& options)
    : options_(options) {}

SframeFrameEncryptor::~SframeFrameEncryptor() {
  absl::MutexLock lock(&mu_);
  Wipe(base_key_);
}

absl::StatusOr<std::unique_ptr<SframeFrameEncryptor>>
SframeFrameEncryptor::Create(const FrameCryptoOptions& options) {
  if (!sframe::CipherSuiteFromId(static_cast<uint16_t>(options.suite)).ok() ||
      options.max_ssrcs == 0) {
    return absl::InvalidArgumentError("bad options");
  }
  return std::unique_ptr<SframeFrameEncryptor>(
      new SframeFrameEncryptor(options));
}

void SframeFrameEncryptor::SaveCounters() {
  if (!key_id_.has_value()) return;
  auto save = [this](uint32_t ssrc, const sframe::Encryptor& enc) {
    resume_[{*key_id_, ssrc}] =
        enc.exhausted() ? std::nullopt
                        : std::optional<sframe::Counter>(enc.next_counter());
  };
  if (shared_.has_value()) save(0, *shared_);
  for (const auto& [ssrc, enc] : per_ssrc_) save(ssrc, *enc);
}

absl::StatusOr<sframe::Encryptor> SframeFrameEncryptor::NewEncryptor(
    sframe::KeyId key_id, absl::Span<const uint8_t> base_key, uint32_t ssrc) {
  sframe::Encryptor::Options o;
  auto it = resume_.find({key_id, ssrc});
  if (it != resume_.end()) {
    if (!it->second.has_value()) {
      return absl::Status(absl::StatusCode::kResourceExhausted, "");
    }
    o.first_counter = *it->second;
  }
  return sframe::Encryptor::Create(options_.suite, key_id, base_key, o);
}

absl::Status SframeFrameEncryptor::SetKey(sframe::KeyId key_id,
                                          absl::Span<const uint8_t> base_key) {
  absl::MutexLock lock(&mu_);
  if (base_key.empty()) return absl::InvalidArgumentError("empty key");
  if (key_id_ == key_id) return absl::AlreadyExistsError("KID in use");
  // The new shared Encryptor first (its KID is not the current one, so
  // its saved counter is final): a failure changes nothing.
  absl::StatusOr<sframe::Encryptor> shared;
  if (!options_.per_ssrc_keys) {
    shared = NewEncryptor(key_id, base_key, 0);
    if (!shared.ok()) return shared.status();
  }
  SaveCounters();
  Wipe(base_key_);
  base_key_.assign(base_key.begin(), base_key.end());
  key_id_ = key_id;
  per_ssrc_.clear();
  shared_.reset();
  if (shared.ok()) shared_.emplace(*std::move(shared));
  return absl::OkStatus();
}

void SframeFrameEncryptor::SetVideoCodec(sframe::MediaCodec codec) {
  absl::MutexLock lock(&mu_);
  options_.video_codec = codec;
}

sframe::MediaCodec SframeFrameEncryptor::CodecFor(MediaType media_type) const {
  return media_type == MediaType::kAudio   ? options_.audio_codec
         : media_type == MediaType::kVideo ? options_.video_codec
                                           : sframe::MediaCodec::kWholeFrame;
}

absl::StatusOr<sframe::Encryptor*> SframeFrameEncryptor::EncryptorFor(
    uint32_t ssrc) {
  if (!key_id_.has_value()) {
    return absl::Status(absl::StatusCode::kFailedPrecondition, "");
  }
  if (!options_.per_ssrc_keys) return &*shared_;
  auto it = per_ssrc_.find(ssrc);
  if (it != per_ssrc_.end()) return it->second.get();
  if (per_ssrc_.size() >= options_.max_ssrcs) {
    return absl::Status(absl::StatusCode::kResourceExhausted, "");
  }
  std::vector<uint8_t> ssrc_key(sframe::HashSize(options_.suite));
  absl::Status s = sframe::DeriveSsrcBaseKey(options_.suite, base_key_, ssrc,
                                             absl::MakeSpan(ssrc_key));
  absl::StatusOr<sframe::Encryptor> enc =
      s.ok() ? NewEncryptor(*key_id_, ssrc_key, ssrc)
             : absl::StatusOr<sframe::Encryptor>(s);
  Wipe(ssrc_key);
  if (!enc.ok()) return enc.status();
  auto owned = std::make_unique<sframe::Encryptor>(*std::move(enc));
  sframe::Encryptor* raw = owned.get();
  per_ssrc_.emplace(ssrc, std::move(owned));
  return raw;
}

int SframeFrameEncryptor::Encrypt(MediaType media_type, uint32_t ssrc,
                                  absl::Span<const uint8_t> additional_data,
                                  absl::Span<const uint8_t> frame,
                                  absl::Span<uint8_t> encrypted_frame,
                                  size_t* bytes_written) {
  *bytes_written = 0;
  absl::MutexLock lock(&mu_);
  absl::StatusOr<sframe::Encryptor*> enc = EncryptorFor(ssrc);
  if (!enc.ok()) return ErrorCode(enc.status());
  absl::StatusOr<absl::Span<uint8_t>> out = sframe::EncryptFrame(
      CodecFor(media_type), **enc,
      options_.bind_additional_data ? additional_data
                                    : absl::Span<const uint8_t>(),
      frame, encrypted_frame);
  if (!out.ok()) return ErrorCode(out.status());
  *bytes_written = out->size();
  return 0;
}

size_t SframeFrameEncryptor::GetMaxCiphertextByteSize(MediaType media_type,
                                                      size_t frame_size) {
  absl::MutexLock lock(&mu_);
  return sframe::MaxEncryptedFrameSize(CodecFor(media_type), options_.suite,
                                       frame_size);
}

// ------------------------------------------------------------- decryptor

SframeFrameDecryptor::SframeFrameDecryptor(const FrameCryptoOptions& options,
                                           std::optional<uint32_t> remote_ssrc,
                                           sframe::Decryptor decryptor)
    : options_(options),
      remote_ssrc_(remote_ssrc),
      decryptor_(std::move(decryptor)) {}

absl::StatusOr<std::unique_ptr<SframeFrameDecryptor>>
SframeFrameDecryptor::Create(const FrameCryptoOptions& options,
                             std::optional<uint32_t> remote_ssrc) {
  if (options.per_ssrc_keys && !remote_ssrc.has_value()) {
    return absl::InvalidArgumentError("per-SSRC keys need the remote SSRC");
  }
  absl::StatusOr<sframe::Decryptor> dec =
      sframe::Decryptor::Create(options.suite);
  if (!dec.ok()) return dec.status();
  return std::unique_ptr<SframeFrameDecryptor>(
      new SframeFrameDecryptor(options, remote_ssrc, *std::move(dec)));
}

absl::Status SframeFrameDecryptor::AddKey(sframe::KeyId key_id,
                                          absl::Span<const uint8_t> base_key) {
  absl::MutexLock lock(&mu_);
  if (!options_.per_ssrc_keys) return decryptor_.AddKey(key_id, base_key);
  std::vector<uint8_t> ssrc_key(sframe::HashSize(options_.suite));
  absl::Status s = sframe::DeriveSsrcBaseKey(
      options_.suite, base_key, *remote_ssrc_, absl::MakeSpan(ssrc_key));
  if (s.ok()) s = decryptor_.AddKey(key_id, ssrc_key);
  Wipe(ssrc_key);
  return s;
}

absl::Status SframeFrameDecryptor::RemoveKey(sframe::KeyId key_id) {
  absl::MutexLock lock(&mu_);
  return decryptor_.RemoveKey(key_id);
}

void SframeFrameDecryptor::SetVideoCodec(sframe::MediaCodec codec) {
  absl::MutexLock lock(&mu_);
  options_.video_codec = codec;
}

SframeFrameDecryptor::Result SframeFrameDecryptor::Decrypt(
    MediaType media_type, const std::vector<uint32_t>& /*csrcs*/,
    absl::Span<const uint8_t> additional_data,
    absl::Span<const uint8_t> encrypted_frame, absl::Span<uint8_t> frame) {
  absl::MutexLock lock(&mu_);
  const sframe::MediaCodec codec =
      media_type == MediaType::kAudio   ? options_.audio_codec
      : media_type == MediaType::kVideo ? options_.video_codec
                                        : sframe::MediaCodec::kWholeFrame;
  Result result;
  if (frame.data() == encrypted_frame.data()) {
    // In place, DecryptFrame would zero the frame on any error; WebRTC
    // keeps a frame that failed for want of a key, to retry it later.
    absl::StatusOr<sframe::Header> header =
        sframe::EncryptedFrameHeader(codec, encrypted_frame);
    if (header.ok() && !decryptor_.HasKey(header->key_id)) {
      result.status = Result::Status::kRecoverable;
      return result;
    }
  }
  absl::StatusOr<absl::Span<uint8_t>> out = sframe::DecryptFrame(
      codec, decryptor_,
      options_.bind_additional_data ? additional_data
                                    : absl::Span<const uint8_t>(),
      encrypted_frame, frame);
  if (out.ok()) {
    result.status = Result::Status::kOk;
    result.bytes_written = out->size();
  } else if (out.status().code() == absl::StatusCode::kNotFound) {
    result.status = Result::Status::kRecoverable;
  } else {
    result.status = Result::Status::kFailedToDecrypt;
  }
  return result;
}

size_t SframeFrameDecryptor::GetMaxPlaintextByteSize(
    MediaType /*media_type*/, size_t encrypted_frame_size) {
  return sframe::MaxDecryptedFrameSize(encrypted_frame_size);
}

}  // namespace sframe_webrtc
