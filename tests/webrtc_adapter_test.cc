// Copyright 2026 The sframecpp Authors.
//
// The WebRTC-style adapter (examples/webrtc/) with recorded-style frames of
// every codec policy: round trips through the FrameEncryptorInterface-shaped
// calls, additional_data binding, key rotation, per-SSRC keys, and the
// Result codes WebRTC acts on.

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sframe_frame_crypto.h"
#include "tests/media_test_frames.h"

namespace sframe_webrtc {
namespace {

using ::sframe::MediaCodec;
using ::sframe::testing::MediaFrame;
using ::sframe::testing::RecordedFrames;

const std::vector<uint8_t> kKey = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};

MediaType TypeOf(MediaCodec codec) {
  return codec == MediaCodec::kOpus ? MediaType::kAudio : MediaType::kVideo;
}

// Sends every recorded frame of `codec` from one adapter to the other.
void RoundTripRecordedFrames(MediaCodec codec, bool per_ssrc = false) {
  FrameCryptoOptions options;
  options.video_codec =
      codec == MediaCodec::kOpus ? MediaCodec::kWholeFrame : codec;
  options.audio_codec = codec == MediaCodec::kOpus ? codec : MediaCodec::kOpus;
  options.per_ssrc_keys = per_ssrc;
  const uint32_t ssrc = 0x1234abcd;
  auto tx = SframeFrameEncryptor::Create(options);
  auto rx = SframeFrameDecryptor::Create(options, ssrc);
  ASSERT_TRUE(tx.ok() && rx.ok());
  ASSERT_TRUE((*tx)->SetKey(5, kKey).ok());
  ASSERT_TRUE((*rx)->AddKey(5, kKey).ok());
  int frames = 0;
  for (const MediaFrame& f : RecordedFrames()) {
    if (f.codec != codec) continue;
    SCOPED_TRACE(f.name);
    const MediaType type = TypeOf(codec);
    const std::vector<uint8_t> ad = {0xad, 0x01};
    std::vector<uint8_t> wire(
        (*tx)->GetMaxCiphertextByteSize(type, f.bytes.size()));
    size_t written = 0;
    ASSERT_EQ(
        (*tx)->Encrypt(type, ssrc, ad, f.bytes, absl::MakeSpan(wire), &written),
        0);
    wire.resize(written);
    // The codec's clear bytes are on the wire.
    ASSERT_GE(wire.size(), f.clear_size);
    EXPECT_TRUE(std::equal(f.bytes.begin(), f.bytes.begin() + f.clear_size,
                           wire.begin()));
    std::vector<uint8_t> out((*rx)->GetMaxPlaintextByteSize(type, wire.size()));
    SframeFrameDecryptor::Result r =
        (*rx)->Decrypt(type, {}, ad, wire, absl::MakeSpan(out));
    ASSERT_TRUE(r.IsOk());
    out.resize(r.bytes_written);
    EXPECT_EQ(out, f.bytes);
    // Different additional data: rejected.
    std::vector<uint8_t> out2(wire.size());
    EXPECT_EQ((*rx)->Decrypt(type, {}, {}, wire, absl::MakeSpan(out2)).status,
              SframeFrameDecryptor::Result::Status::kFailedToDecrypt);
    ++frames;
  }
  EXPECT_GT(frames, 0);
}

TEST(OpusPolicy, WebRtcAdapterRoundTrip) {
  RoundTripRecordedFrames(MediaCodec::kOpus);
}
TEST(Vp8Policy, WebRtcAdapterRoundTrip) {
  RoundTripRecordedFrames(MediaCodec::kVp8);
}
TEST(Vp9Policy, WebRtcAdapterRoundTrip) {
  RoundTripRecordedFrames(MediaCodec::kVp9);
}
TEST(H264Policy, WebRtcAdapterRoundTrip) {
  RoundTripRecordedFrames(MediaCodec::kH264);
}
TEST(H265Policy, WebRtcAdapterRoundTrip) {
  RoundTripRecordedFrames(MediaCodec::kH265);
}
TEST(Av1Policy, WebRtcAdapterRoundTrip) {
  RoundTripRecordedFrames(MediaCodec::kAv1);
}
TEST(WholeFramePolicy, WebRtcAdapterRoundTrip) {
  RoundTripRecordedFrames(MediaCodec::kWholeFrame);
}
TEST(H264Policy, WebRtcAdapterRoundTripWithPerSsrcKeys) {
  RoundTripRecordedFrames(MediaCodec::kH264, /*per_ssrc=*/true);
}

TEST(WebRtcAdapter, ResultCodesAndKeyLifecycle) {
  FrameCryptoOptions options;
  options.video_codec = MediaCodec::kVp8;
  auto tx = SframeFrameEncryptor::Create(options);
  auto rx = SframeFrameDecryptor::Create(options);
  ASSERT_TRUE(tx.ok() && rx.ok());
  const MediaFrame f = RecordedFrames()[1];  // vp8_key
  std::vector<uint8_t> wire(
      (*tx)->GetMaxCiphertextByteSize(MediaType::kVideo, f.bytes.size()));
  size_t written = 7;
  // No key yet.
  EXPECT_NE((*tx)->Encrypt(MediaType::kVideo, 1, {}, f.bytes,
                           absl::MakeSpan(wire), &written),
            0);
  EXPECT_EQ(written, 0u);
  ASSERT_TRUE((*tx)->SetKey(1, kKey).ok());
  EXPECT_EQ((*tx)->SetKey(1, kKey).code(), absl::StatusCode::kAlreadyExists);
  ASSERT_EQ((*tx)->Encrypt(MediaType::kVideo, 1, {}, f.bytes,
                           absl::MakeSpan(wire), &written),
            0);
  wire.resize(written);
  std::vector<uint8_t> out(wire.size());
  // Unknown KID: recoverable (WebRTC buffers and retries).
  EXPECT_EQ((*rx)
                ->Decrypt(MediaType::kVideo, {}, {}, wire, absl::MakeSpan(out))
                .status,
            SframeFrameDecryptor::Result::Status::kRecoverable);
  ASSERT_TRUE((*rx)->AddKey(1, kKey).ok());
  EXPECT_TRUE(
      (*rx)
          ->Decrypt(MediaType::kVideo, {}, {}, wire, absl::MakeSpan(out))
          .IsOk());
  // Rotation: new KID, receiver has both keys for a while.
  const std::vector<uint8_t> key2 = {42, 42, 42};
  ASSERT_TRUE((*tx)->SetKey(2, key2).ok());
  ASSERT_TRUE((*rx)->AddKey(2, key2).ok());
  std::vector<uint8_t> wire2(wire.size() + 64);
  ASSERT_EQ((*tx)->Encrypt(MediaType::kVideo, 1, {}, f.bytes,
                           absl::MakeSpan(wire2), &written),
            0);
  wire2.resize(written);
  out.assign(wire2.size(), 0);
  EXPECT_TRUE(
      (*rx)
          ->Decrypt(MediaType::kVideo, {}, {}, wire2, absl::MakeSpan(out))
          .IsOk());
  ASSERT_TRUE((*rx)->RemoveKey(1).ok());
  out.assign(wire.size(), 0);
  EXPECT_EQ((*rx)
                ->Decrypt(MediaType::kVideo, {}, {}, wire, absl::MakeSpan(out))
                .status,
            SframeFrameDecryptor::Result::Status::kRecoverable);
  // Tampering: failed.
  wire2[wire2.size() - 1] ^= 1;
  out.assign(wire2.size(), 0);
  EXPECT_EQ((*rx)
                ->Decrypt(MediaType::kVideo, {}, {}, wire2, absl::MakeSpan(out))
                .status,
            SframeFrameDecryptor::Result::Status::kFailedToDecrypt);
}

TEST(WebRtcAdapter, SsrcsShareOneCounterWithoutPerSsrcKeys) {
  // Two simulcast SSRCs under one key must never reuse a counter.
  FrameCryptoOptions options;
  auto tx = SframeFrameEncryptor::Create(options);
  ASSERT_TRUE((*tx)->SetKey(3, kKey).ok());
  const std::vector<uint8_t> frame(100, 1);
  std::vector<uint64_t> counters;
  for (uint32_t ssrc : {10u, 20u, 10u, 20u}) {
    std::vector<uint8_t> wire(200);
    size_t written = 0;
    ASSERT_EQ((*tx)->Encrypt(MediaType::kVideo, ssrc, {}, frame,
                             absl::MakeSpan(wire), &written),
              0);
    auto h = sframe::ParseHeader(absl::MakeConstSpan(wire.data(), written));
    ASSERT_TRUE(h.ok());
    counters.push_back(h->header.counter);
  }
  EXPECT_EQ(counters, (std::vector<uint64_t>{0, 1, 2, 3}));
}

// A KID set again resumes its counter, per SSRC: the same key, KID and
// counter never encrypt twice, whatever order keys are set in.
TEST(WebRtcAdapter, AKidSetAgainResumesItsCounter) {
  const std::vector<uint8_t> key2 = {1, 1, 2, 3, 5, 8, 13, 21};
  for (bool per_ssrc : {false, true}) {
    SCOPED_TRACE(per_ssrc);
    FrameCryptoOptions options;
    options.per_ssrc_keys = per_ssrc;
    auto tx = SframeFrameEncryptor::Create(options);
    ASSERT_TRUE(tx.ok());
    const std::vector<uint8_t> frame(40, 7);
    auto send = [&](uint32_t ssrc) {
      std::vector<uint8_t> wire(200);
      size_t written = 0;
      EXPECT_EQ((*tx)->Encrypt(MediaType::kVideo, ssrc, {}, frame,
                               absl::MakeSpan(wire), &written),
                0);
      wire.resize(written);
      return wire;
    };
    auto header = [](const std::vector<uint8_t>& wire) {
      return sframe::ParseHeader(wire)->header;
    };
    std::vector<std::vector<uint8_t>> sent;
    ASSERT_TRUE((*tx)->SetKey(1, kKey).ok());
    sent.push_back(send(10));
    sent.push_back(send(10));
    ASSERT_TRUE((*tx)->SetKey(2, key2).ok());
    sent.push_back(send(10));
    ASSERT_TRUE((*tx)->SetKey(1, kKey).ok());  // back to KID 1
    sent.push_back(send(10));
    sent.push_back(send(20));
    EXPECT_EQ(header(sent[0]).key_id, 1u);
    EXPECT_EQ(header(sent[0]).counter, 0u);
    EXPECT_EQ(header(sent[1]).counter, 1u);
    EXPECT_EQ(header(sent[2]).key_id, 2u);
    EXPECT_EQ(header(sent[2]).counter, 0u);
    EXPECT_EQ(header(sent[3]).key_id, 1u);
    EXPECT_EQ(header(sent[3]).counter, 2u);  // resumed, not 0 again
    // SSRC 20: its own counter with per-SSRC keys, the shared one without.
    EXPECT_EQ(header(sent[4]).counter, per_ssrc ? 0u : 3u);
    // Every frame of KID 1 opens at the receiver, in order.
    auto rx = SframeFrameDecryptor::Create(options, 10);
    ASSERT_TRUE((*rx)->AddKey(1, kKey).ok());
    for (size_t i : {size_t{0}, size_t{1}, size_t{3}}) {
      std::vector<uint8_t> out(sent[i].size());
      EXPECT_TRUE(
          (*rx)
              ->Decrypt(MediaType::kVideo, {}, {}, sent[i], absl::MakeSpan(out))
              .IsOk())
          << i;
    }
  }
}

// WebRTC decrypts video in place and keeps a frame that failed for want of a
// key, to retry it: such a frame must survive the first attempt.
TEST(WebRtcAdapter, InPlaceFrameWithoutAKeyStaysIntactForTheRetry) {
  for (const MediaFrame& f : RecordedFrames()) {
    SCOPED_TRACE(f.name);
    FrameCryptoOptions options;
    options.video_codec =
        f.codec == MediaCodec::kOpus ? MediaCodec::kWholeFrame : f.codec;
    options.audio_codec = MediaCodec::kOpus;
    const MediaType type = TypeOf(f.codec);
    auto tx = SframeFrameEncryptor::Create(options);
    auto rx = SframeFrameDecryptor::Create(options);
    ASSERT_TRUE(tx.ok() && rx.ok());
    // KID 0x1000001 (bytes 01 00 00 01): the H.264/H.265 escaping reaches
    // into the SFrame header.
    ASSERT_TRUE((*tx)->SetKey(0x1000001, kKey).ok());
    std::vector<uint8_t> wire(
        (*tx)->GetMaxCiphertextByteSize(type, f.bytes.size()));
    size_t written = 0;
    ASSERT_EQ(
        (*tx)->Encrypt(type, 1, {}, f.bytes, absl::MakeSpan(wire), &written),
        0);
    wire.resize(written);
    std::vector<uint8_t> buf = wire;
    auto r = (*rx)->Decrypt(type, {}, {}, buf, absl::MakeSpan(buf));
    EXPECT_EQ(r.status, SframeFrameDecryptor::Result::Status::kRecoverable);
    EXPECT_EQ(buf, wire);  // intact
    ASSERT_TRUE((*rx)->AddKey(0x1000001, kKey).ok());
    r = (*rx)->Decrypt(type, {}, {}, buf, absl::MakeSpan(buf));
    ASSERT_TRUE(r.IsOk());
    EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + r.bytes_written),
              f.bytes);
    // Any other failure in place still zeroes the frame.
    std::vector<uint8_t> forged = wire;
    forged.back() ^= 1;
    r = (*rx)->Decrypt(type, {}, {}, forged, absl::MakeSpan(forged));
    EXPECT_EQ(r.status, SframeFrameDecryptor::Result::Status::kFailedToDecrypt);
    EXPECT_EQ(forged, std::vector<uint8_t>(forged.size(), 0));
  }
}

