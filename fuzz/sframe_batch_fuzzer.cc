// Copyright 2026 The sframecpp Authors.
//
// EncryptBatch and DecryptBatch against the single-frame calls, on twins:
// two sets of Encryptors, and two Decryptors, built the same way. One twin
// takes the batch, the other the same frames one call at a time, in order;
// batch.h promises identical results and identical state changes. The
// input chooses the suite, the implementation, the replay window, up to 3
// senders (KIDs, starting counters near header-size steps or exhaustion,
// whether the receiver knows the key), the frames sent (sender, length,
// metadata, in place, room) and the frames received: any sent frame, again
// or out of order, forged, truncated, given too little room, decrypted in
// place or over a bad overlap. Checked: each item's status code, result and
// every byte of its output buffer; then the statistics, and the replay
// windows (every sent frame offered again to both twins).

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "sframe/batch.h"
#include "sframe/sframe.h"

namespace {

using namespace sframe;

constexpr size_t kMaxSenders = 3;
constexpr size_t kMaxSent = 48;
constexpr size_t kMaxReceived = 80;

// Starting counters: small, at the steps of the header's counter size, and
// next to the last counter (exhaustion inside the batch).
constexpr Counter kFirstCounters[] = {0,
                                      1,
                                      7,
                                      250,
                                      255,
                                      65534,
                                      0xfffffe,
                                      0xffffffff,
                                      0xfffffffffe,
                                      ~Counter{0} - 5,
                                      ~Counter{0} - 1,
                                      ~Counter{0}};

struct Sent {
  std::vector<uint8_t> metadata;
  std::vector<uint8_t> plaintext;
  std::vector<uint8_t> frame;  // empty if encryption failed
};

// How a received frame is altered.
enum class Mutation : uint8_t {
  kNone,
  kFlipBit,     // anywhere: header, ciphertext or tag
  kTruncate,    // shorter
  kSmallOut,    // too little room for the plaintext
  kInPlace,     // decrypted over its own ciphertext
  kBadOverlap,  // output overlapping the input at an offset
  kMetadata,    // different metadata (the last kind)
};

struct Received {
  size_t sent;
  Mutation mutation;
  std::vector<uint8_t> metadata;
  std::vector<uint8_t> buf;  // ciphertext, then room for the output
  size_t ct_size = 0;
  size_t out_offset = 0;
  size_t out_size = 0;
  absl::Span<const uint8_t> Ciphertext() const {
    return absl::MakeConstSpan(buf).first(ct_size);
  }
  absl::Span<uint8_t> Out() {
    return absl::MakeSpan(buf).subspan(out_offset, out_size);
  }
};

bool SameResult(absl::StatusCode batch_code, absl::Span<uint8_t> batch_result,
                const absl::StatusOr<absl::Span<uint8_t>>& single,
                absl::Span<uint8_t> batch_out, absl::Span<uint8_t> single_out) {
  if (batch_code != single.status().code()) return false;
  if (single.ok()) {
    // Both point into their own buffers, at the same offset.
    if (batch_result.size() != single->size()) return false;
    if (batch_result.data() - batch_out.data() !=
        single->data() - single_out.data()) {
      return false;
    }
  } else if (!batch_result.empty()) {
    return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Reader in(data, size);
  const CipherSuite suite = in.Suite();
  const uint8_t head = in.Byte();
  std::vector<internal::AeadImplementation> impls =
      fuzz::RunnableAeadImplementations();
  impls.insert(impls.begin(), internal::AeadImplementation::kAuto);
  internal::SetDefaultAeadImplementationForTesting(impls[head % impls.size()]);
  Decryptor::Options dopt;
  constexpr size_t kWindows[] = {1, 2, 16, 128};
  dopt.replay_window = kWindows[(head >> 2) % 4];
  const size_t num_senders = 1 + (head >> 4) % kMaxSenders;

  // The twins.
  std::vector<Encryptor> enc_a, enc_b;
  absl::StatusOr<Decryptor> dec_a = Decryptor::Create(suite, dopt);
  absl::StatusOr<Decryptor> dec_b = Decryptor::Create(suite, dopt);
  SFRAME_FUZZ_CHECK(dec_a.ok() && dec_b.ok());
  for (size_t s = 0; s < num_senders; ++s) {
    const uint8_t b = in.Byte();
    // Distinct KIDs: small (in the header's first byte) or large.
    const KeyId kid =
        (b & 1) ? ((KeyId{in.Byte()} + 1) << 40) + s : 8 * s + (b & 6);
    Encryptor::Options eopt;
    eopt.first_counter = kFirstCounters[in.Byte() % 12];
    uint8_t key[32];
    for (size_t i = 0; i < sizeof(key); ++i) {
      key[i] = static_cast<uint8_t>(kid * 31 + s * 7 + i);
    }
    absl::StatusOr<Encryptor> a = Encryptor::Create(suite, kid, key, eopt);
    absl::StatusOr<Encryptor> c = Encryptor::Create(suite, kid, key, eopt);
    SFRAME_FUZZ_CHECK(a.ok() && c.ok());
    enc_a.push_back(*std::move(a));
    enc_b.push_back(*std::move(c));
    if (!(b & 0x80)) {  // else the receiver has no key for this KID
      SFRAME_FUZZ_CHECK(dec_a->AddKey(kid, key).ok());
      SFRAME_FUZZ_CHECK(dec_b->AddKey(kid, key).ok());
    }
  }

  // Send: batch on twin A, single calls on twin B.
  const size_t num_sent = 1 + in.Byte() % kMaxSent;
  std::vector<Sent> sent(num_sent);
  std::vector<EncryptBatchItem> items(num_sent);
  std::vector<std::vector<uint8_t>> outs_a(num_sent), outs_b(num_sent);
  std::vector<size_t> sender(num_sent);
  for (size_t i = 0; i < num_sent; ++i) {
    const uint8_t b = in.Byte();
    sender[i] = b % num_senders;
    const size_t len =
        (b & 0x40) ? (size_t{in.Byte()} << 3) | (b >> 7) : in.Byte() % 180;
    sent[i].plaintext.resize(len);
    for (size_t j = 0; j < len; ++j) {
      sent[i].plaintext[j] = static_cast<uint8_t>(i * 13 + j);
    }
    sent[i].metadata.resize((b >> 2) & 3 ? 0 : in.Byte() % 24, 0x5c);
    // Too little room in some: an error that must write nothing.
    const size_t room = (b & 0x20) ? len / 2 : MaxCiphertextSize(suite, len);
    outs_a[i].assign(room, 0xee);
    outs_b[i].assign(room, 0xee);
    items[i].encryptor = &enc_a[sender[i]];
    items[i].metadata = sent[i].metadata;
    items[i].plaintext = sent[i].plaintext;
    items[i].out = absl::MakeSpan(outs_a[i]);
  }
  EncryptBatch(absl::MakeSpan(items));
  for (size_t i = 0; i < num_sent; ++i) {
    absl::StatusOr<absl::Span<uint8_t>> single = enc_b[sender[i]].Encrypt(
        sent[i].metadata, sent[i].plaintext, absl::MakeSpan(outs_b[i]));
    SFRAME_FUZZ_CHECK(SameResult(items[i].status.code(), items[i].result,
                                 single, absl::MakeSpan(outs_a[i]),
                                 absl::MakeSpan(outs_b[i])));
    SFRAME_FUZZ_CHECK(outs_a[i] == outs_b[i]);
    if (single.ok()) sent[i].frame.assign(single->begin(), single->end());
  }
  for (size_t s = 0; s < num_senders; ++s) {
    SFRAME_FUZZ_CHECK(enc_a[s].next_counter() == enc_b[s].next_counter());
    SFRAME_FUZZ_CHECK(enc_a[s].exhausted() == enc_b[s].exhausted());
  }

  // Receive: the same items on both twins, in their own buffers.
  const size_t num_received = 1 + in.Byte() % kMaxReceived;
  std::vector<Received> rx_a(num_received);
  for (size_t r = 0; r < num_received; ++r) {
    Received& x = rx_a[r];
    const uint8_t b = in.Byte();
    x.sent = in.Byte() % num_sent;
    // Most frames unaltered, the rest one of the mutations.
    const uint8_t m = b % 11;
    x.mutation = m < 5 ? Mutation::kNone : static_cast<Mutation>(m - 4);
    const Sent& s = sent[x.sent];
    x.metadata = s.metadata;
    std::vector<uint8_t> ct = s.frame;
    const uint8_t arg = in.Byte();
    switch (x.mutation) {
      case Mutation::kFlipBit:
        if (!ct.empty()) {
          ct[(size_t{arg} * 7 + (b >> 3)) % ct.size()] ^= 1u << (arg % 8);
        }
        break;
      case Mutation::kTruncate:
        ct.resize(ct.size() > arg % 24 ? ct.size() - arg % 24 - 1 : 0);
        break;
      case Mutation::kMetadata:
        x.metadata.push_back(arg);
        break;
      default:
        break;
    }
    x.ct_size = ct.size();
    const size_t pt_room = Decryptor::MaxPlaintextSize(ct.size());
    x.out_size = x.mutation == Mutation::kSmallOut && pt_room > 0
                     ? (arg % 2 ? pt_room / 2 : 0)
                     : pt_room;
    switch (x.mutation) {
      case Mutation::kInPlace:
        x.out_offset = 0;
        break;
      case Mutation::kBadOverlap:
        x.out_offset = 1 + arg % 8;
        break;
      default:
        x.out_offset = ct.size() + arg % 4;  // after the input, unaligned
        break;
    }
    x.buf.assign(std::max(x.ct_size, x.out_offset + x.out_size) + 8, 0xd7);
    if (!ct.empty()) memcpy(x.buf.data(), ct.data(), ct.size());
  }
  std::vector<Received> rx_b = rx_a;
  std::vector<DecryptBatchItem> ditems(num_received);
  for (size_t r = 0; r < num_received; ++r) {
    ditems[r].metadata = rx_a[r].metadata;
    ditems[r].ciphertext = rx_a[r].Ciphertext();
    ditems[r].out = rx_a[r].Out();
  }
  DecryptBatch(*dec_a, absl::MakeSpan(ditems));
  for (size_t r = 0; r < num_received; ++r) {
    Received& y = rx_b[r];
    absl::StatusOr<absl::Span<uint8_t>> single =
        dec_b->Decrypt(y.metadata, y.Ciphertext(), y.Out());
    SFRAME_FUZZ_CHECK(SameResult(ditems[r].status.code(), ditems[r].result,
                                 single, rx_a[r].Out(), y.Out()));
    SFRAME_FUZZ_CHECK(rx_a[r].buf == y.buf);
    // An unaltered frame, decrypted, is what was sent.
    if (single.ok() && rx_a[r].mutation != Mutation::kFlipBit &&
        rx_a[r].mutation != Mutation::kMetadata) {
      const std::vector<uint8_t>& pt = sent[rx_a[r].sent].plaintext;
      SFRAME_FUZZ_CHECK(
          single->size() == pt.size() &&
          (pt.empty() || memcmp(single->data(), pt.data(), pt.size()) == 0));
    }
  }

  // The state the batch left: statistics, then the replay windows.
  SFRAME_FUZZ_CHECK(dec_a->unknown_key_ids() == dec_b->unknown_key_ids());
  SFRAME_FUZZ_CHECK(dec_a->malformed_frames() == dec_b->malformed_frames());
  for (size_t s = 0; s < num_senders; ++s) {
    const std::optional<KeyStats> a = dec_a->GetKeyStats(enc_a[s].key_id());
    const std::optional<KeyStats> c = dec_b->GetKeyStats(enc_a[s].key_id());
    SFRAME_FUZZ_CHECK(a.has_value() == c.has_value());
    if (a.has_value()) {
      SFRAME_FUZZ_CHECK(a->decrypted == c->decrypted &&
                        a->authentication_failures ==
                            c->authentication_failures &&
                        a->replays == c->replays);
    }
  }
  for (const Sent& s : sent) {
    std::vector<uint8_t> out_a(s.frame.size() + 1), out_b(s.frame.size() + 1);
    absl::StatusOr<absl::Span<uint8_t>> a =
        dec_a->Decrypt(s.metadata, s.frame, absl::MakeSpan(out_a));
    absl::StatusOr<absl::Span<uint8_t>> c =
        dec_b->Decrypt(s.metadata, s.frame, absl::MakeSpan(out_b));
    SFRAME_FUZZ_CHECK(a.status().code() == c.status().code());
    SFRAME_FUZZ_CHECK(out_a == out_b);
  }
  internal::SetDefaultAeadImplementationForTesting(
      internal::AeadImplementation::kAuto);
  return 0;
}
