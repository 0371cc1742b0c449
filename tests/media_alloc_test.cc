// Copyright 2026 The sframecpp Authors.
//
// Proves that the media per-frame paths allocate nothing in steady state:
// EncryptFrame/DecryptFrame for every codec policy (with and without
// metadata, including failures), the RTP packetizer, per-packet encryption,
// and the depacketizer once its buffers have grown. This binary replaces the
// global operator new and counts calls.

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/media.h"
#include "sframe/rtp.h"
#include "sframe/sframe.h"
#include "tests/counting_new.h"
#include "tests/media_test_frames.h"

namespace sframe {
namespace {

using ::sframe::testing::MediaFrame;
using ::sframe::testing::RecordedFrames;

TEST(MediaNoAllocation, FramePathsOfEveryPolicyDoNotAllocate) {
  const CipherSuite suite = CipherSuite::kAes128GcmSha256_128;
  const std::vector<uint8_t> key(16, 7), md = {1, 2, 3};
  auto enc = Encryptor::Create(suite, 1, key);
  auto dec = Decryptor::Create(suite);
  ASSERT_TRUE(enc.ok() && dec.ok() && dec->AddKey(1, key).ok());
  const std::vector<MediaFrame> frames = RecordedFrames();
  std::vector<uint8_t> wire(8192), out(8192);
  const long before = g_allocations.load();
  int ok = 0, failed = 0;
  for (int round = 0; round < 20; ++round) {
    const absl::Span<const uint8_t> m =
        round % 2 ? absl::MakeConstSpan(md) : absl::Span<const uint8_t>();
    for (const MediaFrame& f : frames) {
      auto sealed =
          EncryptFrame(f.codec, *enc, m, f.bytes, absl::MakeSpan(wire));
      ASSERT_TRUE(sealed.ok());
      const size_t n = sealed->size();
      wire[n - 1] ^= 1;
      failed +=
          !DecryptFrame(f.codec, *dec, m, absl::MakeConstSpan(wire.data(), n),
                        absl::MakeSpan(out))
               .ok();
      wire[n - 1] ^= 1;
      ok += DecryptFrame(f.codec, *dec, m, absl::MakeConstSpan(wire.data(), n),
                         absl::MakeSpan(out))
                .ok();
    }
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(ok, 20 * static_cast<int>(frames.size()));
  EXPECT_EQ(failed, 20 * static_cast<int>(frames.size()));
}

TEST(MediaNoAllocation, RtpPathsDoNotAllocateInSteadyState) {
  const CipherSuite suite = CipherSuite::kAes128GcmSha256_128;
  const std::vector<uint8_t> key(16, 7);
  auto enc = Encryptor::Create(suite, 1, key);
  ASSERT_TRUE(enc.ok());
  RtpDepacketizer::Options options;
  options.max_packets = 64;
  auto depacketizer = RtpDepacketizer::Create(options);
  ASSERT_TRUE(depacketizer.ok());
  const std::vector<uint8_t> frame(3000, 5);
  std::vector<uint8_t> ct(4000), payload(1200);
  uint16_t seq = 0;
  auto run = [&](int frames) {
    for (int i = 0; i < frames; ++i) {
      auto sealed = enc->Encrypt({}, frame, absl::MakeSpan(ct));
      ASSERT_TRUE(sealed.ok());
      auto p = RtpPacketizer::Create(*sealed, payload.size());
      ASSERT_TRUE(p.ok());
      int delivered = 0;
      while (p->HasNext()) {
        auto next = p->Next(absl::MakeSpan(payload));
        ASSERT_TRUE(next.ok());
        RtpPacket packet;
        packet.sequence_number = seq++;
        packet.payload = next->payload;
        auto r = depacketizer->Insert(packet);
        ASSERT_TRUE(r.ok());
        delivered += r->has_value();
      }
      ASSERT_EQ(delivered, 1);
      auto pp = EncryptRtpPayload(
          *enc, {}, absl::MakeConstSpan(frame).first(900), absl::MakeSpan(ct));
      ASSERT_TRUE(pp.ok());
    }
  };
  // Warm-up: every slot and the assembly buffer reach their size (past
  // counter 256, where the SFrame header, hence each fragment, grows).
  run(200);
  const long before = g_allocations.load();
  run(200);
  EXPECT_EQ(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace sframe