TEST(WebRtcAdapter, PerSsrcKeysNeedTheRemoteSsrcAndAreBounded) {
  FrameCryptoOptions options;
  options.per_ssrc_keys = true;
  options.max_ssrcs = 2;
  EXPECT_FALSE(SframeFrameDecryptor::Create(options).ok());
  auto tx = SframeFrameEncryptor::Create(options);
  ASSERT_TRUE((*tx)->SetKey(3, kKey).ok());
  const std::vector<uint8_t> frame(10, 1);
  std::vector<uint8_t> wire(100);
  size_t written = 0;
  EXPECT_EQ((*tx)->Encrypt(MediaType::kVideo, 1, {}, frame,
                           absl::MakeSpan(wire), &written),
            0);
  EXPECT_EQ((*tx)->Encrypt(MediaType::kVideo, 2, {}, frame,
                           absl::MakeSpan(wire), &written),
            0);
  EXPECT_EQ((*tx)->Encrypt(MediaType::kVideo, 3, {}, frame,
                           absl::MakeSpan(wire), &written),
            static_cast<int>(absl::StatusCode::kResourceExhausted));
  // A receiver keyed for SSRC 1 cannot open SSRC 2's frames.
  auto rx1 = SframeFrameDecryptor::Create(options, 1);
  ASSERT_TRUE((*rx1)->AddKey(3, kKey).ok());
  ASSERT_EQ((*tx)->Encrypt(MediaType::kVideo, 2, {}, frame,
                           absl::MakeSpan(wire), &written),
            0);
  std::vector<uint8_t> out(written);
  EXPECT_EQ((*rx1)
                ->Decrypt(MediaType::kVideo, {}, {},
                          absl::MakeConstSpan(wire.data(), written),
                          absl::MakeSpan(out))
                .status,
            SframeFrameDecryptor::Result::Status::kFailedToDecrypt);
}

}  // namespace
}  // namespace sframe_webrtc
