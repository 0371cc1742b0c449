// Copyright 2026 The sframecpp Authors.
//
// sframe_bench: our SFrame operations against raw BoringSSL and raw
// intel-ipsec-mb in one binary, so results compare as ratios within a run.
// Benchmark names are a stable interface (scripts parse them):
//   BM_Encrypt/<suite>/<bytes>          BM_Decrypt/<suite>/<bytes>
//   BM_BoringSSLSeal/<suite>/<bytes>    BM_BoringSSLOpen/<suite>/<bytes>
//   BM_IpsecMbSeal/<suite>/<bytes>      BM_IpsecMbOpen/<suite>/<bytes>
//   BM_KeyInstall/<suite>               BM_RatchetStep/<suite>
// plus:
//   BM_AeadSeal/<suite>/<bytes>, BM_AeadOpen/...: our AEAD alone, below the
//     SFrame layer;
//   BM_AeadSealBatch/<suite>/<bytes>/<frames>, BM_AeadOpenBatch/...: <frames>
//     frames per call through the internal batch entry point (items/s =
//     frames/s);
//   BM_AeadSealBatchAudio/<suite>/64 (64 audio frames of 40-200 bytes, 64
//     keys), BM_AeadSealBatchPackets/<suite>/<bytes> (a video frame of
//     <bytes> as 1200-byte packets), BM_AeadSealBatchStreams/<suite>/4 (4
//     senders' video frames as packets, a key each), and their Open twins:
//     the same entry point on frames of mixed lengths;
//   BM_EncryptBatch/<suite>/<bytes>/<frames>, BM_DecryptBatch/...: the public
//     batch API (sframe/batch.h), <frames> frames of one Encryptor per call.
// Every benchmark reports `allocs_per_iter` (operator new calls per
// iteration; 0 on every per-frame path) and bytes/items per second. The core
// clock (GHz, from a dependent-multiply chain) is in the JSON context as
// `core_ghz`, for cycles-per-byte conversions.

#include <openssl/aead.h>
#include <openssl/aes.h>
#include <openssl/digest.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/clock_calibration.h"
#include "benchmark/benchmark.h"
#include "sframe/batch.h"
#include "sframe/cipher_suite.h"
#include "sframe/keys.h"
#include "sframe/sframe.h"
#include "src/crypto/aead.h"
#include "src/crypto/sha256_x86_64_shani.h"

#if SFRAME_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace sframe {
namespace bench {
namespace {

constexpr size_t kSizes[] = {16, 64, 112, 160, 512, 1200, 4096, 16384, 65536};
// Batch benchmarks: media-sized frames, and frames per call.
constexpr size_t kBatchSizes[] = {16, 64, 112, 160, 256, 512, 1200};
constexpr size_t kBatchFrames[] = {8, 64};
constexpr KeyId kKid = 0x123;
// Raw baselines get a 4-byte AAD: the size of a typical SFrame header
// (KID 0x123, 2-byte counter) that our full operation authenticates.
constexpr size_t kBaselineAadSize = 4;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 31 + seed);
  return v;
}

// The input and output buffers of a single-frame benchmark, at a fixed
// distance: the input starts on a page, the output 2 KiB past a later page
// boundary, so the input's loads and the output's stores never have the
// same low 12 address bits while both are in flight. Left to the heap, the
// distance changes with the build and the run, and when the output lands
// just below the input modulo 4 KiB the loads wait on unrelated stores
// ("4K aliasing": +18% on a 160-byte Encrypt on Zen 4 with the output at
// input - 64 mod 4096). Every single-frame benchmark, ours and the
// baselines', uses this layout.
class Buffers {
 public:
  Buffers(size_t in_size, size_t out_size) {
    constexpr size_t kPage = 4096;
    const size_t gap = (in_size + kPage - 1) / kPage * kPage + kPage / 2;
    storage_.assign(kPage + gap + out_size, 0);
    const uintptr_t base =
        (reinterpret_cast<uintptr_t>(storage_.data()) + kPage - 1) &
        ~uintptr_t{kPage - 1};
    in_ = absl::MakeSpan(reinterpret_cast<uint8_t*>(base), in_size);
    out_ = absl::MakeSpan(in_.data() + gap, out_size);
  }
  Buffers(const std::vector<uint8_t>& in, size_t out_size)
      : Buffers(in.size(), out_size) {
    if (!in.empty()) memcpy(in_.data(), in.data(), in.size());
  }
  absl::Span<uint8_t> in() { return in_; }
  absl::Span<uint8_t> out() { return out_; }

