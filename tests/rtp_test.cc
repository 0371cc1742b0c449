// Copyright 2026 The sframecpp Authors.
//
// The RTP payload format for SFrame (draft-ietf-avtcore-rtp-sframe-02):
// descriptor, per-frame packetizer, per-packet mode, depacketizer.

#include "sframe/rtp.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/sframe.h"

namespace sframe {
namespace {

struct Sent {
  uint16_t seq;
  uint8_t pt;
  bool marker;
  std::vector<uint8_t> payload;
};

std::vector<uint8_t> Bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13);
  return v;
}

std::vector<Sent> Packetize(const std::vector<uint8_t>& ct, size_t mtu,
                            uint16_t first_seq, uint8_t pt = 96,
                            bool packetized = false) {
  auto p = RtpPacketizer::Create(ct, mtu, packetized);
  EXPECT_TRUE(p.ok());
  std::vector<Sent> out;
  uint16_t seq = first_seq;
  while (p->HasNext()) {
    std::vector<uint8_t> buf(p->NextPayloadSize());
    auto next = p->Next(absl::MakeSpan(buf));
    EXPECT_TRUE(next.ok());
    EXPECT_LE(next->payload.size(), mtu);
    out.push_back(
        {seq++, pt, next->marker,
         std::vector<uint8_t>(next->payload.begin(), next->payload.end())});
  }
  return out;
}

RtpPacket View(const Sent& s, uint32_t ts = 1000) {
  RtpPacket p;
  p.sequence_number = s.seq;
  p.payload_type = s.pt;
  p.timestamp = ts;
  p.marker = s.marker;
  p.payload = s.payload;
  return p;
}

struct Recorder {
  std::vector<RtpDrop> drops;
  RtpDepacketizer Make(size_t max_packets = 64) {
    RtpDepacketizer::Options o;
    o.max_packets = max_packets;
    o.max_frame_size = 1 << 16;
    o.max_buffered_bytes = 1 << 18;
    o.on_drop = [this](const RtpDrop& d) { drops.push_back(d); };
    auto d = RtpDepacketizer::Create(o);
    EXPECT_TRUE(d.ok());
    return *std::move(d);
  }
};

TEST(RtpDescriptor, BitLayoutIsSETThenReserved) {
  EXPECT_EQ(EncodeRtpDescriptor({true, false, false}), 0x80);
  EXPECT_EQ(EncodeRtpDescriptor({false, true, false}), 0x40);
  EXPECT_EQ(EncodeRtpDescriptor({false, false, true}), 0x20);
  EXPECT_EQ(EncodeRtpDescriptor({true, true, true}), 0xe0);
  for (int b = 0; b < 256; ++b) {
    RtpDescriptor d = ParseRtpDescriptor(static_cast<uint8_t>(b));
    EXPECT_EQ(EncodeRtpDescriptor(d), b & 0xe0);  // reserved bits ignored
  }
}

TEST(RtpPacketizer, SplitsEvenlySetsSAndEAndMarksOnlyTheLast) {
  const std::vector<uint8_t> ct = Bytes(2501, 1);
  std::vector<Sent> pkts = Packetize(ct, 1000, 10);
  ASSERT_EQ(pkts.size(), 3u);  // 999 bytes of room each
  std::vector<uint8_t> joined;
  for (size_t i = 0; i < pkts.size(); ++i) {
    RtpDescriptor d = ParseRtpDescriptor(pkts[i].payload[0]);
    EXPECT_EQ(d.start, i == 0);
    EXPECT_EQ(d.end, i == 2);
    EXPECT_FALSE(d.packetized);
    EXPECT_EQ(pkts[i].marker, i == 2);
    EXPECT_GE(pkts[i].payload.size(), 834u);  // 2501 / 3, +1 for some
    EXPECT_LE(pkts[i].payload.size(), 835u);
    joined.insert(joined.end(), pkts[i].payload.begin() + 1,
                  pkts[i].payload.end());
  }
  EXPECT_EQ(joined, ct);
}

