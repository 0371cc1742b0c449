// Copyright 2026 The sframecpp Authors.
//
// rtp.h: the RTP payload format for SFrame (draft-ietf-avtcore-rtp-sframe-02).
//
// Every RTP payload starts with a 1-byte SFrame descriptor |S|E|T|reserved|:
// S marks the first fragment of an SFrame ciphertext, E the last, and T says
// what was protected: T=0 a whole encoded frame ("per-frame mode"), T=1 one
// payload of the media's own packetizer ("per-packet mode"). The RTP payload
// type names the *inner* media format.
//
//   per-frame:  frame -> Encryptor -> SFrame ct -> RtpPacketizer (T=0, MTU)
//               RTP -> RtpDepacketizer -> SFrame ct -> Decryptor -> frame
//   per-packet: media packetizer -> payload -> EncryptRtpPayload (T=1,S=E=1)
//               RTP -> RtpDepacketizer -> SFrame ct -> Decryptor -> payload
//               -> media depacketizer
//
//   // Sender, per-frame mode.
//   auto ct = enc.Encrypt({}, frame, absl::MakeSpan(buf));
//   auto p = sframe::RtpPacketizer::Create(*ct, /*max_payload_size=*/1200);
//   while (p->HasNext()) {
//     uint8_t payload[1200];
//     auto next = p->Next(payload);
//     Send(next->payload, /*marker=*/next->marker);  // same SSRC/timestamp
//   }
//   // Receiver.
//   auto d = sframe::RtpDepacketizer::Create({});
//   auto frame = d->Insert({seq, pt, timestamp, marker, payload});
//   if (frame.ok() && frame->has_value())
//     dec.Decrypt({}, (*frame)->sframe_ciphertext, absl::MakeSpan(out));
//
// The draft's per-SSRC keys are in sframe/media.h (DeriveSsrcBaseKey).
//
// Thread safety: RtpPacketizer and RtpDepacketizer are used by one thread at
// a time; the free functions are thread-safe.

#ifndef SFRAME_RTP_H_
#define SFRAME_RTP_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"
#include "sframe/sframe.h"

namespace sframe {

// ------------------------------------------------------------- descriptor

inline constexpr size_t kRtpDescriptorSize = 1;

struct RtpDescriptor {
  bool start = false;       // S: first fragment of the SFrame ciphertext
  bool end = false;         // E: last fragment
  bool packetized = false;  // T: 1 per-packet mode, 0 per-frame mode

  friend bool operator==(const RtpDescriptor& a, const RtpDescriptor& b) {
    return a.start == b.start && a.end == b.end && a.packetized == b.packetized;
  }
};

// S is the most significant bit; the 5 reserved bits are written as 0.
uint8_t EncodeRtpDescriptor(const RtpDescriptor& descriptor);
// Never fails; the reserved bits are ignored (the draft reserves them for
// future use, so a receiver must not reject them).
RtpDescriptor ParseRtpDescriptor(uint8_t byte);

// -------------------------------------------------------------- per-packet

// Bytes that per-packet mode adds to each media payload: the descriptor, the
// longest SFrame header and the tag. Give the media packetizer a payload
// budget of (RTP payload budget - RtpPerPacketOverhead(suite)).
constexpr size_t RtpPerPacketOverhead(CipherSuite suite) {
  return kRtpDescriptorSize + kMaxHeaderSize + TagSize(suite);
}

// Per-packet mode: writes descriptor(S=1, E=1, T=1) || SFrame ciphertext of
// `payload` (one media packetizer payload) to the front of `out` and returns
// the written prefix. `out` needs 1 + encryptor.CiphertextSize(size) bytes
// (at most payload.size() + RtpPerPacketOverhead) and must not overlap
// `payload` or `metadata`. Errors: those of Encryptor::Encrypt
// (kInvalidArgument for a small or overlapping `out`,
// kResourceExhausted...); `out` is then untouched, except after kInternal,
// which zeroes it.
absl::StatusOr<absl::Span<uint8_t>> EncryptRtpPayload(
    Encryptor& encryptor, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> payload, absl::Span<uint8_t> out);

// --------------------------------------------------------------- packetizer

// Fragments one SFrame ciphertext into RTP payloads of at most
// `max_payload_size` bytes (descriptor included), of nearly equal sizes: S on
// the first, E on the last, T on all. Marker rule of the draft: when the
// protected frame carries the RTP marker (`frame_marker`, true for video
// frames), only the last fragment (E=1) carries it.
//
// The packetizer keeps a view of `sframe_ciphertext`, which must outlive it.
// Nothing is allocated.
class RtpPacketizer {
 public:
  struct Payload {
    absl::Span<uint8_t> payload;  // a prefix of the `out` given to Next()
    bool marker = false;          // the RTP marker bit for this packet
  };