 private:
  std::vector<uint8_t> storage_;
  absl::Span<uint8_t> in_, out_;
};

// Counts operator new calls over `kAllocProbeCalls` untimed calls of `op`,
// run before the timed loop: the counter then sees only our code, never the
// framework's own bookkeeping.
constexpr int kAllocProbeCalls = 256;

template <typename Op>
double AllocationsPerCall(Op&& op) {
  const long start = g_allocations.load();
  for (int i = 0; i < kAllocProbeCalls; ++i) op();
  return static_cast<double>(g_allocations.load() - start) / kAllocProbeCalls;
}

void Finish(benchmark::State& state, size_t bytes, double allocs_per_iter) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
  state.counters["allocs_per_iter"] = allocs_per_iter;
}

// ------------------------------------------------------------ our library

void BM_Encrypt(benchmark::State& state, CipherSuite suite, size_t bytes) {
  const std::vector<uint8_t> key = Pattern(16, 1);
  auto enc = Encryptor::Create(suite, kKid, key);
  if (!enc.ok()) return state.SkipWithError("key setup failed");
  Buffers buf(Pattern(bytes, 2), MaxCiphertextSize(suite, bytes));
  const absl::Span<const uint8_t> pt = buf.in();
  const absl::Span<uint8_t> out = buf.out();
  auto op = [&] {
    auto ct = enc->Encrypt({}, pt, out);
    benchmark::DoNotOptimize(ct);
    return ct.ok();
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("encrypt failed");
    benchmark::ClobberMemory();
  }
  Finish(state, bytes, allocs);
}

void BM_Decrypt(benchmark::State& state, CipherSuite suite, size_t bytes) {
  const std::vector<uint8_t> key = Pattern(16, 1);
  auto enc = Encryptor::Create(suite, kKid, key);
  // The same frame is decrypted over and over: measure the crypto, not the
  // replay window (which would reject every repetition).
  Decryptor::Options options;
  options.replay_window = 0;
  auto dec = Decryptor::Create(suite, options);
  if (!enc.ok() || !dec.ok() || !dec->AddKey(kKid, key).ok()) {
    return state.SkipWithError("key setup failed");
  }
  // A steady-state counter (two bytes), like the encrypt side's.
  const std::vector<uint8_t> pt = Pattern(bytes, 2);
  Buffers buf(MaxCiphertextSize(suite, bytes), bytes);
  absl::Span<uint8_t> ct;
  for (int i = 0; i < 300; ++i) {
    auto sealed = enc->Encrypt({}, pt, buf.in());
    if (!sealed.ok()) return state.SkipWithError("encrypt failed");
    ct = *sealed;
  }
  const absl::Span<uint8_t> out = buf.out();
  auto op = [&] {
    auto got = dec->Decrypt({}, ct, out);
    benchmark::DoNotOptimize(got);
    return got.ok();
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("decrypt failed");
    benchmark::ClobberMemory();
  }
  Finish(state, bytes, allocs);
}

void BM_KeyInstall(benchmark::State& state, CipherSuite suite) {
  const std::vector<uint8_t> key = Pattern(HashSize(suite), 1);
  for (auto _ : state) {
    auto enc = Encryptor::Create(suite, kKid, key);
    if (!enc.ok()) return state.SkipWithError("key setup failed");
    benchmark::DoNotOptimize(&*enc);
  }
  state.SetItemsProcessed(state.iterations());
}

// Our internal AEAD alone (kernel or CTR-HMAC), with the same 4-byte AAD as
// the raw baselines: separates the kernel from the SFrame layer's own cost.
void BM_AeadSeal(benchmark::State& state, CipherSuite suite, size_t bytes) {
  const std::vector<uint8_t> key = Pattern(KeySize(suite), 1);
  auto aead = internal::Aead::Create(suite, key);
  if (!aead.ok()) return state.SkipWithError("key setup failed");
  const std::vector<uint8_t> nonce = Pattern(12, 3);
  const std::vector<uint8_t> aad = Pattern(kBaselineAadSize, 4);
  Buffers buf(Pattern(bytes, 2), bytes + kMaxTagSize);
  const absl::Span<const uint8_t> pt = buf.in();
  const absl::Span<uint8_t> out = buf.out();
  auto op = [&] {
    const bool ok = (*aead)->Seal(nonce.data(), aad, {}, pt, out.data(),
                                  out.data() + bytes);
    benchmark::DoNotOptimize(out.data());
    return ok;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("seal failed");
    benchmark::ClobberMemory();
  }
  Finish(state, bytes, allocs);
}

