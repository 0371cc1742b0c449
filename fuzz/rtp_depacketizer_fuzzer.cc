// Copyright 2026 The sframecpp Authors.
//
// The RTP depacketizer (draft-ietf-avtcore-rtp-sframe-02) on a fuzzed packet
// stream: arbitrary sequence numbers, payload types, descriptors and
// payloads. Invariants: no crash; buffered packets and bytes never exceed
// the configured caps; every emitted frame is at most max_frame_size and
// spans a consistent sequence range.

#include <vector>

#include "fuzz/fuzz_util.h"
#include "sframe/rtp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sframe;
  fuzz::Reader in(data, size);
  RtpDepacketizer::Options options;
  options.max_packets = 1 + in.Byte() % 64;
  options.max_frame_size = 1 + in.Byte() * 16;
  options.max_buffered_bytes = 1 + in.Byte() * 32;
  auto depacketizer = RtpDepacketizer::Create(options);
  if (!depacketizer.ok()) return 0;
  uint16_t seq = static_cast<uint16_t>(in.U64());
  for (int i = 0; i < 256; ++i) {
    const uint8_t control = in.Byte();
    RtpPacket packet;
    // Mostly consecutive, sometimes jumping or going back.
    seq = static_cast<uint16_t>(
        seq + ((control & 0x3) == 0 ? static_cast<int>(in.Byte()) - 128 : 1));
    packet.sequence_number = seq;
    packet.payload_type = (control & 0x4) ? 97 : 96;
    packet.timestamp = 1000;
    packet.marker = control & 0x8;
    absl::Span<const uint8_t> payload = in.Bytes(in.Byte() % 96);
    packet.payload = payload;
    absl::StatusOr<std::optional<RtpDepacketizer::Frame>> frame =
        depacketizer->Insert(packet);
    SFRAME_FUZZ_CHECK(depacketizer->buffered_packets() <= options.max_packets);
    SFRAME_FUZZ_CHECK(depacketizer->buffered_bytes() <=
                      options.max_buffered_bytes);
    if (frame.ok() && frame->has_value()) {
      const RtpDepacketizer::Frame& f = **frame;
      SFRAME_FUZZ_CHECK(f.sframe_ciphertext.size() <= options.max_frame_size);
      const uint16_t span = static_cast<uint16_t>(f.last_sequence_number -
                                                  f.first_sequence_number);
      SFRAME_FUZZ_CHECK(span < options.max_packets);
    }
    if (in.done()) break;
  }
  return 0;
}