  // kInvalidArgument if `max_payload_size` < 2 (a descriptor and one byte)
  // or `sframe_ciphertext` is empty.
  static absl::StatusOr<RtpPacketizer> Create(
      absl::Span<const uint8_t> sframe_ciphertext, size_t max_payload_size,
      bool packetized = false, bool frame_marker = true);

  size_t num_packets() const { return num_packets_; }
  bool HasNext() const { return next_ < num_packets_; }
  // The size of the next payload (0 when done).
  size_t NextPayloadSize() const;

  // Writes the next payload to the front of `out`. kInvalidArgument if `out`
  // is smaller than NextPayloadSize() or overlaps the ciphertext,
  // kOutOfRange when done (nothing written in either case).
  absl::StatusOr<Payload> Next(absl::Span<uint8_t> out);

 private:
  RtpPacketizer(absl::Span<const uint8_t> ct, size_t num_packets,
                bool packetized, bool frame_marker);

  absl::Span<const uint8_t> ct_;
  size_t num_packets_ = 0;
  size_t next_ = 0;
  size_t offset_ = 0;
  bool packetized_ = false;
  bool frame_marker_ = false;
};

// ------------------------------------------------------------- depacketizer

// One received RTP packet, as parsed by the application's RTP stack (after
// SRTP). The payload is copied; the view need not outlive Insert.
struct RtpPacket {
  uint16_t sequence_number = 0;
  uint8_t payload_type = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  absl::Span<const uint8_t> payload;  // descriptor || fragment
};

enum class RtpDropReason {
  kIncompleteRun,       // a fragment missing, or S/E out of order; or
                        // evicted by the window or the byte budget
  kMixedPacketization,  // the fragments' T bits differ
  kMixedPayloadType,    // the fragments' payload types differ
  kFrameTooLarge,       // the run exceeds Options::max_frame_size
};

// A dropped run of buffered packets (sequence numbers first..last, with
// wrap-around; `packets` of them were buffered).
struct RtpDrop {
  RtpDropReason reason = RtpDropReason::kIncompleteRun;
  uint16_t first_sequence_number = 0;
  uint16_t last_sequence_number = 0;
  size_t packets = 0;
};

struct RtpDepacketizerStats {
  uint64_t packets = 0;            // accepted by Insert
  uint64_t frames = 0;             // complete runs returned
  uint64_t malformed_packets = 0;  // empty payload, or a fragment too large
  uint64_t duplicate_packets = 0;
  uint64_t late_packets = 0;        // behind the reorder window
  uint64_t resyncs = 0;             // restarts after a run of late packets
  uint64_t dropped_incomplete = 0;  // runs, per reason
  uint64_t dropped_mixed_packetization = 0;
  uint64_t dropped_mixed_payload_type = 0;
  uint64_t dropped_too_large = 0;
};

// Reassembles SFrame ciphertexts from RTP packets of one SSRC: it finds the
// smallest run of consecutive sequence numbers from a packet with S to one
// with E, and returns the concatenated fragments. Runs with mixed T bits or
// payload types are dropped; so are runs that cannot complete. Each drop is
// counted and reported to Options::on_drop.
//
// Memory is bounded: at most `max_packets` packets are buffered (they also
// form the reorder window: a packet more than max_packets - 1 sequence
// numbers behind the newest is late), their fragments total at most
// `max_buffered_bytes` (the oldest are evicted beyond it), and one assembly
// buffer holds at most `max_frame_size` bytes. Buffers are reused; the
// steady state allocates only when a packet is larger than any before it in
// its slot, or larger than 2 KiB (a released slot keeps at most 2 KiB, so
// that idle memory stays below max_packets * 2 KiB).
//
// Resynchronisation. RTP headers are not authenticated here, so one packet
// whose sequence number jumps far ahead (corrupted, forged, or a sender that
// restarted its numbering) would make the real stream's packets late from
// then on. After `resync_after_late_packets` consecutive late packets the
// depacketizer restarts at the last of them: every buffered run is dropped
// (kIncompleteRun) and stats().resyncs counts the restart. Such a jump thus
// costs at most resync_after_late_packets - 1 packets, plus the runs that
// were buffered.
class RtpDepacketizer {
 public:
  struct Options {
    // A power of two in [2, 32768].
    size_t max_packets = 1024;
    // Fragments of one run, descriptors excluded. At least 1.
    size_t max_frame_size = size_t{4} << 20;
    // Fragments of all buffered packets. At least max_frame_size.
    size_t max_buffered_bytes = size_t{8} << 20;
    // Consecutive late packets that make the depacketizer restart at the
    // last of them (see Resynchronisation above). At least 1.
    size_t resync_after_late_packets = 16;
    // Called (on the Insert thread) for every dropped run.
    std::function<void(const RtpDrop&)> on_drop;
  };