// The open side of BM_AeadSeal: verifies and decrypts a sealed message.
void BM_AeadOpen(benchmark::State& state, CipherSuite suite, size_t bytes) {
  const std::vector<uint8_t> key = Pattern(KeySize(suite), 1);
  auto aead = internal::Aead::Create(suite, key);
  if (!aead.ok()) return state.SkipWithError("key setup failed");
  const std::vector<uint8_t> nonce = Pattern(12, 3);
  const std::vector<uint8_t> aad = Pattern(kBaselineAadSize, 4);
  const std::vector<uint8_t> pt = Pattern(bytes, 2);
  Buffers buf(bytes + kMaxTagSize, bytes);
  const absl::Span<uint8_t> ct = buf.in();
  if (!(*aead)->Seal(nonce.data(), aad, {}, pt, ct.data(), ct.data() + bytes)) {
    return state.SkipWithError("seal failed");
  }
  const absl::Span<uint8_t> out = buf.out();
  auto op = [&] {
    const bool ok = (*aead)->Open(nonce.data(), aad, {},
                                  absl::MakeConstSpan(ct.data(), bytes),
                                  ct.data() + bytes, out.data());
    benchmark::DoNotOptimize(out.data());
    return ok;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("open failed");
    benchmark::ClobberMemory();
  }
  Finish(state, bytes, allocs);
}

