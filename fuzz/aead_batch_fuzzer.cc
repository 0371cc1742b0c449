// Copyright 2026 The sframecpp Authors.
//
// Differential batch AEAD: Aead::SealBatch and Aead::OpenBatch over a fuzzed
// batch against single BoringSSL calls, frame by frame. The input chooses the
// batch's shape (what the lane groups and the lockstep HMAC engines branch
// on): up to 80 frames over up to 4 keys of any suite and of any
// implementation this CPU runs, lengths equal, a little different or
// scattered, AAD sizes, alignments, in-place frames, the HMAC lane count,
// and which frames are forged before the open. The bytes themselves (keys,
// nonces, plaintexts) come from a seeded generator, so that a short input
// describes a large batch. Checked, for every frame: the batch's ciphertext
// and tag equal BoringSSL's single seal; the batch's accept bit equals
// BoringSSL's single open of the same (possibly forged) frame; an accepted
// frame opens to the plaintext, a rejected one to zeros; no byte around an
// output or a tag is written.

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "src/crypto/aead.h"
#include "src/crypto/sha256_x86_64_shani.h"

namespace {

using sframe::CipherSuite;
using sframe::internal::Aead;
using sframe::internal::AeadBatchItem;
using sframe::internal::AeadImplementation;

constexpr size_t kMaxFrames = 80;
constexpr size_t kMaxKeys = 4;
constexpr size_t kMaxLen = 1600;
constexpr uint8_t kGuard = 0xa5;
// Bytes of guard before and after each output and tag (plus the alignment).
constexpr size_t kSlack = 16;

// splitmix64: the content of the batch, from the input's seed.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  void Fill(uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(Next() >> 56);
  }
};

// How a frame is altered before the open.
enum class Forge : uint8_t { kNone, kCiphertext, kTag, kAad, kNonce };

struct Frame {
  size_t key;
  bool in_place;
  Forge forge;
  size_t align;
  uint8_t nonce[sframe::kNonceSize];
  std::vector<uint8_t> aad1, aad2, pt;
  // Guarded buffers: kSlack + align bytes, the data, kSlack bytes.
  std::vector<uint8_t> in_buf, out_buf, tag_buf;
  // BoringSSL's answer.
  std::vector<uint8_t> ref_ct;
  uint8_t ref_tag[sframe::kMaxTagSize];

  uint8_t* In() { return in_buf.data() + kSlack + align; }
  uint8_t* Out() { return in_place ? In() : out_buf.data() + kSlack + align; }
  uint8_t* Tag() { return tag_buf.data() + kSlack; }
};

// Every byte of `buf` outside [from, from + n) still holds the guard.
bool GuardsIntact(const std::vector<uint8_t>& buf, size_t from, size_t n) {
  for (size_t i = 0; i < buf.size(); ++i) {
    if ((i < from || i >= from + n) && buf[i] != kGuard) return false;
  }
  return true;
}