  // A reassembled SFrame ciphertext.
  struct Frame {
    // Valid until the next Insert or the destruction of the depacketizer.
    absl::Span<const uint8_t> sframe_ciphertext;
    bool packetized = false;  // T: feed the plaintext to the media
                              // depacketizer (1) or the decoder (0)
    uint8_t payload_type = 0;
    uint32_t timestamp = 0;  // of the first fragment
    bool marker = false;     // of the last fragment
    uint16_t first_sequence_number = 0;
    uint16_t last_sequence_number = 0;
  };

  // kInvalidArgument for options outside the ranges above.
  static absl::StatusOr<RtpDepacketizer> Create(const Options& options);

  RtpDepacketizer(RtpDepacketizer&&) noexcept;
  RtpDepacketizer& operator=(RtpDepacketizer&&) noexcept;
  RtpDepacketizer(const RtpDepacketizer&) = delete;
  RtpDepacketizer& operator=(const RtpDepacketizer&) = delete;
  ~RtpDepacketizer();

  // Buffers `packet`. Returns the frame it completes, if any (a packet
  // completes at most one run), or nullopt.
  //
  // Errors (the packet is not buffered; no state changes except the stats
  // and the count of consecutive late packets): kDataLoss for an empty
  // payload, a fragment larger than max_frame_size, or a packet behind the
  // reorder window (unless it completes resync_after_late_packets, see
  // above); kAlreadyExists for a sequence number already buffered, delivered
  // or dropped within the window. A run dropped by this call is reported
  // through on_drop, not through the returned status.
  absl::StatusOr<std::optional<Frame>> Insert(const RtpPacket& packet);

  const RtpDepacketizerStats& stats() const { return stats_; }
  size_t buffered_packets() const { return buffered_packets_; }
  size_t buffered_bytes() const { return buffered_bytes_; }

 private:
  struct Slot;
  explicit RtpDepacketizer(const Options& options);

  bool Present(int64_t seq) const;
  bool Done(int64_t seq) const;
  Slot& At(int64_t seq);
  void Release(int64_t seq);
  // Drops [first, last] (releasing the packets present) and reports it.
  void Drop(int64_t first, int64_t last, RtpDropReason reason);
  // Drops the run that `seq` belongs to as far as it goes forward (until a
  // gap, an S, or an E inclusive).
  void DropForward(int64_t seq, RtpDropReason reason);
  void DropBackward(int64_t seq, RtpDropReason reason);
  void EvictOldest();
  // Drops every buffered run and forgets every sequence number: the next
  // packet starts the stream afresh.
  void Resync();
  std::optional<Frame> TryComplete(int64_t seq);

  Options options_;
  std::vector<Slot> slots_;
  std::vector<uint8_t> assembly_;
  bool started_ = false;
  int64_t highest_ = 0;     // extended sequence number of the newest packet
  size_t late_streak_ = 0;  // consecutive late packets
  size_t buffered_packets_ = 0;
  size_t buffered_bytes_ = 0;
  RtpDepacketizerStats stats_;
};

}  // namespace sframe

#endif  // SFRAME_RTP_H_