// One RFC 9605 §5.1 ratchet step: base_key <- HKDF-Expand(HKDF-Extract("",
// base_key), "SFrame 1.0 Ratchet", Nh), in place.
void BM_RatchetStep(benchmark::State& state, CipherSuite suite) {
  std::vector<uint8_t> key = Pattern(HashSize(suite), 1);
  for (auto _ : state) {
    if (!RatchetBaseKey(suite, key, absl::MakeSpan(key)).ok()) {
      return state.SkipWithError("ratchet failed");
    }
    benchmark::DoNotOptimize(key.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// Independent frames of lengths `lens` (distinct nonces) through the
// internal batch entry point (Aead::SealBatch / OpenBatch). Items are
// frames; time per frame = time per iteration / frames.
// Frame i on key key_of[i] (of max + 1 keys); `loop`: the same seals as a
// loop of single Seal calls, for the ratio (seal only).
void BM_AeadBatch(benchmark::State& state, CipherSuite suite,
                  const std::vector<size_t>& lens, bool seal,
                  const std::vector<size_t>& key_of, bool loop) {
  size_t keys = 0;
  for (size_t k : key_of) keys = std::max(keys, k + 1);
  const size_t frames = lens.size();
  size_t total = 0;
  for (size_t len : lens) total += len;
  std::vector<std::unique_ptr<internal::Aead>> aeads;
  for (size_t k = 0; k < keys; ++k) {
    auto aead = internal::Aead::Create(
        suite, Pattern(KeySize(suite), static_cast<uint8_t>(1 + k)));
    if (!aead.ok()) return state.SkipWithError("key setup failed");
    aeads.push_back(*std::move(aead));
  }
  const std::vector<uint8_t> aad = Pattern(kBaselineAadSize, 4);
  std::vector<std::vector<uint8_t>> pts(frames), nonces(frames), cts(frames),
      outs(frames);
  std::vector<internal::AeadBatchItem> seal_items(frames), open_items(frames);
  for (size_t i = 0; i < frames; ++i) {
    const size_t bytes = lens[i];
    pts[i] = Pattern(bytes, 2);
    nonces[i] = Pattern(12, static_cast<uint8_t>(3 + i));
    cts[i].assign(bytes + kMaxTagSize, 0);
    outs[i].assign(bytes + kMaxTagSize, 0);
    seal_items[i] = internal::MakeAeadBatchItem(
        aeads[key_of[i]].get(), nonces[i].data(), aad, {}, pts[i],
        cts[i].data(), cts[i].data() + bytes);
  }
  if (!internal::Aead::SealBatch(seal_items)) {
    return state.SkipWithError("seal failed");
  }
  for (size_t i = 0; i < frames; ++i) {
    const size_t bytes = lens[i];
    open_items[i] = internal::MakeAeadBatchItem(
        aeads[key_of[i]].get(), nonces[i].data(), aad, {},
        absl::MakeConstSpan(cts[i].data(), bytes), outs[i].data(),
        cts[i].data() + bytes);
    if (seal) {
      seal_items[i].out = outs[i].data();
      seal_items[i].tag = outs[i].data() + bytes;
    }
  }
  std::vector<uint8_t> ok(frames);
  auto op = [&] {
    bool good = true;
    if (loop) {
      for (size_t i = 0; i < frames; ++i) {
        good = good &&
               aeads[key_of[i]]->Seal(nonces[i].data(), aad, {}, pts[i],
                                      seal_items[i].out, seal_items[i].tag);
      }
    } else if (seal) {
      good = internal::Aead::SealBatch(seal_items);
    } else {
      internal::Aead::OpenBatch(open_items, ok.data());
      for (uint8_t b : ok) good = good && b == 1;
    }
    benchmark::DoNotOptimize(outs.data());
    return good;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("batch failed");
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(total));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(frames));
  state.counters["allocs_per_iter"] = allocs;
}

// The public batch API: `frames` frames of `bytes` each from one Encryptor
// (the per-packet video case), per call. Items are frames.
void BM_EncryptBatch(benchmark::State& state, CipherSuite suite, size_t bytes,
                     size_t frames) {
  const std::vector<uint8_t> key = Pattern(16, 1);
  auto enc = Encryptor::Create(suite, kKid, key);
  if (!enc.ok()) return state.SkipWithError("key setup failed");
  const std::vector<uint8_t> pt = Pattern(bytes, 2);
  std::vector<std::vector<uint8_t>> outs(frames);
  std::vector<EncryptBatchItem> items(frames);
  for (size_t i = 0; i < frames; ++i) {
    outs[i].assign(MaxCiphertextSize(suite, bytes), 0);
    items[i].encryptor = &*enc;
    items[i].plaintext = pt;
    items[i].out = absl::MakeSpan(outs[i]);
  }
  auto op = [&] {
    const size_t ok = EncryptBatch(absl::MakeSpan(items));
    benchmark::DoNotOptimize(outs.data());
    return ok == frames;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("encrypt failed");
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes * frames));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(frames));
  state.counters["allocs_per_iter"] = allocs;
}

void BM_DecryptBatch(benchmark::State& state, CipherSuite suite, size_t bytes,
                     size_t frames) {
  const std::vector<uint8_t> key = Pattern(16, 1);
  auto enc = Encryptor::Create(suite, kKid, key);
  // The same frames are decrypted over and over, as in BM_Decrypt.
  Decryptor::Options options;
  options.replay_window = 0;
  auto dec = Decryptor::Create(suite, options);
  if (!enc.ok() || !dec.ok() || !dec->AddKey(kKid, key).ok()) {
    return state.SkipWithError("key setup failed");
  }
  const std::vector<uint8_t> pt = Pattern(bytes, 2);
  // Steady-state (two-byte) counters, like BM_Decrypt's.
  std::vector<uint8_t> scratch(MaxCiphertextSize(suite, bytes));
  for (int i = 0; i < 300; ++i) {
    if (!enc->Encrypt({}, pt, absl::MakeSpan(scratch)).ok()) {
      return state.SkipWithError("encrypt failed");
    }
  }
  std::vector<std::vector<uint8_t>> cts(frames), outs(frames);
  std::vector<DecryptBatchItem> items(frames);
  for (size_t i = 0; i < frames; ++i) {
    cts[i].assign(MaxCiphertextSize(suite, bytes), 0);
    auto sealed = enc->Encrypt({}, pt, absl::MakeSpan(cts[i]));
    if (!sealed.ok()) return state.SkipWithError("encrypt failed");
    cts[i].resize(sealed->size());
    outs[i].assign(bytes, 0);
    items[i].ciphertext = cts[i];
    items[i].out = absl::MakeSpan(outs[i]);
  }
  auto op = [&] {
    const size_t ok = DecryptBatch(*dec, absl::MakeSpan(items));
    benchmark::DoNotOptimize(outs.data());
    return ok == frames;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("decrypt failed");
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes * frames));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(frames));
  state.counters["allocs_per_iter"] = allocs;
}