std::vector<uint8_t> Guarded(size_t n) {
  return std::vector<uint8_t>(2 * kSlack + 64 + n, kGuard);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sframe;
  fuzz::Reader in(data, size);

  // Shape of the batch.
  const uint8_t head = in.Byte();
  const size_t num_keys = 1 + head % kMaxKeys;
  internal::SetHmacSha256LanesForTesting((head >> 2) % 5);  // 0: default
  const uint8_t shape = head >> 5;
  const size_t n = 1 + in.Byte() % kMaxFrames;
  const size_t base_len =
      ((size_t{in.Byte()} << 8) | in.Byte()) % (kMaxLen + 1);
  Rng rng{in.U64()};

  const std::vector<AeadImplementation> impls =
      fuzz::RunnableAeadImplementations();
  std::unique_ptr<Aead> keys[kMaxKeys], refs[kMaxKeys];
  for (size_t k = 0; k < num_keys; ++k) {
    const uint8_t b = in.Byte();
    const CipherSuite suite = kAllCipherSuites[b % 8];
    uint8_t raw[128];
    SFRAME_FUZZ_CHECK(KeySize(suite) <= sizeof(raw));
    rng.Fill(raw, KeySize(suite));
    const absl::Span<const uint8_t> key(raw, KeySize(suite));
    auto aead = Aead::Create(suite, key, impls[(b >> 3) % impls.size()]);
    auto ref = Aead::Create(suite, key, AeadImplementation::kBoringSsl);
    SFRAME_FUZZ_CHECK(aead.ok() && ref.ok());
    keys[k] = *std::move(aead);
    refs[k] = *std::move(ref);
  }

  std::vector<Frame> frames(n);
  for (size_t i = 0; i < n; ++i) {
    Frame& f = frames[i];
    const uint8_t d = in.Byte();
    f.key = d % num_keys;
    f.in_place = (d >> 2) & 1;
    const uint8_t forge = (d >> 3) % 8;
    f.forge = forge < 4 ? Forge::kNone : static_cast<Forge>(forge - 3);
    const uint8_t l = in.Byte();
    size_t len;
    switch (shape % 4) {
      case 0:  // all equal (audio frames, one codec)
        len = base_len;
        break;
      case 1:  // a video frame's packets: equal or a few bytes shorter, and
               // now and then a much shorter one (a frame's last packet)
        len = l >= 224 ? base_len * (l - 224) / 32
                       : base_len - std::min<size_t>(base_len, l % 4);
        break;
      case 2:  // short and scattered
        len = l;
        break;
      default:  // anything
        len = ((size_t{l} << 8) | in.Byte()) % (kMaxLen + 1);
        break;
    }
    const uint8_t a = in.Byte();
    f.aad1.resize(a % 18);  // an SFrame header: at most 17 bytes
    f.aad2.resize(shape >= 4 ? (a >> 5) * 9 : 0);  // metadata
    f.align = in.Byte() % 64;
    f.pt.resize(len);
    rng.Fill(f.nonce, sizeof(f.nonce));
    rng.Fill(f.aad1.data(), f.aad1.size());
    rng.Fill(f.aad2.data(), f.aad2.size());
    rng.Fill(f.pt.data(), f.pt.size());

    // BoringSSL, one frame at a time.
    Aead& ref = *refs[f.key];
    f.ref_ct.resize(len + 1);  // never empty: data() is not null
    SFRAME_FUZZ_CHECK(
        ref.Seal(f.nonce, f.aad1, f.aad2, f.pt, f.ref_ct.data(), f.ref_tag));

    f.in_buf = Guarded(len);
    f.out_buf = Guarded(len);
    f.tag_buf = Guarded(kMaxTagSize);
    if (len != 0) memcpy(f.In(), f.pt.data(), len);
  }

  // Seal the batch.
  std::vector<AeadBatchItem> items(n);
  for (size_t i = 0; i < n; ++i) {
    Frame& f = frames[i];
    items[i] = internal::MakeAeadBatchItem(
        keys[f.key].get(), f.nonce, f.aad1, f.aad2,
        absl::MakeConstSpan(f.In(), f.pt.size()), f.Out(), f.Tag());
  }
  SFRAME_FUZZ_CHECK(Aead::SealBatch(items));
  for (Frame& f : frames) {
    const size_t len = f.pt.size();
    const size_t tag_size = keys[f.key]->tag_size();
    SFRAME_FUZZ_CHECK(len == 0 || memcmp(f.Out(), f.ref_ct.data(), len) == 0);
    SFRAME_FUZZ_CHECK(memcmp(f.Tag(), f.ref_tag, tag_size) == 0);
    SFRAME_FUZZ_CHECK(GuardsIntact(f.tag_buf, kSlack, tag_size));
    SFRAME_FUZZ_CHECK(
        GuardsIntact(f.in_place ? f.in_buf : f.out_buf, kSlack + f.align, len));
    if (!f.in_place) {
      SFRAME_FUZZ_CHECK(len == 0 || memcmp(f.In(), f.pt.data(), len) == 0);
    }
  }

  // Forge some frames, ask BoringSSL what it accepts, then open the batch:
  // the ciphertext is now the input (in place: the same buffer).
  std::vector<uint8_t> expect_ok(n);
  for (size_t i = 0; i < n; ++i) {
    Frame& f = frames[i];
    const size_t len = f.pt.size();
    const size_t tag_size = keys[f.key]->tag_size();
    if (!f.in_place) {
      if (len != 0) memcpy(f.In(), f.Out(), len);
      memset(f.out_buf.data(), kGuard, f.out_buf.size());
    }
    const uint8_t bit = static_cast<uint8_t>(1u << (rng.Next() % 8));
    Forge forge = f.forge;
    if (forge == Forge::kCiphertext && len == 0) forge = Forge::kTag;
    if (forge == Forge::kAad && f.aad1.empty() && f.aad2.empty()) {
      forge = Forge::kNonce;
    }
    switch (forge) {
      case Forge::kNone:
        break;
      case Forge::kCiphertext:
        f.In()[rng.Next() % len] ^= bit;
        break;
      case Forge::kTag:
        f.Tag()[rng.Next() % tag_size] ^= bit;
        break;
      case Forge::kAad:
        if (!f.aad1.empty()) {
          f.aad1[rng.Next() % f.aad1.size()] ^= bit;
        } else {
          f.aad2[rng.Next() % f.aad2.size()] ^= bit;
        }
        break;
      case Forge::kNonce:
        f.nonce[rng.Next() % sizeof(f.nonce)] ^= bit;
        break;
    }
    std::vector<uint8_t> plain(len + 1);
    expect_ok[i] = refs[f.key]->Open(f.nonce, f.aad1, f.aad2,
                                     absl::MakeConstSpan(f.In(), len), f.Tag(),
                                     plain.data())
                       ? 1
                       : 0;
    // BoringSSL itself: the unforged frames open, to the plaintext.
    if (forge == Forge::kNone) {
      SFRAME_FUZZ_CHECK(expect_ok[i] == 1);
      SFRAME_FUZZ_CHECK(len == 0 ||
                        memcmp(plain.data(), f.pt.data(), len) == 0);
    }
    items[i] = internal::MakeAeadBatchItem(
        keys[f.key].get(), f.nonce, f.aad1, f.aad2,
        absl::MakeConstSpan(f.In(), len), f.Out(), f.Tag());
  }
  std::vector<uint8_t> ok(n + 1, 0x77);
  Aead::OpenBatch(items, ok.data());
  SFRAME_FUZZ_CHECK(ok[n] == 0x77);
  for (size_t i = 0; i < n; ++i) {
    Frame& f = frames[i];
    const size_t len = f.pt.size();
    SFRAME_FUZZ_CHECK(ok[i] == expect_ok[i]);
    if (ok[i]) {
      SFRAME_FUZZ_CHECK(len == 0 || memcmp(f.Out(), f.pt.data(), len) == 0);
    } else {
      SFRAME_FUZZ_CHECK(fuzz::AllZero(absl::MakeConstSpan(f.Out(), len)));
    }
    SFRAME_FUZZ_CHECK(
        GuardsIntact(f.in_place ? f.in_buf : f.out_buf, kSlack + f.align, len));
  }
  internal::SetHmacSha256LanesForTesting(0);
  return 0;
}
