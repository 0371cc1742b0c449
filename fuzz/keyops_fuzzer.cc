// Copyright 2026 The sframecpp Authors.
//
// A fuzzed sequence of key operations on two sender-key senders and one
// receiver: encrypt, deliver (in order, reordered, replayed), forge, inject
// garbage, ratchet, rekey, advance the clock and expire keys. Invariants:
//  - a delivered frame decrypts to exactly what was sent, at most once;
//  - forged and garbage frames never decrypt and change no receiver state
//    (ratchet position, generation, key count, success count);
//  - the receiver's key count stays bounded (no growth under any sequence).

#include <array>
#include <cstring>
#include <vector>

#include "absl/time/time.h"
#include "fuzz/fuzz_util.h"
#include "sframe/keys.h"
#include "sframe/sframe.h"

namespace {

using namespace sframe;

struct Sent {
  SenderId sender;
  std::vector<uint8_t> plaintext;
  std::vector<uint8_t> ciphertext;
  bool delivered_ok = false;
};

struct Snapshot {
  std::optional<uint64_t> step, generation;
  size_t keys;
  uint64_t decrypted;
  bool operator==(const Snapshot& o) const {
    return step == o.step && generation == o.generation && keys == o.keys &&
           decrypted == o.decrypted;
  }
};

Snapshot Take(const SenderKeyDecryptor& rx, SenderId s) {
  std::optional<SenderStats> stats = rx.GetSenderStats(s);
  return {rx.current_step(s), rx.current_generation(s), rx.key_count(s),
          stats ? stats->decrypted : 0};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Reader in(data, size);
  const CipherSuite suite = in.Suite();
  const int ratchet_bits = 2 + in.Byte() % 6;
  absl::Time now = absl::FromUnixSeconds(1000);
  SenderKeyDecryptor::Options options;
  options.clock = [&now] { return now; };
  options.max_steps_ahead = 1 + in.Byte() % 8;
  options.grace_period = absl::Seconds(1 + in.Byte() % 4);
  auto rx = SenderKeyDecryptor::Create(suite, options);
  SFRAME_FUZZ_CHECK(rx.ok());

  std::array<std::optional<SenderKeyEncryptor>, 2> tx;
  for (SenderId s = 0; s < 2; ++s) {
    const std::vector<uint8_t> key(16, static_cast<uint8_t>(0x10 + s));
    auto enc = SenderKeyEncryptor::Create(suite, ratchet_bits, 0, key);
    SFRAME_FUZZ_CHECK(enc.ok());
    tx[s].emplace(*std::move(enc));
    SFRAME_FUZZ_CHECK(rx->AddSender(s, ratchet_bits).ok());
    SFRAME_FUZZ_CHECK(rx->InstallKey(s, 0, 0, key).ok());
  }
  std::vector<Sent> sent;
  std::vector<uint8_t> out;
  const uint8_t metadata[2] = {1, 2};

  auto deliver = [&](SenderId s, absl::Span<const uint8_t> frame) {
    out.assign(frame.size() + 16, 0xee);
    return rx->Decrypt(s, metadata, frame,
                       absl::MakeSpan(out).first(frame.size()));
  };

  for (int op = 0; op < 64 && !in.done(); ++op) {
    const uint8_t code = in.Byte();
    const SenderId s = code >> 7;
    switch (code % 8) {
      case 0: {  // encrypt a frame
        if (sent.size() >= 32) break;
        Sent f{s, {}, {}, false};
        absl::Span<const uint8_t> pt = in.Bytes(in.Byte() % 64);
        f.plaintext.assign(pt.begin(), pt.end());
        f.ciphertext.resize(MaxCiphertextSize(suite, pt.size()));
        auto ct = tx[s]->Encrypt(metadata, pt, absl::MakeSpan(f.ciphertext));
        if (!ct.ok()) break;  // counter or step space exhausted
        f.ciphertext.resize(ct->size());
        sent.push_back(std::move(f));
        break;
      }
      case 1:
      case 2: {  // deliver (possibly again, possibly out of order)
        if (sent.empty()) break;
        Sent& f = sent[in.Byte() % sent.size()];
        auto pt = deliver(f.sender, f.ciphertext);
        if (pt.ok()) {
          SFRAME_FUZZ_CHECK(!f.delivered_ok);  // never accepted twice
          SFRAME_FUZZ_CHECK(pt->size() == f.plaintext.size());
          SFRAME_FUZZ_CHECK(
              f.plaintext.empty() ||
              memcmp(pt->data(), f.plaintext.data(), f.plaintext.size()) == 0);
          f.delivered_ok = true;
        } else {
          SFRAME_FUZZ_CHECK(fuzz::AllZero(
              absl::MakeConstSpan(out).first(f.ciphertext.size())));
        }
        break;
      }
      case 3: {  // forge: flip one bit of a sent frame
        if (sent.empty()) break;
        const Sent& f = sent[in.Byte() % sent.size()];
        std::vector<uint8_t> forged = f.ciphertext;
        const size_t bit = in.Byte() * 7 % (forged.size() * 8);
        forged[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        const Snapshot before = Take(*rx, f.sender);
        SFRAME_FUZZ_CHECK(!deliver(f.sender, forged).ok());
        SFRAME_FUZZ_CHECK(Take(*rx, f.sender) == before);
        break;
      }
      case 4: {  // garbage from the input
        absl::Span<const uint8_t> junk = in.Bytes(in.Byte() % 48);
        const Snapshot before = Take(*rx, s);
        SFRAME_FUZZ_CHECK(!deliver(s, junk).ok());
        SFRAME_FUZZ_CHECK(Take(*rx, s) == before);
        break;
      }
      case 5:  // sender ratchets
        (void)tx[s]->Ratchet();
        break;
      case 6: {  // sender rekeys; the receiver learns the new generation
        std::vector<uint8_t> key(16, static_cast<uint8_t>(in.Byte()));
        key[0] ^= static_cast<uint8_t>(op);
        if (tx[s]->Rekey(key).ok()) {
          (void)rx->InstallKey(s, tx[s]->generation(), 0, key);
        }
        break;
      }
      case 7:  // time passes
        now += absl::Milliseconds(250 * (in.Byte() % 16));
        rx->ExpireKeys();
        break;
    }
    for (SenderId t = 0; t < 2; ++t) {
      // Bounded: the current key, retained steps, steps ahead and previous
      // generations never exceed a small multiple of 2^R.
      SFRAME_FUZZ_CHECK(rx->key_count(t) <= (size_t{4} << ratchet_bits));
    }
  }
  return 0;
}