// ------------------------------------------------------- raw BoringSSL

void BM_BoringSSLGcm(benchmark::State& state, CipherSuite suite, size_t bytes,
                     bool seal) {
  const std::vector<uint8_t> key = Pattern(KeySize(suite), 1);
  EVP_AEAD_CTX ctx;
  const EVP_AEAD* aead =
      AesKeySize(suite) == 16 ? EVP_aead_aes_128_gcm() : EVP_aead_aes_256_gcm();
  if (!EVP_AEAD_CTX_init(&ctx, aead, key.data(), key.size(), 16, nullptr)) {
    return state.SkipWithError("EVP_AEAD_CTX_init failed");
  }
  const std::vector<uint8_t> nonce = Pattern(12, 3);
  const std::vector<uint8_t> aad = Pattern(kBaselineAadSize, 4);
  // Seal reads the plaintext from buf.in(); open reads the ciphertext
  // from there instead.
  const std::vector<uint8_t> plain = Pattern(bytes, 2);
  Buffers buf(bytes + 16, bytes + 16);
  const absl::Span<uint8_t> out = buf.out();
  const absl::Span<uint8_t> pt = buf.in().first(bytes);
  const absl::Span<uint8_t> ct = buf.in();
  size_t len = 0;
  if (seal) {
    memcpy(pt.data(), plain.data(), bytes);
  } else {
    EVP_AEAD_CTX_seal(&ctx, ct.data(), &len, ct.size(), nonce.data(), 12,
                      plain.data(), plain.size(), aad.data(), aad.size());
  }
  auto op = [&] {
    const int ok = seal ? EVP_AEAD_CTX_seal(&ctx, out.data(), &len, out.size(),
                                            nonce.data(), 12, pt.data(),
                                            pt.size(), aad.data(), aad.size())
                        : EVP_AEAD_CTX_open(&ctx, out.data(), &len, out.size(),
                                            nonce.data(), 12, ct.data(),
                                            ct.size(), aad.data(), aad.size());
    benchmark::DoNotOptimize(out.data());
    return ok == 1;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("BoringSSL failed");
    benchmark::ClobberMemory();
  }
  Finish(state, bytes, allocs);
  EVP_AEAD_CTX_cleanup(&ctx);
}