TEST(RtpPacketizer, AudioFramesWithoutMarkerStayUnmarked) {
  const std::vector<uint8_t> ct = Bytes(50, 2);
  auto p = RtpPacketizer::Create(ct, 1200, false, /*frame_marker=*/false);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->num_packets(), 1u);
  uint8_t buf[64];
  auto next = p->Next(absl::MakeSpan(buf));
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->marker);
  EXPECT_EQ(next->payload[0], 0xc0);  // S and E
  EXPECT_EQ(p->Next(absl::MakeSpan(buf)).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(RtpPacketizer, RejectsBadArguments) {
  const std::vector<uint8_t> ct = Bytes(10, 3);
  EXPECT_FALSE(RtpPacketizer::Create(ct, 1).ok());
  EXPECT_FALSE(RtpPacketizer::Create({}, 100).ok());
  auto p = RtpPacketizer::Create(ct, 100);
  uint8_t small[5];
  EXPECT_EQ(p->Next(absl::MakeSpan(small)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p->NextPayloadSize(), 11u);
}

TEST(RtpPerPacket, EncryptsEachPayloadWithTSet) {
  const CipherSuite suite = CipherSuite::kAes128GcmSha256_128;
  const std::vector<uint8_t> key = Bytes(16, 4);
  auto enc = Encryptor::Create(suite, 3, key);
  auto dec = Decryptor::Create(suite);
  ASSERT_TRUE(dec->AddKey(3, key).ok());
  Recorder rec;
  RtpDepacketizer d = rec.Make();
  for (uint16_t i = 0; i < 20; ++i) {
    const std::vector<uint8_t> media = Bytes(100 + i, static_cast<uint8_t>(i));
    std::vector<uint8_t> out(media.size() + RtpPerPacketOverhead(suite));
    auto payload = EncryptRtpPayload(*enc, {}, media, absl::MakeSpan(out));
    ASSERT_TRUE(payload.ok());
    EXPECT_LE(payload->size(), out.size());
    EXPECT_EQ((*payload)[0], 0xe0);
    Sent s{static_cast<uint16_t>(65530 + i), 97, true,
           std::vector<uint8_t>(payload->begin(), payload->end())};
    auto frame = d.Insert(View(s));
    ASSERT_TRUE(frame.ok());
    ASSERT_TRUE(frame->has_value());
    EXPECT_TRUE((*frame)->packetized);
    std::vector<uint8_t> pt((*frame)->sframe_ciphertext.size());
    auto opened =
        dec->Decrypt({}, (*frame)->sframe_ciphertext, absl::MakeSpan(pt));
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(std::vector<uint8_t>(opened->begin(), opened->end()), media);
  }
  EXPECT_TRUE(rec.drops.empty());
  std::vector<uint8_t> tiny(4, 0xee);
  EXPECT_EQ(EncryptRtpPayload(*enc, {}, Bytes(10, 0), absl::MakeSpan(tiny))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(tiny, std::vector<uint8_t>(4, 0xee));
  // Metadata inside `out`, even only over the descriptor byte: refused,
  // nothing written, no counter used.
  const Counter next = enc->next_counter();
  for (size_t at : {size_t{0}, size_t{5}}) {
    std::vector<uint8_t> out(64, 0xee);
    const std::vector<uint8_t> before = out;
    EXPECT_EQ(EncryptRtpPayload(*enc, absl::MakeConstSpan(out).subspan(at, 1),
                                Bytes(10, 0), absl::MakeSpan(out))
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(out, before);
  }
  EXPECT_EQ(enc->next_counter(), next);
}

TEST(RtpDepacketizer, ReassemblesPerFrameModeEndToEnd) {
  const CipherSuite suite = CipherSuite::kAes256GcmSha512_128;
  const std::vector<uint8_t> key = Bytes(32, 5);
  auto enc = Encryptor::Create(suite, 1, key);
  auto dec = Decryptor::Create(suite);
  ASSERT_TRUE(dec->AddKey(1, key).ok());
  Recorder rec;
  RtpDepacketizer d = rec.Make();
  uint16_t seq = 65500;  // crosses the wrap
  for (int f = 0; f < 30; ++f) {
    const std::vector<uint8_t> frame =
        Bytes(3000 + f * 37, static_cast<uint8_t>(f));
    std::vector<uint8_t> ct(enc->CiphertextSize(frame.size()));
    ASSERT_TRUE(enc->Encrypt({}, frame, absl::MakeSpan(ct)).ok());
    std::vector<Sent> pkts = Packetize(ct, 1200, seq);
    seq = static_cast<uint16_t>(seq + pkts.size());
    std::reverse(pkts.begin(), pkts.end());  // worst-case reordering
    std::optional<RtpDepacketizer::Frame> got;
    for (const Sent& s : pkts) {
      auto r = d.Insert(View(s, 90000 + f));
      ASSERT_TRUE(r.ok());
      if (r->has_value()) {
        ASSERT_FALSE(got.has_value());
        got = *r;
        std::vector<uint8_t> pt(got->sframe_ciphertext.size());
        auto opened =
            dec->Decrypt({}, got->sframe_ciphertext, absl::MakeSpan(pt));
        ASSERT_TRUE(opened.ok());
        EXPECT_EQ(std::vector<uint8_t>(opened->begin(), opened->end()), frame);
      }
    }
    ASSERT_TRUE(got.has_value());
    EXPECT_FALSE(got->packetized);
    EXPECT_TRUE(got->marker);
    EXPECT_EQ(got->timestamp, 90000u + f);
    EXPECT_EQ(got->payload_type, 96);
  }
  EXPECT_TRUE(rec.drops.empty());
  EXPECT_EQ(d.buffered_packets(), 0u);
  EXPECT_EQ(d.buffered_bytes(), 0u);
  EXPECT_EQ(d.stats().frames, 30u);
}

TEST(RtpDepacketizer, DropsRunsWithMixedTBits) {
  Recorder rec;
  RtpDepacketizer d = rec.Make();
  std::vector<Sent> pkts = Packetize(Bytes(300, 1), 101, 100);
  ASSERT_EQ(pkts.size(), 3u);
  pkts[1].payload[0] |= 0x20;  // T=1 in the middle
  for (const Sent& s : pkts) {
    auto r = d.Insert(View(s));
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value());
  }
  ASSERT_EQ(rec.drops.size(), 1u);
  EXPECT_EQ(rec.drops[0].reason, RtpDropReason::kMixedPacketization);
  EXPECT_EQ(rec.drops[0].first_sequence_number, 100);
  EXPECT_EQ(rec.drops[0].last_sequence_number, 102);
  EXPECT_EQ(rec.drops[0].packets, 3u);
  EXPECT_EQ(d.stats().dropped_mixed_packetization, 1u);
  EXPECT_EQ(d.buffered_packets(), 0u);
}

TEST(RtpDepacketizer, DropsRunsWithMixedPayloadTypes) {
  Recorder rec;
  RtpDepacketizer d = rec.Make();
  std::vector<Sent> pkts = Packetize(Bytes(300, 1), 101, 7);
  pkts[2].pt = 100;
  for (const Sent& s : pkts) ASSERT_TRUE(d.Insert(View(s)).ok());
  ASSERT_EQ(rec.drops.size(), 1u);
  EXPECT_EQ(rec.drops[0].reason, RtpDropReason::kMixedPayloadType);
  EXPECT_EQ(d.stats().dropped_mixed_payload_type, 1u);
}

TEST(RtpDepacketizer, DropsARunWhoseEndIsReplacedByANewStart) {
  Recorder rec;
  RtpDepacketizer d = rec.Make();
  std::vector<Sent> a = Packetize(Bytes(300, 1), 101, 1);  // seq 1..3
  std::vector<Sent> b = Packetize(Bytes(100, 2), 101, 3);  // seq 3 (S,E)
  ASSERT_TRUE(d.Insert(View(a[0])).ok());
  ASSERT_TRUE(d.Insert(View(a[1])).ok());
  // seq 3 carries S (another frame): run 1..2 can never end.
  auto r = d.Insert(View(b[0]));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
  ASSERT_EQ(rec.drops.size(), 1u);
  EXPECT_EQ(rec.drops[0].reason, RtpDropReason::kIncompleteRun);
  EXPECT_EQ(rec.drops[0].first_sequence_number, 1);
  EXPECT_EQ(rec.drops[0].last_sequence_number, 2);
}

TEST(RtpDepacketizer, DropsARunWithoutStart) {
  Recorder rec;
  RtpDepacketizer d = rec.Make();
  std::vector<Sent> a = Packetize(Bytes(100, 1), 101, 1);  // seq 1 (S,E)
  std::vector<Sent> b = Packetize(Bytes(300, 2), 101, 1);  // seq 1..3
  ASSERT_TRUE(d.Insert(View(a[0])).ok());
  // seq 2, no S, right after a packet with E: its run has no start.
  auto r = d.Insert(View(b[1]));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  ASSERT_EQ(rec.drops.size(), 1u);
  EXPECT_EQ(rec.drops[0].first_sequence_number, 2);
  EXPECT_EQ(d.buffered_packets(), 0u);
}

TEST(RtpDepacketizer, EvictsIncompleteRunsThatLeaveTheWindow) {
  Recorder rec;
  RtpDepacketizer d = rec.Make(/*max_packets=*/16);
  std::vector<Sent> lost = Packetize(Bytes(300, 1), 101, 0);  // 0..2
  ASSERT_TRUE(d.Insert(View(lost[0])).ok());  // 1 and 2 never arrive
  for (uint16_t s = 3; s < 40; ++s) {
    std::vector<Sent> one = Packetize(Bytes(50, 3), 101, s);
    auto r = d.Insert(View(one[0]));
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->has_value());
  }
  ASSERT_EQ(rec.drops.size(), 1u);
  EXPECT_EQ(rec.drops[0].reason, RtpDropReason::kIncompleteRun);
  EXPECT_EQ(rec.drops[0].first_sequence_number, 0);
  EXPECT_EQ(d.buffered_packets(), 0u);
  // Now packet 1 is late.
  auto late = d.Insert(View(lost[1]));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(d.stats().late_packets, 1u);
}

// One packet far ahead (forged, corrupted, or a renumbered sender) makes
// the real stream late; a run of late packets restarts the depacketizer.
TEST(RtpDepacketizer, ResyncsAfterARunOfLatePackets) {
  Recorder rec;
  RtpDepacketizer d = rec.Make(1024);
  const size_t threshold = RtpDepacketizer::Options().resync_after_late_packets;
  // A frame of two packets per sequence-number pair.
  auto insert_frame = [&d](uint16_t seq) {
    std::vector<Sent> pkts = Packetize(Bytes(300, 1), 200, seq);
    EXPECT_EQ(pkts.size(), 2u);
    absl::StatusCode first = d.Insert(View(pkts[0])).status().code();
    auto second = d.Insert(View(pkts[1]));
    return std::make_pair(first, second);
  };
  uint16_t seq = 100;
  for (int f = 0; f < 50; ++f, seq += 2) {
    auto [first, second] = insert_frame(seq);
    ASSERT_EQ(first, absl::StatusCode::kOk);
    ASSERT_TRUE(second.ok() && second->has_value());
  }
  // The jump: a lone start fragment 32767 after the newest packet (the
  // farthest a 16-bit difference reaches ahead).
  Sent jump{static_cast<uint16_t>(seq - 1 + 32767), 96, false, Bytes(50, 2)};
  jump.payload[0] = 0x80;  // S, no E
  ASSERT_TRUE(d.Insert(View(jump)).ok());
  EXPECT_EQ(d.buffered_packets(), 1u);
  // The real stream goes on: its packets are late until the run is long
  // enough, then the depacketizer restarts at the last of them.
  size_t late = 0;
  while (late + 1 < threshold) {
    auto [first, second] = insert_frame(seq);
    seq += 2;
    EXPECT_EQ(first, absl::StatusCode::kDataLoss);
    ++late;
    if (late + 1 < threshold) {
      EXPECT_EQ(second.status().code(), absl::StatusCode::kDataLoss);
      ++late;
    } else {
      // The packet that completes the run is taken as the first of the new
      // stream; it is a frame's second fragment, so that run has no start
      // and is dropped.
      EXPECT_TRUE(second.ok());
    }
  }
  EXPECT_EQ(d.stats().late_packets, threshold - 1);
  EXPECT_EQ(d.stats().resyncs, 1u);
  // The jump's buffered run was dropped, as a reported incomplete run.
  ASSERT_FALSE(rec.drops.empty());
  EXPECT_EQ(rec.drops.front().first_sequence_number, jump.seq);
  // Frames flow again.
  for (int f = 0; f < 20; ++f, seq += 2) {
    auto [first, second] = insert_frame(seq);
    ASSERT_EQ(first, absl::StatusCode::kOk);
    ASSERT_TRUE(second.ok() && second->has_value()) << f;
  }
  EXPECT_EQ(d.stats().resyncs, 1u);
  EXPECT_EQ(d.stats().frames, 70u);
}

// Late packets mixed with the live stream (very late retransmissions) never
// add up to a restart, and neither does a real forward jump (a burst of
// loss): the stream just goes on.
TEST(RtpDepacketizer, LatePacketsAmidTheStreamAndForwardJumpsDoNotResync) {
  Recorder rec;
  RtpDepacketizer d = rec.Make(64);
  uint16_t seq = 60000;
  size_t frames = 0;
  for (int f = 0; f < 400; ++f) {
    if (f == 200) seq = static_cast<uint16_t>(seq + 20000);  // a loss burst
    std::vector<Sent> one = Packetize(Bytes(40, 3), 101, seq++);
    auto r = d.Insert(View(one[0]));
    ASSERT_TRUE(r.ok()) << f;
    frames += r->has_value();
    // And a stale packet from long ago, every other frame.
    if (f % 2 == 1) {
      std::vector<Sent> old =
          Packetize(Bytes(40, 4), 101, static_cast<uint16_t>(seq - 1000));
      EXPECT_EQ(d.Insert(View(old[0])).status().code(),
                absl::StatusCode::kDataLoss);
    }
  }
  EXPECT_EQ(frames, 400u);
  EXPECT_EQ(d.stats().resyncs, 0u);
  EXPECT_EQ(d.stats().late_packets, 200u);
}

TEST(RtpDepacketizer, RejectsAZeroResyncThreshold) {
  RtpDepacketizer::Options o;
  o.resync_after_late_packets = 0;
  EXPECT_EQ(RtpDepacketizer::Create(o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RtpDepacketizer, RejectsDuplicatesAndEmptyPayloads) {
  Recorder rec;
  RtpDepacketizer d = rec.Make();
  std::vector<Sent> pkts = Packetize(Bytes(300, 1), 101, 50);
  ASSERT_TRUE(d.Insert(View(pkts[0])).ok());
  EXPECT_EQ(d.Insert(View(pkts[0])).status().code(),
            absl::StatusCode::kAlreadyExists);
  Sent empty{51, 96, false, {}};
  EXPECT_EQ(d.Insert(View(empty)).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(d.stats().duplicate_packets, 1u);
  EXPECT_EQ(d.stats().malformed_packets, 1u);
}

TEST(RtpDepacketizer, BoundsMemoryAndFrameSize) {
  RtpDepacketizer::Options o;
  o.max_packets = 1024;
  o.max_frame_size = 1000;
  o.max_buffered_bytes = 4000;
  std::vector<RtpDrop> drops;
  o.on_drop = [&](const RtpDrop& x) { drops.push_back(x); };
  auto d = RtpDepacketizer::Create(o);
  ASSERT_TRUE(d.ok());
  // Starts without ends: at most 4000 bytes stay buffered.
  for (uint16_t s = 0; s < 100; s += 2) {
    Sent sent{s, 96, false, Bytes(501, 0)};
    sent.payload[0] = 0x80;
    ASSERT_TRUE(d->Insert(View(sent)).ok());
    ASSERT_LE(d->buffered_bytes(), 4000u);
  }
  EXPECT_GT(drops.size(), 0u);
  // A complete run larger than max_frame_size is dropped.
  drops.clear();
  std::vector<Sent> big = Packetize(Bytes(1500, 1), 600, 200);
  for (const Sent& s : big) ASSERT_TRUE(d->Insert(View(s)).ok());
  ASSERT_FALSE(drops.empty());
  EXPECT_EQ(drops.back().reason, RtpDropReason::kFrameTooLarge);
  // A single fragment above max_frame_size is malformed.
  Sent huge{300, 96, true, Bytes(1002, 0)};
  huge.payload[0] = 0xc0;
  EXPECT_EQ(d->Insert(View(huge)).status().code(), absl::StatusCode::kDataLoss);
  // Bad options.
  RtpDepacketizer::Options bad;
  bad.max_packets = 1000;
  EXPECT_FALSE(RtpDepacketizer::Create(bad).ok());
  bad.max_packets = 1024;
  bad.max_buffered_bytes = bad.max_frame_size - 1;
  EXPECT_FALSE(RtpDepacketizer::Create(bad).ok());
}

TEST(RtpDepacketizer, RandomLossReorderAndDuplicationNeverYieldWrongFrames) {
  std::mt19937_64 rng(5);
  Recorder rec;
  RtpDepacketizer d = rec.Make(/*max_packets=*/128);
  std::vector<std::vector<uint8_t>> frames;
  std::vector<Sent> wire;
  uint16_t seq = 60000;
  for (int f = 0; f < 300; ++f) {
    std::vector<uint8_t> ct = Bytes(1 + rng() % 3000, static_cast<uint8_t>(f));
    ct[0] = static_cast<uint8_t>(f);  // identifies the frame
    ct.push_back(static_cast<uint8_t>(f >> 8));
    frames.push_back(ct);
    std::vector<Sent> pkts = Packetize(ct, 200 + rng() % 1000, seq);
    seq = static_cast<uint16_t>(seq + pkts.size());
    wire.insert(wire.end(), pkts.begin(), pkts.end());
  }
  // Local reordering, 3% loss, 3% duplication.
  for (size_t i = 0; i + 1 < wire.size(); ++i) {
    if (rng() % 4 == 0)
      std::swap(wire[i],
                wire[i + 1 + rng() % std::min<size_t>(5, wire.size() - i - 1)]);
  }
  size_t delivered = 0;
  for (const Sent& s : wire) {
    if (rng() % 33 == 0) continue;
    for (int copy = 0; copy < (rng() % 33 == 0 ? 2 : 1); ++copy) {
      auto r = d.Insert(View(s));
      if (!r.ok()) continue;
      if (!r->has_value()) continue;
      const auto& ct = (*r)->sframe_ciphertext;
      ASSERT_GE(ct.size(), 2u);
      // The frame must be exactly one of the sent ciphertexts.
      bool match = false;
      for (const auto& f : frames) {
        if (f.size() == ct.size() &&
            std::equal(f.begin(), f.end(), ct.begin())) {
          match = true;
          break;
        }
      }
      ASSERT_TRUE(match);
      ++delivered;
    }
  }
  EXPECT_GT(delivered, 100u);
  EXPECT_LE(d.buffered_packets(), 128u);
}

}  // namespace
}  // namespace sframe
