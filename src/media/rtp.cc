// Copyright 2026 The sframecpp Authors.
//
// The RTP payload format for SFrame (draft-ietf-avtcore-rtp-sframe-02):
// descriptor, packetizer, per-packet helper, depacketizer.

#include "sframe/rtp.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "src/core/header_internal.h"

namespace sframe {
namespace {

using internal::Overlaps;

constexpr uint8_t kStartBit = 0x80;
constexpr uint8_t kEndBit = 0x40;
constexpr uint8_t kPacketizedBit = 0x20;

absl::Status Code(absl::StatusCode code) { return absl::Status(code, ""); }

}  // namespace

uint8_t EncodeRtpDescriptor(const RtpDescriptor& d) {
  return static_cast<uint8_t>((d.start ? kStartBit : 0) |
                              (d.end ? kEndBit : 0) |
                              (d.packetized ? kPacketizedBit : 0));
}

RtpDescriptor ParseRtpDescriptor(uint8_t byte) {
  RtpDescriptor d;
  d.start = (byte & kStartBit) != 0;
  d.end = (byte & kEndBit) != 0;
  d.packetized = (byte & kPacketizedBit) != 0;
  return d;
}

absl::StatusOr<absl::Span<uint8_t>> EncryptRtpPayload(
    Encryptor& encryptor, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> payload, absl::Span<uint8_t> out) {
  if (out.empty() ||
      Overlaps(payload.data(), payload.size(), out.data(), out.size()) ||
      Overlaps(metadata.data(), metadata.size(), out.data(), out.size())) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<absl::Span<uint8_t>> ct =
      encryptor.Encrypt(metadata, payload, out.subspan(kRtpDescriptorSize));
  if (!ct.ok()) {
    // Encrypt wrote nothing, or (kInternal) zeroed the rest of `out`.
    if (ct.status().code() == absl::StatusCode::kInternal) out[0] = 0;
    return ct.status();
  }
  out[0] = EncodeRtpDescriptor({true, true, true});
  return out.first(kRtpDescriptorSize + ct->size());
}

// ------------------------------------------------------------- packetizer

RtpPacketizer::RtpPacketizer(absl::Span<const uint8_t> ct, size_t num_packets,
                             bool packetized, bool frame_marker)
    : ct_(ct),
      num_packets_(num_packets),
      packetized_(packetized),
      frame_marker_(frame_marker) {}

absl::StatusOr<RtpPacketizer> RtpPacketizer::Create(
    absl::Span<const uint8_t> sframe_ciphertext, size_t max_payload_size,
    bool packetized, bool frame_marker) {
  if (max_payload_size < kRtpDescriptorSize + 1 || sframe_ciphertext.empty()) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  const size_t room = max_payload_size - kRtpDescriptorSize;
  const size_t n = sframe_ciphertext.size() / room +
                   (sframe_ciphertext.size() % room != 0 ? 1 : 0);
  return RtpPacketizer(sframe_ciphertext, n, packetized, frame_marker);
}

size_t RtpPacketizer::NextPayloadSize() const {
  if (!HasNext()) return 0;
  // Fragments of nearly equal size: the first (size % n) get one more byte.
  const size_t base = ct_.size() / num_packets_;
  const size_t extra = ct_.size() % num_packets_;
  return kRtpDescriptorSize + base + (next_ < extra ? 1 : 0);
}

absl::StatusOr<RtpPacketizer::Payload> RtpPacketizer::Next(
    absl::Span<uint8_t> out) {
  if (!HasNext()) return Code(absl::StatusCode::kOutOfRange);
  const size_t size = NextPayloadSize();
  if (out.size() < size ||
      Overlaps(ct_.data(), ct_.size(), out.data(), out.size())) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  const size_t fragment = size - kRtpDescriptorSize;
  RtpDescriptor d;
  d.start = next_ == 0;
  d.end = next_ + 1 == num_packets_;
  d.packetized = packetized_;
  out[0] = EncodeRtpDescriptor(d);
  std::memcpy(out.data() + kRtpDescriptorSize, ct_.data() + offset_, fragment);
  offset_ += fragment;
  ++next_;
  return Payload{out.first(size), frame_marker_ && d.end};
}

// ------------------------------------------------------------ depacketizer

struct RtpDepacketizer::Slot {
  bool used = false;
  int64_t seq = 0;  // extended sequence number
  // The last sequence number released from this slot (delivered or
  // dropped): such a number is a duplicate, and a run that reaches it can
  // no longer complete.
  int64_t done_seq = -1;
  RtpDescriptor descriptor;
  uint8_t payload_type = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  std::vector<uint8_t> fragment;
};

namespace {
// Fragments up to this size keep their buffer when released; larger ones are
// freed, so that idle memory stays below max_packets * this.
constexpr size_t kRetainedSlotCapacity = 2048;
}  // namespace

RtpDepacketizer::RtpDepacketizer(const Options& options)
    : options_(options), slots_(options.max_packets) {}
RtpDepacketizer::RtpDepacketizer(RtpDepacketizer&&) noexcept = default;
RtpDepacketizer& RtpDepacketizer::operator=(RtpDepacketizer&&) noexcept =
    default;
RtpDepacketizer::~RtpDepacketizer() = default;

absl::StatusOr<RtpDepacketizer> RtpDepacketizer::Create(
    const Options& options) {
  const size_t n = options.max_packets;
  if (n < 2 || n > 32768 || (n & (n - 1)) != 0 || options.max_frame_size == 0 ||
      options.max_buffered_bytes < options.max_frame_size ||
      options.resync_after_late_packets == 0) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  return RtpDepacketizer(options);
}

RtpDepacketizer::Slot& RtpDepacketizer::At(int64_t seq) {
  return slots_[static_cast<size_t>(seq) & (slots_.size() - 1)];
}

bool RtpDepacketizer::Present(int64_t seq) const {
  const Slot& s = slots_[static_cast<size_t>(seq) & (slots_.size() - 1)];
  return s.used && s.seq == seq;
}

bool RtpDepacketizer::Done(int64_t seq) const {
  const Slot& s = slots_[static_cast<size_t>(seq) & (slots_.size() - 1)];
  return !s.used && s.done_seq == seq;
}

void RtpDepacketizer::Release(int64_t seq) {
  Slot& s = At(seq);
  if (!s.used || s.seq != seq) return;
  buffered_bytes_ -= s.fragment.size();
  --buffered_packets_;
  s.used = false;
  s.done_seq = seq;
  if (s.fragment.capacity() > kRetainedSlotCapacity) {
    std::vector<uint8_t>().swap(s.fragment);
  } else {
    s.fragment.clear();
  }
}

void RtpDepacketizer::Drop(int64_t first, int64_t last, RtpDropReason reason) {
  RtpDrop drop;
  drop.reason = reason;
  drop.first_sequence_number = static_cast<uint16_t>(first);
  drop.last_sequence_number = static_cast<uint16_t>(last);
  for (int64_t s = first; s <= last; ++s) {
    if (Present(s)) {
      ++drop.packets;
      Release(s);
    }
  }
  switch (reason) {
    case RtpDropReason::kIncompleteRun:
      ++stats_.dropped_incomplete;
      break;
    case RtpDropReason::kMixedPacketization:
      ++stats_.dropped_mixed_packetization;
      break;
    case RtpDropReason::kMixedPayloadType:
      ++stats_.dropped_mixed_payload_type;
      break;
    case RtpDropReason::kFrameTooLarge:
      ++stats_.dropped_too_large;
      break;
  }
  if (options_.on_drop) options_.on_drop(drop);
}

void RtpDepacketizer::DropForward(int64_t seq, RtpDropReason reason) {
  if (!Present(seq)) return;
  int64_t last = seq;
  while (!At(last).descriptor.end && Present(last + 1) &&
         !At(last + 1).descriptor.start) {
    ++last;
  }
  Drop(seq, last, reason);
}

void RtpDepacketizer::DropBackward(int64_t seq, RtpDropReason reason) {
  if (!Present(seq)) return;
  int64_t first = seq;
  while (!At(first).descriptor.start && Present(first - 1) &&
         !At(first - 1).descriptor.end) {
    --first;
  }
  Drop(first, seq, reason);
}

void RtpDepacketizer::EvictOldest() {
  const int64_t window = static_cast<int64_t>(slots_.size());
  for (int64_t s = highest_ - window + 1; s <= highest_; ++s) {
    if (Present(s)) {
      DropForward(s, RtpDropReason::kIncompleteRun);
      return;
    }
  }
}

void RtpDepacketizer::Resync() {
  const int64_t window = static_cast<int64_t>(slots_.size());
  for (int64_t s = highest_ - window + 1; s <= highest_; ++s) {
    if (Present(s)) DropForward(s, RtpDropReason::kIncompleteRun);
  }
  for (Slot& slot : slots_) slot.done_seq = -1;
  started_ = false;
  late_streak_ = 0;
  ++stats_.resyncs;
}

absl::StatusOr<std::optional<RtpDepacketizer::Frame>> RtpDepacketizer::Insert(
    const RtpPacket& packet) {
  if (packet.payload.empty() ||
      packet.payload.size() - kRtpDescriptorSize > options_.max_frame_size) {
    ++stats_.malformed_packets;
    return Code(absl::StatusCode::kDataLoss);
  }
  const int64_t window = static_cast<int64_t>(slots_.size());
  int64_t seq;
  if (!started_) {
    // Start far from zero so that extended numbers never go negative.
    seq = (int64_t{1} << 32) + packet.sequence_number;
  } else {
    const auto delta = static_cast<int16_t>(static_cast<uint16_t>(
        packet.sequence_number - static_cast<uint16_t>(highest_)));
    seq = highest_ + delta;
    if (seq <= highest_ - window) {
      if (++late_streak_ < options_.resync_after_late_packets) {
        ++stats_.late_packets;
        return Code(absl::StatusCode::kDataLoss);
      }
      Resync();  // and take this packet as the first one
      seq = (int64_t{1} << 32) + packet.sequence_number;
    } else {
      late_streak_ = 0;
      if (Present(seq) || Done(seq)) {
        ++stats_.duplicate_packets;
        return Code(absl::StatusCode::kAlreadyExists);
      }
    }
  }
  if (!started_ || seq > highest_) {
    // Packets that leave the window can no longer complete.
    if (started_) {
      const int64_t to = std::min(seq - window, highest_);
      for (int64_t s = highest_ - window + 1; s <= to; ++s) {
        if (Present(s)) DropForward(s, RtpDropReason::kIncompleteRun);
      }
    }
    started_ = true;
    highest_ = seq;
  }

  Slot& slot = At(seq);
  if (slot.used) Release(slot.seq);  // cannot happen after the eviction above
  slot.used = true;
  slot.seq = seq;
  slot.descriptor = ParseRtpDescriptor(packet.payload[0]);
  slot.payload_type = packet.payload_type;
  slot.timestamp = packet.timestamp;
  slot.marker = packet.marker;
  slot.fragment.assign(packet.payload.begin() + kRtpDescriptorSize,
                       packet.payload.end());
  ++buffered_packets_;
  buffered_bytes_ += slot.fragment.size();
  ++stats_.packets;

  while (buffered_bytes_ > options_.max_buffered_bytes) EvictOldest();
  if (!Present(seq)) return std::optional<Frame>();  // evicted itself

  // A new S means the run before it lacks its E; a new E means the run after
  // it lacks its S.
  const RtpDescriptor d = slot.descriptor;
  if (d.start && Present(seq - 1) && !At(seq - 1).descriptor.end) {
    DropBackward(seq - 1, RtpDropReason::kIncompleteRun);
  }
  if (d.end && Present(seq + 1) && !At(seq + 1).descriptor.start) {
    DropForward(seq + 1, RtpDropReason::kIncompleteRun);
  }
  return TryComplete(seq);
}

std::optional<RtpDepacketizer::Frame> RtpDepacketizer::TryComplete(
    int64_t seq) {
  const int64_t window = static_cast<int64_t>(slots_.size());
  // Back to the nearest S.
  int64_t first = seq;
  while (!At(first).descriptor.start) {
    if (!Present(first - 1)) {
      if (first - 1 <= highest_ - window || Done(first - 1)) {
        // The start fell out of the window, or the packet before was
        // released (it ended a run, or its run was dropped): this run can
        // never complete.
        DropForward(first, RtpDropReason::kIncompleteRun);
      }
      return std::nullopt;
    }
    if (At(first - 1).descriptor.end) {
      // The packet before ends another run: ours has no S.
      DropForward(first, RtpDropReason::kIncompleteRun);
      return std::nullopt;
    }
    --first;
  }
  // Forward to the nearest E.
  int64_t last = seq;
  while (!At(last).descriptor.end) {
    if (!Present(last + 1)) {
      // A released packet after ours started a run (or was dropped with
      // one): ours has no E.
      if (Done(last + 1)) Drop(first, last, RtpDropReason::kIncompleteRun);
      return std::nullopt;
    }
    if (At(last + 1).descriptor.start) {
      // A new run starts before ours ended.
      Drop(first, last, RtpDropReason::kIncompleteRun);
      return std::nullopt;
    }
    ++last;
  }

  size_t total = 0;
  for (int64_t s = first; s <= last; ++s) {
    const Slot& a = At(s);
    const Slot& f = At(first);
    if (a.descriptor.packetized != f.descriptor.packetized) {
      Drop(first, last, RtpDropReason::kMixedPacketization);
      return std::nullopt;
    }
    if (a.payload_type != f.payload_type) {
      Drop(first, last, RtpDropReason::kMixedPayloadType);
      return std::nullopt;
    }
    total += a.fragment.size();
  }
  if (total > options_.max_frame_size) {
    Drop(first, last, RtpDropReason::kFrameTooLarge);
    return std::nullopt;
  }

  assembly_.resize(total);
  Frame frame;
  frame.packetized = At(first).descriptor.packetized;
  frame.payload_type = At(first).payload_type;
  frame.timestamp = At(first).timestamp;
  frame.marker = At(last).marker;
  frame.first_sequence_number = static_cast<uint16_t>(first);
  frame.last_sequence_number = static_cast<uint16_t>(last);
  size_t offset = 0;
  for (int64_t s = first; s <= last; ++s) {
    const std::vector<uint8_t>& f = At(s).fragment;
    if (!f.empty()) std::memcpy(assembly_.data() + offset, f.data(), f.size());
    offset += f.size();
    Release(s);
  }
  frame.sframe_ciphertext = absl::MakeConstSpan(assembly_.data(), total);
  ++stats_.frames;
  return frame;
}

}  // namespace sframe