// RFC 9605 §4.5.1 built from raw BoringSSL AES-CTR and HMAC, keys set once.
void BM_BoringSSLCtrHmac(benchmark::State& state, CipherSuite suite,
                         size_t bytes, bool seal) {
  const std::vector<uint8_t> key = Pattern(KeySize(suite), 1);
  const size_t nka = AesKeySize(suite);
  const size_t nt = TagSize(suite);
  AES_KEY aes;
  AES_set_encrypt_key(key.data(), static_cast<unsigned>(nka * 8), &aes);
  HMAC_CTX hmac;
  HMAC_CTX_init(&hmac);
  HMAC_Init_ex(&hmac, key.data() + nka, key.size() - nka,
               UsesSha512(suite) ? EVP_sha512() : EVP_sha256(), nullptr);
  const std::vector<uint8_t> nonce = Pattern(12, 3);
  const std::vector<uint8_t> aad = Pattern(kBaselineAadSize, 4);
  Buffers buf(Pattern(bytes, 2), bytes);
  const absl::Span<const uint8_t> in = buf.in();
  const absl::Span<uint8_t> out = buf.out();
  uint8_t tag[EVP_MAX_MD_SIZE];
  uint8_t expected_tag[EVP_MAX_MD_SIZE] = {0};
  auto compute_tag = [&](const uint8_t* ct, uint8_t* t) {
    uint8_t prefix[36] = {0};
    prefix[7] = static_cast<uint8_t>(aad.size());
    for (int i = 0; i < 8; ++i) {
      prefix[15 - i] = static_cast<uint8_t>(uint64_t{bytes} >> (8 * i));
    }
    prefix[23] = static_cast<uint8_t>(nt);
    memcpy(prefix + 24, nonce.data(), 12);
    unsigned len = 0;
    HMAC_Init_ex(&hmac, nullptr, 0, nullptr, nullptr);
    HMAC_Update(&hmac, prefix, sizeof(prefix));
    HMAC_Update(&hmac, aad.data(), aad.size());
    HMAC_Update(&hmac, ct, bytes);
    HMAC_Final(&hmac, t, &len);
  };
  auto ctr = [&](const uint8_t* src, uint8_t* dst) {
    uint8_t ivec[16] = {0}, ecount[16] = {0};
    memcpy(ivec, nonce.data(), 12);
    unsigned num = 0;
    AES_ctr128_encrypt(src, dst, bytes, &aes, ivec, ecount, &num);
  };
  compute_tag(in.data(), expected_tag);
  auto op = [&] {
    if (seal) {
      ctr(in.data(), out.data());
      compute_tag(out.data(), tag);
    } else {
      compute_tag(in.data(), tag);
      if (CRYPTO_memcmp(tag, expected_tag, nt) != 0) return false;
      ctr(in.data(), out.data());
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(tag);
    return true;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("tag mismatch");
    benchmark::ClobberMemory();
  }
  Finish(state, bytes, allocs);
  HMAC_CTX_cleanup(&hmac);
}

// ------------------------------------------------------- raw ipsec-mb

#if SFRAME_HAVE_IPSEC_MB
absl::string_view IpsecMbArch() {
  const char* arch = std::getenv("SFRAME_BENCH_IPSEC_MB_ARCH");
  return arch == nullptr ? "auto" : arch;
}

// The peer's code path: the best for this CPU, or the one named by
// SFRAME_BENCH_IPSEC_MB_ARCH ("avx2", "avx512", "sse"), so that our AVX2
// kernel can be set against the peer's own code for CPUs without AVX-512.
IMB_MGR* IpsecMbManager() {
  static IMB_MGR* mgr = [] {
    IMB_MGR* m = alloc_mb_mgr(0);
    const absl::string_view arch = IpsecMbArch();
    if (arch == "avx2") {
      init_mb_mgr_avx2(m);
    } else if (arch == "avx512") {
      init_mb_mgr_avx512(m);
    } else if (arch == "sse") {
      init_mb_mgr_sse(m);
    } else {
      init_mb_mgr_auto(m, nullptr);
    }
    return m;
  }();
  return mgr;
}

void BM_IpsecMbGcm(benchmark::State& state, CipherSuite suite, size_t bytes,
                   bool seal) {
  IMB_MGR* mgr = IpsecMbManager();
  const bool aes128 = AesKeySize(suite) == 16;
  const std::vector<uint8_t> key = Pattern(KeySize(suite), 1);
  alignas(64) static gcm_key_data key_data;
  gcm_context_data ctx;
  if (aes128) {
    IMB_AES128_GCM_PRE(mgr, key.data(), &key_data);
  } else {
    IMB_AES256_GCM_PRE(mgr, key.data(), &key_data);
  }
  const std::vector<uint8_t> nonce = Pattern(12, 3);
  const std::vector<uint8_t> aad = Pattern(kBaselineAadSize, 4);
  // Seal reads the plaintext from buf.in(); open reads the ciphertext
  // from there instead.
  const std::vector<uint8_t> plain = Pattern(bytes, 2);
  Buffers buf(bytes, bytes);
  const absl::Span<uint8_t> out = buf.out();
  uint8_t tag[16], expected[16];
  auto run = [&](bool enc, const uint8_t* src, uint8_t* dst, uint8_t* t) {
    if (aes128) {
      enc ? IMB_AES128_GCM_ENC(mgr, &key_data, &ctx, dst, src, bytes,
                               nonce.data(), aad.data(), aad.size(), t, 16)
          : IMB_AES128_GCM_DEC(mgr, &key_data, &ctx, dst, src, bytes,
                               nonce.data(), aad.data(), aad.size(), t, 16);
    } else {
      enc ? IMB_AES256_GCM_ENC(mgr, &key_data, &ctx, dst, src, bytes,
                               nonce.data(), aad.data(), aad.size(), t, 16)
          : IMB_AES256_GCM_DEC(mgr, &key_data, &ctx, dst, src, bytes,
                               nonce.data(), aad.data(), aad.size(), t, 16);
    }
  };
  // The expected tag; open reads the ciphertext where seal reads the
  // plaintext.
  std::vector<uint8_t> sealed(bytes);
  run(true, plain.data(), sealed.data(), expected);
  const absl::Span<uint8_t> in = buf.in();
  const absl::Span<uint8_t> ct = buf.in();
  if (bytes != 0) memcpy(in.data(), (seal ? plain : sealed).data(), bytes);
  auto op = [&] {
    if (seal) {
      run(true, in.data(), out.data(), tag);
    } else {
      // ipsec-mb leaves the tag comparison to the caller; include it.
      run(false, ct.data(), out.data(), tag);
      if (CRYPTO_memcmp(tag, expected, 16) != 0) return false;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(tag);
    return true;
  };
  const double allocs = AllocationsPerCall(op);
  for (auto _ : state) {
    if (!op()) return state.SkipWithError("tag mismatch");
    benchmark::ClobberMemory();
  }
  Finish(state, bytes, allocs);
}
#endif

// Registers BM_Aead<Seal|Open><kind><tail>: BM_AeadBatch on the same frames
// (lengths `lens`, frame i on key key_of[i]), sealed and opened.
void RegisterBatchPair(CipherSuite suite, const std::string& kind,
                       const std::string& tail, const std::vector<size_t>& lens,
                       const std::vector<size_t>& key_of) {
  benchmark::RegisterBenchmark(("BM_AeadSeal" + kind + tail).c_str(),
                               BM_AeadBatch, suite, lens, true, key_of, false);
  benchmark::RegisterBenchmark(("BM_AeadOpen" + kind + tail).c_str(),
                               BM_AeadBatch, suite, lens, false, key_of, false);
}

void RegisterAll() {
  for (CipherSuite suite : kAllCipherSuites) {
    const std::string s(CipherSuiteShortName(suite));
    for (size_t bytes : kSizes) {
      const std::string tail = absl::StrCat("/", s, "/", bytes);
      benchmark::RegisterBenchmark(("BM_Encrypt" + tail).c_str(), BM_Encrypt,
                                   suite, bytes);
      benchmark::RegisterBenchmark(("BM_Decrypt" + tail).c_str(), BM_Decrypt,
                                   suite, bytes);
      benchmark::RegisterBenchmark(("BM_AeadSeal" + tail).c_str(), BM_AeadSeal,
                                   suite, bytes);
      benchmark::RegisterBenchmark(("BM_AeadOpen" + tail).c_str(), BM_AeadOpen,
                                   suite, bytes);
      if (IsGcm(suite)) {
        benchmark::RegisterBenchmark(("BM_BoringSSLSeal" + tail).c_str(),
                                     BM_BoringSSLGcm, suite, bytes, true);
        benchmark::RegisterBenchmark(("BM_BoringSSLOpen" + tail).c_str(),
                                     BM_BoringSSLGcm, suite, bytes, false);
#if SFRAME_HAVE_IPSEC_MB
        benchmark::RegisterBenchmark(("BM_IpsecMbSeal" + tail).c_str(),
                                     BM_IpsecMbGcm, suite, bytes, true);
        benchmark::RegisterBenchmark(("BM_IpsecMbOpen" + tail).c_str(),
                                     BM_IpsecMbGcm, suite, bytes, false);
#endif
      } else {
        benchmark::RegisterBenchmark(("BM_BoringSSLSeal" + tail).c_str(),
                                     BM_BoringSSLCtrHmac, suite, bytes, true);
        benchmark::RegisterBenchmark(("BM_BoringSSLOpen" + tail).c_str(),
                                     BM_BoringSSLCtrHmac, suite, bytes, false);
      }
    }
    for (size_t bytes : kBatchSizes) {
      for (size_t frames : kBatchFrames) {
        const std::string tail = absl::StrCat("/", s, "/", bytes, "/", frames);
        RegisterBatchPair(suite, "Batch", tail,
                          std::vector<size_t>(frames, bytes),
                          std::vector<size_t>(frames, 0));
        benchmark::RegisterBenchmark(("BM_EncryptBatch" + tail).c_str(),
                                     BM_EncryptBatch, suite, bytes, frames);
        benchmark::RegisterBenchmark(("BM_DecryptBatch" + tail).c_str(),
                                     BM_DecryptBatch, suite, bytes, frames);
      }
    }
    // Frames of many keys, round-robin (many audio senders at an SFU):
    // the batch against a loop of single calls on the same frames.
    if (IsGcm(suite)) {
      const std::vector<size_t> lens(64, 112);
      for (size_t keys : {1, 2, 16, 64}) {
        // Frame i on key i % keys: none next to another of its key.
        std::vector<size_t> key_of(lens.size());
        for (size_t i = 0; i < key_of.size(); ++i) key_of[i] = i % keys;
        const std::string tail = absl::StrCat("/", s, "/112/64/", keys);
        benchmark::RegisterBenchmark(("BM_AeadSealBatchKeys" + tail).c_str(),
                                     BM_AeadBatch, suite, lens, true, key_of,
                                     false);
        benchmark::RegisterBenchmark(("BM_AeadSealLoopKeys" + tail).c_str(),
                                     BM_AeadBatch, suite, lens, true, key_of,
                                     true);
      }
    }
    // Frames of mixed lengths. Audio: 64 senders' frames of 40 to 200 bytes
    // (Opus at common bitrates), each on its own key, in a fixed scrambled
    // order. Packets: one video frame of <bytes> in per-packet mode, cut
    // into 1200-byte packets and a shorter last one, on one key. Streams:
    // one such frame from each of 4 senders (10000, 7000, 12500 and 4200
    // bytes), each on its own key, one after the other.
    {
      std::vector<size_t> audio(64), key_of(64);
      for (size_t i = 0; i < audio.size(); ++i) {
        audio[i] = 40 + (i * 97 + 13) % 161;
        key_of[i] = i;
      }
      RegisterBatchPair(suite, "BatchAudio", absl::StrCat("/", s, "/64"), audio,
                        key_of);
    }
    const auto add_packets = [](size_t bytes, size_t key,
                                std::vector<size_t>* lens,
                                std::vector<size_t>* key_of) {
      for (size_t at = 0; at < bytes; at += 1200) {
        lens->push_back(std::min<size_t>(1200, bytes - at));
        key_of->push_back(key);
      }
    };
    for (size_t bytes : {10000, 25000}) {
      std::vector<size_t> packets, key_of;
      add_packets(bytes, 0, &packets, &key_of);
      RegisterBatchPair(suite, "BatchPackets", absl::StrCat("/", s, "/", bytes),
                        packets, key_of);
    }
    {
      std::vector<size_t> packets, key_of;
      const size_t frame_bytes[] = {10000, 7000, 12500, 4200};
      for (size_t k = 0; k < 4; ++k) {
        add_packets(frame_bytes[k], k, &packets, &key_of);
      }
      RegisterBatchPair(suite, "BatchStreams", absl::StrCat("/", s, "/4"),
                        packets, key_of);
    }
    benchmark::RegisterBenchmark(("BM_KeyInstall/" + s).c_str(), BM_KeyInstall,
                                 suite);
    benchmark::RegisterBenchmark(("BM_RatchetStep/" + s).c_str(),
                                 BM_RatchetStep, suite);
  }
}

}  // namespace
}  // namespace bench
}  // namespace sframe

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const double ghz = sframe::bench::CalibrateCoreGhz();
  benchmark::AddCustomContext("core_ghz", absl::StrCat(ghz));
  const char* impl = std::getenv("SFRAME_AEAD_IMPL");
  benchmark::AddCustomContext("sframe_aead_impl", impl ? impl : "auto");
  // The CTR-HMAC batch's MAC lanes (SFRAME_HMAC_LANES or the CPU's default),
  // for frames of scattered lengths and for chunks of equal ones (or of
  // lengths that differ a little).
  benchmark::AddCustomContext(
      "hmac_lanes", absl::StrCat(sframe::internal::HmacSha256Lanes()));
  benchmark::AddCustomContext(
      "hmac_equal_lanes",
      absl::StrCat(sframe::internal::HmacSha256EqualLanes()));
#if SFRAME_HAVE_IPSEC_MB
  benchmark::AddCustomContext("ipsec_mb_arch",
                              std::string(sframe::bench::IpsecMbArch()));
#endif
  sframe::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
