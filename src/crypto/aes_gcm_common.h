// Copyright 2026 The sframecpp Authors.
//
// The AES-GCM algorithm shared by the VAES kernels, written once over an ISA
// "vocabulary" type `V`.
//
// PRIVATE TEMPLATE BODY. Include it only from a kernel translation unit, and
// only after defining `SFRAME_GCM_TARGET` to that kernel's target string, e.g.
//
//   #define SFRAME_GCM_TARGET "avx2,vaes,vpclmulqdq,aes,pclmul"
//   #include "src/crypto/aes_gcm_common.h"
//
// Every function here carries `__attribute__((target(SFRAME_GCM_TARGET)))`,
// so the code is compiled for exactly the ISA of the including file and no
// global `-m` flag is needed. Everything is a template on `V`, and each kernel
// defines its `V` in a namespace of its own (vaes_avx512::Zmm,
// vaes_avx2::Ymm), so the instantiations of two kernels never share a
// (COMDAT) symbol: an AVX-512 copy can never be picked by the linker for the
// AVX2 kernel.
//
// What `V` supplies (all static, all always-inline):
//   using T;                      the vector type (__m256i, __m512i)
//   kBlocks, kBytes               16-byte blocks per vector, bytes per vector
//   kBulkVectors, kShortVectors   vectors per bulk-loop batch; the longest
//                                 message (in vectors) that takes one pass
//   kLaneVectors                  the longest frame (in vectors) that a
//                                 batch's lane groups take
//   Zero, Bcast(__m128i), FromLane0(__m128i) (other lanes zero)
//   Loadu, Storeu, LoadWindow(p, lo, hi)   bytes [lo, hi) of p, others zero;
//                                          never touches bytes outside them
//   StorePrefix(p, v, n)          writes bytes [0, n) of v to p, nothing else
//   KeepPrefix(v, n)              zeroes bytes n.. of v
//   Xor, Xor3, And, Add32 (per dword), Bswap (per 128-bit lane),
//   Swap64 (exchange the qwords of each lane), Clmul<imm>, AesEnc,
//   AesEncLast, CounterOffsets(first) (lane j: dword 0 = first + j),
//   BlendLane(v, x, j) (lane j of v replaced by lane j of x),
//   ExtractLane(v, j), HXor(v) (XOR of all lanes), FromLanes(x[kBlocks])
//   and LoadLanes(p[kBlocks]) (lane j = x[j] / the 16 bytes at p[j]),
//   Transpose(v[kBlocks]) (lane j of v[i] <-> lane i of v[j]),
//   ZeroLanesMask(v) (lane j all ones iff lane j of v is zero, else zero),
//   BcastLane(v, j) (lane j of v in every lane),
//   GatherLane(v[kBlocks], j) (lane f = lane j of v[f]).
//
// The maths (SP 800-38D; the representation follows the public write-ups of
// the Linux/BoringSSL VAES kernels, re-derived and written here from scratch):
//
// * GHASH works on byte-reflected blocks: rho(B) is the block read as a
//   big-endian 128-bit integer (one vpshufb). Read with integer bit i as the
//   coefficient of x^i, rho(B) is GCM's bit-reversed polynomial, so the field
//   becomes GF(2)[x]/Q with Q = x^128 + x^127 + x^126 + x^121 + 1 and no bit
//   reversal is ever executed.
// * Mul(a, b) below returns a*b*x^-128 mod Q: a 256-bit carry-less product
//   (LO, MI, HI; MI is never split) and two "folds" by the constant
//   c = x^63 + x^62 + x^57 (0xC2 << 56 in the high qword of a lane), each of
//   which moves the low 64 bits up by 64 bits: for 128-bit A, B,
//   x^64*A + B == x^64*(A ^ swap(B) ^ B_lo*c)  (mod Q, up to x^-64).
// * The missing factor of x is put into the key once: P_1 = rho(H)*x mod Q.
//   Then Mul(rho(X), P_1) = rho(X*H), and P_k = Mul(P_(k-1), P_1) holds
//   rho(H^k)*x, which is what multiplying by H^k needs.
// * Aggregation: for blocks B_0..B_(g-1) and accumulator X,
//   X' = (X ^ B_0)*H^g ^ B_1*H^(g-1) ^ ... ^ B_(g-1)*H. All products stay
//   unreduced (XOR of LO, MI, HI parts, lane-wise); one reduction per chunk,
//   then the lanes are XORed together. The power table is stored highest
//   first (P_32 ... P_1, then zero blocks), so a vector of blocks starting at
//   block k of a g-block chunk loads its powers at end - 16*(g - k); lanes past
//   the data hold zero data (and past P_1 zero powers), so they add nothing.
// * The lengths block rho(L) is simply (bitlen(A) << 64) | bitlen(C).
// * Counters: with a 96-bit nonce, J0 = nonce || 00000001 and data block i
//   uses inc32^(i+1)(J0). We keep counters byte-reflected ("little-endian"),
//   where the 32-bit GCM counter is dword 0 of each lane, so a per-dword add
//   wraps mod 2^32 exactly like inc32 and never carries into the nonce.
// * Tag: T = E_K(J0) ^ rho^-1(S).
//
// Constant time: the only branches are on lengths, key size and the final
// accept/reject bit; no memory index depends on data, keys or tags.

#ifndef SFRAME_GCM_TARGET
#error "define SFRAME_GCM_TARGET before including aes_gcm_common.h"
#endif

#ifndef SFRAME_SRC_CRYPTO_AES_GCM_COMMON_H_
#define SFRAME_SRC_CRYPTO_AES_GCM_COMMON_H_

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/constant_time.h"

// An always-inline helper compiled for the including kernel's ISA.
#define SFRAME_GCM_INLINE \
  inline __attribute__((always_inline, target(SFRAME_GCM_TARGET)))
// An out-of-line function compiled for the including kernel's ISA.
#define SFRAME_GCM_FUNC __attribute__((target(SFRAME_GCM_TARGET)))
// The same for a lambda (after its parameter list); always inlined.
#define SFRAME_GCM_LAMBDA \
  __attribute__((always_inline, target(SFRAME_GCM_TARGET)))

namespace sframe {
namespace internal {
namespace gcm {

// Number of stored GHASH key powers, and zero blocks stored after P_1 so that
// a 64-byte power load starting at P_1 reads zeros past it.
inline constexpr int kPowers = 64;
inline constexpr int kPowerPad = 3;
// Karatsuba "folds" (p_hi ^ p_lo in both qwords) of every stored power and
// pad block, at the same index as the power.
inline constexpr int kFolds = kPowers + kPowerPad;

// Whether a vocabulary's vectors are register types, which an empty asm can
// pin to registers. The tests' AVX-512 vocabulary emulated on AVX2
// (tests/aes_gcm_emulated_avx512.cc) is a struct of two halves: nothing is
// pinned there.
template <class V>
inline constexpr bool kPinnable = !std::is_class_v<typename V::T>;

// The private layout of GcmKernelKey shared by the VAES kernels.
struct KeyLayout {
  alignas(16) uint8_t round_keys[15][16];
  uint32_t rounds;          // 10 or 14
  uint32_t bulk_karatsuba;  // 1: Karatsuba GHASH in BulkLoop, 0: schoolbook
  uint8_t reserved[8];
  // P_64 ... P_1, then kPowerPad zero blocks (see the file comment).
  alignas(16) uint8_t powers[kPowers + kPowerPad][16];
  // folds[i] = fold(powers[i]); a power at address p has its fold at
  // p + kFoldOffset.
  alignas(16) uint8_t folds[kFolds][16];
};
inline constexpr size_t kFoldOffset = 16 * kFolds;
static_assert(offsetof(KeyLayout, folds) - offsetof(KeyLayout, powers) ==
                  kFoldOffset,
              "folds must follow powers directly");
static_assert(sizeof(KeyLayout) <= kGcmKernelKeyBytes, "key state too big");
static_assert(offsetof(KeyLayout, rounds) == kGcmKernelKeyPublicOffset &&
                  offsetof(KeyLayout, powers) ==
                      kGcmKernelKeyPublicOffset + kGcmKernelKeyPublicSize,
              "aes_gcm_kernel.h names the public bytes of the key state");

inline const KeyLayout& Layout(const GcmKernelKey* key) {
  return *reinterpret_cast<const KeyLayout*>(key->bytes);
}
inline KeyLayout& Layout(GcmKernelKey* key) {
  return *reinterpret_cast<KeyLayout*>(key->bytes);
}

// A 12-byte nonce as two little-endian words: bytes 0..7 and 8..11 (J0 is
// nonce || 00000001; LoadJ0 and the vocabularies' BcastJ0 build it).
struct NonceWords {
  uint64_t lo;
  uint32_t hi;
};
inline NonceWords LoadNonceWords(const uint8_t* nonce) {
  NonceWords w;
  memcpy(&w.lo, nonce, 8);
  memcpy(&w.hi, nonce + 8, 4);
  return w;
}

// ---------------------------------------------------------------------------
// 128-bit helpers (AES-NI and PCLMULQDQ on xmm), used at key setup and for
// E_K(J0) when no spare vector lane is free.

// Calls f(std::integral_constant<int, i>()) for i = kLo .. kHi - 1, in
// order: a loop whose index the body needs as a constant.
template <int kLo, int kHi, class F>
SFRAME_GCM_INLINE void StaticFor(F&& f) {
  if constexpr (kLo < kHi) {
    f(std::integral_constant<int, kLo>());
    StaticFor<kLo + 1, kHi>(f);
  }
}

template <class V>
SFRAME_GCM_INLINE __m128i Bswap128(__m128i x) {
  return _mm_shuffle_epi8(
      x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

// a*b*x^-128 mod Q on single lanes (see the file comment).
template <class V>
SFRAME_GCM_INLINE __m128i Mul128(__m128i a, __m128i b) {
  const __m128i c =
      _mm_set_epi64x(static_cast<int64_t>(0xC200000000000000u), 1);
  __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
  __m128i mi = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01),
                             _mm_clmulepi64_si128(a, b, 0x10));
  __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
  mi = _mm_xor_si128(mi, _mm_shuffle_epi32(lo, 0x4e));
  mi = _mm_xor_si128(mi, _mm_clmulepi64_si128(lo, c, 0x10));
  hi = _mm_xor_si128(hi, _mm_shuffle_epi32(mi, 0x4e));
  return _mm_xor_si128(hi, _mm_clmulepi64_si128(mi, c, 0x10));
}

// GCM's lengths block (AAD bits, message bits), built byte-reflected already
// (rho(L)).
template <class V>
SFRAME_GCM_INLINE __m128i LengthsBlock(size_t aad_len, size_t len) {
  return _mm_set_epi64x(static_cast<int64_t>(aad_len * 8),
                        static_cast<int64_t>(len * 8));
}

// One AES-128 key-schedule step: prefix-XOR of the previous round key's
// words, XORed with RotWord(SubWord(w3)) ^ rcon broadcast.
template <class V, int kRcon>
SFRAME_GCM_INLINE __m128i Expand128(__m128i k) {
  __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k, kRcon), 0xff);
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  return _mm_xor_si128(k, t);
}

// AES-256 steps: `prev2` is rk[i-2], `prev1` is rk[i-1]. Even i use
// RotWord+SubWord+rcon of w3 (pshufd 0xff); odd i use SubWord only (0xaa).
template <class V, int kRcon, int kSel>
SFRAME_GCM_INLINE __m128i Expand256(__m128i prev2, __m128i prev1) {
  __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(prev1, kRcon), kSel);
  __m128i k = prev2;
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  return _mm_xor_si128(k, t);
}

template <class V, int kRounds>
SFRAME_GCM_INLINE __m128i AesBlock(const KeyLayout& k, __m128i x) {
  x = _mm_xor_si128(
      x, _mm_load_si128(reinterpret_cast<const __m128i*>(k.round_keys[0])));
#pragma GCC unroll 16
  for (int r = 1; r < kRounds; ++r) {
    x = _mm_aesenc_si128(
        x, _mm_load_si128(reinterpret_cast<const __m128i*>(k.round_keys[r])));
  }
  return _mm_aesenclast_si128(
      x,
      _mm_load_si128(reinterpret_cast<const __m128i*>(k.round_keys[kRounds])));
}

// Key setup: AES encryption schedule, H = E_K(0), P_1..P_32. Branches only on
// the (public) key length.
template <class V>
SFRAME_GCM_FUNC void InitKey(GcmKernelKey* key, const uint8_t* aes_key,
                             size_t aes_key_len) {
  KeyLayout& k = Layout(key);
  memset(key->bytes, 0, sizeof(key->bytes));
  __m128i* rk = reinterpret_cast<__m128i*>(k.round_keys);
  __m128i k0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(aes_key));
  rk[0] = k0;
  k.bulk_karatsuba = GcmBulkKaratsuba() ? 1 : 0;
  if (aes_key_len == 16) {
    k.rounds = 10;
    rk[1] = Expand128<V, 0x01>(rk[0]);
    rk[2] = Expand128<V, 0x02>(rk[1]);
    rk[3] = Expand128<V, 0x04>(rk[2]);
    rk[4] = Expand128<V, 0x08>(rk[3]);
    rk[5] = Expand128<V, 0x10>(rk[4]);
    rk[6] = Expand128<V, 0x20>(rk[5]);
    rk[7] = Expand128<V, 0x40>(rk[6]);
    rk[8] = Expand128<V, 0x80>(rk[7]);
    rk[9] = Expand128<V, 0x1b>(rk[8]);
    rk[10] = Expand128<V, 0x36>(rk[9]);
  } else {
    k.rounds = 14;
    rk[1] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(aes_key + 16));
    rk[2] = Expand256<V, 0x01, 0xff>(rk[0], rk[1]);
    rk[3] = Expand256<V, 0x00, 0xaa>(rk[1], rk[2]);
    rk[4] = Expand256<V, 0x02, 0xff>(rk[2], rk[3]);
    rk[5] = Expand256<V, 0x00, 0xaa>(rk[3], rk[4]);
    rk[6] = Expand256<V, 0x04, 0xff>(rk[4], rk[5]);
    rk[7] = Expand256<V, 0x00, 0xaa>(rk[5], rk[6]);
    rk[8] = Expand256<V, 0x08, 0xff>(rk[6], rk[7]);
    rk[9] = Expand256<V, 0x00, 0xaa>(rk[7], rk[8]);
    rk[10] = Expand256<V, 0x10, 0xff>(rk[8], rk[9]);
    rk[11] = Expand256<V, 0x00, 0xaa>(rk[9], rk[10]);
    rk[12] = Expand256<V, 0x20, 0xff>(rk[10], rk[11]);
    rk[13] = Expand256<V, 0x00, 0xaa>(rk[11], rk[12]);
    rk[14] = Expand256<V, 0x40, 0xff>(rk[12], rk[13]);
  }
  const __m128i h =
      Bswap128<V>(k.rounds == 10 ? AesBlock<V, 10>(k, _mm_setzero_si128())
                                 : AesBlock<V, 14>(k, _mm_setzero_si128()));
  // P_1 = rho(H) * x mod Q, on two 64-bit halves; the conditional reduction
  // is a mask, not a branch (H is secret).
  const uint64_t lo = static_cast<uint64_t>(_mm_cvtsi128_si64(h));
  const uint64_t hi = static_cast<uint64_t>(_mm_extract_epi64(h, 1));
  const uint64_t carry = 0 - (hi >> 63);
  const uint64_t p_hi =
      ((hi << 1) | (lo >> 63)) ^ (carry & 0xC200000000000000u);
  const uint64_t p_lo = (lo << 1) ^ (carry & 1);
  const __m128i p1 =
      _mm_set_epi64x(static_cast<int64_t>(p_hi), static_cast<int64_t>(p_lo));
  __m128i* pw = reinterpret_cast<__m128i*>(k.powers);
  __m128i p = p1;
  pw[kPowers - 1] = p1;
  for (int i = 2; i <= kPowers; ++i) {
    p = Mul128<V>(p, p1);
    pw[kPowers - i] = p;
  }
  // The zero pad after P_1 was set by the memset above.
  __m128i* fo = reinterpret_cast<__m128i*>(k.folds);
  for (int i = 0; i < kFolds; ++i) {
    const __m128i q = pw[i];
    fo[i] = _mm_xor_si128(_mm_unpacklo_epi64(q, q), _mm_unpackhi_epi64(q, q));
  }
}

// ---------------------------------------------------------------------------
// Aggregated GHASH over one chunk of g <= kPowers blocks (one reduction).

template <class V>
struct Ghash {
  using T = typename V::T;
  T lo, mi, hi, carry;
  const uint8_t* pw;

  // Starts a chunk of `g` blocks continuing from accumulator `acc`.
  SFRAME_GCM_INLINE void Start(__m128i acc, const uint8_t* powers_end,
                               size_t g) {
    lo = mi = hi = V::Zero();
    carry = V::FromLane0(acc);
    pw = powers_end - 16 * g;
  }
  // Absorbs one vector of already byte-reflected blocks, of which the first
  // `nblocks` are real and the rest are zero. Schoolbook (4 multiplies): on
  // this short, latency-bound path it measured 5-10% faster per frame than
  // Karatsuba, whose extra shuffle and XOR sit on the dependency chain.
  SFRAME_GCM_INLINE void Absorb(T d, size_t nblocks) {
    d = V::Xor(d, carry);
    carry = V::Zero();
    const T w = V::Loadu(pw);
    pw += 16 * nblocks;
    lo = V::Xor(lo, V::template Clmul<0x00>(d, w));
    mi = V::Xor3(mi, V::template Clmul<0x01>(d, w),
                 V::template Clmul<0x10>(d, w));
    hi = V::Xor(hi, V::template Clmul<0x11>(d, w));
  }
  // Lane-wise reduction of the unreduced sums, then the horizontal XOR
  // (measured faster here than three horizontal XORs and an xmm reduction).
  SFRAME_GCM_INLINE __m128i Finish() const {
    const T c =
        V::Bcast(_mm_set_epi64x(static_cast<int64_t>(0xC200000000000000u), 1));
    T m = V::Xor3(mi, V::Swap64(lo), V::template Clmul<0x10>(lo, c));
    T h = V::Xor3(hi, V::Swap64(m), V::template Clmul<0x10>(m, c));
    return V::HXor(h);
  }
};

// Vector `s / kBytes` of the AAD stream aad1 || aad2 (bytes [s, s+kBytes)),
// zero-padded. Two windowed loads and an OR; nothing is copied, and no byte
// outside the two spans is read.
template <class V>
SFRAME_GCM_INLINE typename V::T AadVector(const uint8_t* a1, size_t h,
                                          const uint8_t* a2, size_t total,
                                          size_t s) {
  constexpr size_t kVb = V::kBytes;
  const size_t end = total - s < kVb ? total - s : kVb;
  typename V::T v = V::Zero();
  if (s < h) v = V::LoadWindow(a1 + s, 0, h - s < kVb ? h - s : kVb);
  if (total > h && s + kVb > h) {
    const size_t lo = h > s ? h - s : 0;
    // Address of stream byte s within aad2's coordinates; may point before
    // aad2, but only bytes at or after aad2 are touched.
    const uint8_t* base = reinterpret_cast<const uint8_t*>(
        reinterpret_cast<uintptr_t>(a2) + s - h);
    v = V::Or(v, V::LoadWindow(base, lo, end));
  }
  return v;
}

template <class V>
SFRAME_GCM_INLINE void AbsorbAad(Ghash<V>& gh, const uint8_t* a1, size_t h,
                                 const uint8_t* a2, size_t total, size_t from,
                                 size_t to) {
  for (size_t s = from; s < to; s += V::kBytes) {
    const size_t left_blocks = (to - s + 15) / 16;
    gh.Absorb(V::Bswap(AadVector<V>(a1, h, a2, total, s)),
              left_blocks < V::kBlocks ? left_blocks : V::kBlocks);
  }
}

// Hashes the whole AAD on its own, in chunks of 16 blocks.
template <class V>
SFRAME_GCM_INLINE __m128i HashAad(__m128i acc, const uint8_t* powers_end,
                                  const uint8_t* a1, size_t h,
                                  const uint8_t* a2, size_t total) {
  Ghash<V> gh;
  for (size_t s = 0; s < total; s += 256) {
    const size_t to = total - s < 256 ? total : s + 256;
    gh.Start(acc, powers_end, (to - s + 15) / 16);
    AbsorbAad<V>(gh, a1, h, a2, total, s, to);
    acc = gh.Finish();
  }
  return acc;
}

// Absorbs kNv ciphertext vectors (the last has `last_blocks` real blocks,
// zero beyond) followed by the lengths block, which shares the last vector
// when a lane is free.
template <class V, int kNv>
SFRAME_GCM_INLINE void HashLast(Ghash<V>& gh, const typename V::T* c,
                                int last_blocks, __m128i lblock) {
#pragma GCC unroll 16
  for (int v = 0; v + 1 < kNv; ++v) gh.Absorb(V::Bswap(c[v]), V::kBlocks);
  const typename V::T lastv = V::Bswap(c[kNv - 1]);
  if (last_blocks < V::kBlocks) {
    gh.Absorb(V::BlendLane(lastv, V::Bcast(lblock), last_blocks),
              last_blocks + 1);
  } else {
    gh.Absorb(lastv, V::kBlocks);
    gh.Absorb(V::FromLane0(lblock), 1);
  }
}

// ---------------------------------------------------------------------------
// The last 0..4 vectors of a message (the whole message when it is short):
// CTR over `n` bytes, (kNv - 1) * kBytes < n <= kNv * kBytes, GHASH of the
// ciphertext plus the lengths block `lblock` into `gh`, and E_K(J0). `ctr` is
// the byte-reflected counter vector of the first block (lane j = block j).
// E_K(J0) rides in the first unused lane of the last vector when there is
// one, else in a separate xmm chain. The output vectors go to `out` (the last
// one is not stored here: the caller may have to verify first).
//
// It is written as three phases (Begin, Round, End): the setup, one AES
// round, and the hashing and output.
template <class V, int kRounds, int kNv, bool kOpen>
struct TailFrame {
  using T = typename V::T;
  static_assert(kNv >= 1 && kNv <= 8, "1..8 vectors");
  T s[kNv];
  T d[kNv];
  size_t last_bytes;
  int last_blocks;
  bool spare;
  __m128i ej0;

  // Counter blocks (E_K(J0) in a spare lane), round 0, input loads; when
  // decrypting, the GHASH of the ciphertext and L.
  SFRAME_GCM_INLINE void Begin(const KeyLayout& k, typename V::T rk0,
                               typename V::T ctr, __m128i j0, const uint8_t* in,
                               size_t n, Ghash<V>& gh, __m128i lblock) {
    constexpr int kW = V::kBlocks;
    constexpr size_t kVb = V::kBytes;
    last_bytes = n - (kNv - 1) * kVb;
    last_blocks = static_cast<int>((last_bytes + 15) / 16);
    spare = last_blocks < kW;
    const T inc = V::Bcast(_mm_set_epi32(0, 0, 0, kW));
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) {
      s[v] = ctr;
      ctr = V::Add32(ctr, inc);
    }
    if (spare) {
      s[kNv - 1] =
          V::BlendLane(s[kNv - 1], V::Bcast(Bswap128<V>(j0)), last_blocks);
    }
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) s[v] = V::Xor(V::Bswap(s[v]), rk0);
#pragma GCC unroll 16
    for (int v = 0; v + 1 < kNv; ++v) d[v] = V::Loadu(in + v * kVb);
    d[kNv - 1] = V::LoadWindow(in + (kNv - 1) * kVb, 0, last_bytes);
    if constexpr (kOpen) HashLast<V, kNv>(gh, d, last_blocks, lblock);
    ej0 = _mm_setzero_si128();
    if (!spare) ej0 = AesBlock<V, kRounds>(k, j0);
  }

  SFRAME_GCM_INLINE void Round(typename V::T rk) {
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) s[v] = V::AesEnc(s[v], rk);
  }

  // Last round, keystream XOR into `out`, E_K(J0) from its lane; when
  // encrypting, the GHASH of the ciphertext and L.
  SFRAME_GCM_INLINE void End(typename V::T rk_last, typename V::T* out,
                             Ghash<V>& gh, __m128i lblock) {
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) {
      s[v] = V::AesEncLast(s[v], rk_last);
      out[v] = V::Xor(s[v], d[v]);
    }
    if (spare) ej0 = V::ExtractLane(s[kNv - 1], last_blocks);
    if constexpr (!kOpen) {
      out[kNv - 1] = V::KeepPrefix(out[kNv - 1], last_bytes);
      HashLast<V, kNv>(gh, out, last_blocks, lblock);
    }
  }
};

template <class V, int kRounds, int kNv, bool kOpen>
SFRAME_GCM_INLINE __m128i CryptLast(const KeyLayout& k, const typename V::T* rk,
                                    typename V::T ctr, __m128i j0,
                                    const uint8_t* in, size_t n,
                                    typename V::T* out, Ghash<V>& gh,
                                    __m128i lblock) {
  if constexpr (kNv == 0) {
    (void)rk;
    (void)ctr;
    (void)in;
    (void)n;
    (void)out;
    gh.Absorb(V::FromLane0(lblock), 1);
    return AesBlock<V, kRounds>(k, j0);
  } else {
    TailFrame<V, kRounds, kNv, kOpen> t;
    t.Begin(k, rk[0], ctr, j0, in, n, gh, lblock);
#pragma GCC unroll 16
    for (int r = 1; r < kRounds; ++r) t.Round(rk[r]);
    t.End(rk[kRounds], out, gh, lblock);
    return t.ej0;
  }
}

// GHASH of kNh full vectors (kNh * kBlocks blocks) read back from memory,
// with one reduction, split into kNh + 3 steps so the bulk loop can spread it
// between AES rounds. Re-loading the ciphertext (it was just stored, or is
// about to be decrypted) instead of keeping it in registers leaves the
// register file to the round keys and the AES states.
//
// kKaratsuba: 3 carry-less multiplies per vector instead of 4; the middle
// product uses (d_hi ^ d_lo) * (p_hi ^ p_lo) with the key halves' XOR
// precomputed in KeyLayout::folds, and is corrected by LO ^ HI once per batch.
template <class V, int kNh, bool kKaratsuba>
struct BulkHash {
  using T = typename V::T;
  static constexpr int kSteps = kNh == 0 ? 0 : kNh + 3;
  T lo, mi, hi;
  T pl, ph, pm;        // an even step's products, added by the next step
  const uint8_t* src;  // kNh vectors of ciphertext
  const uint8_t* pw;   // P_(kNh*kBlocks) ... P_1
  const uint8_t* pf;   // the matching folds

  // sum ^= x, two steps at a time: an even step parks x in `park` (or
  // adds it alone when it is the last), the odd step adds park ^ x.
  SFRAME_GCM_INLINE static void Pair(int i, T& park, T& sum, T x) {
    if (i % 2 == 0) {
      if (i + 1 < kNh) {
        park = x;
      } else {
        sum = i == 0 ? x : V::Xor(sum, x);
      }
    } else {
      sum = i == 1 ? V::Xor(park, x) : V::Xor3(sum, park, x);
    }
  }

  SFRAME_GCM_INLINE void Step(int i, __m128i& acc) {
    if (i < kNh) {
      T d = V::Bswap(V::Loadu(src + i * V::kBytes));
      if (i == 0) d = V::Xor(d, V::FromLane0(acc));
      const T w = V::Loadu(pw + i * V::kBytes);
      const T l = V::template Clmul<0x00>(d, w);
      const T h = V::template Clmul<0x11>(d, w);
      // The running sums take the products of two steps at a time (one
      // three-way XOR instead of two XORs): an even step leaves its
      // products in pl / ph (/ pm), the next step adds both.
      if constexpr (kKaratsuba) {
        const T m = V::template Clmul<0x00>(V::Xor(d, V::Swap64(d)),
                                            V::Loadu(pf + i * V::kBytes));
        Pair(i, pm, mi, m);
      } else {
        const T m01 = V::template Clmul<0x01>(d, w);
        const T m10 = V::template Clmul<0x10>(d, w);
        mi = i == 0 ? V::Xor(m01, m10) : V::Xor3(mi, m01, m10);
      }
      Pair(i, pl, lo, l);
      Pair(i, ph, hi, h);
      // Pins the running sums here: without it GCC 12 hoists all 24
      // products of a batch, re-associates the XORs into a tree and spills
      // ~20 zmm per iteration (measured 0.150 -> 0.137 c/B at 64 KiB).
#if !defined(SFRAME_CT_MSAN)  // MSan treats asm operands as uses
      if constexpr (!kPinnable<V>) {
      } else if (i % 2 == 0 && i + 1 < kNh) {  // parked products pinned too
        if constexpr (kKaratsuba) {
          if (i == 0) {
            __asm__("" : "+v"(pl), "+v"(ph), "+v"(pm));
          } else {
            __asm__(""
                    : "+v"(lo), "+v"(mi), "+v"(hi), "+v"(pl), "+v"(ph),
                      "+v"(pm));
          }
        } else if (i == 0) {
          __asm__("" : "+v"(mi), "+v"(pl), "+v"(ph));
        } else {
          __asm__("" : "+v"(lo), "+v"(mi), "+v"(hi), "+v"(pl), "+v"(ph));
        }
      } else {
        __asm__("" : "+v"(lo), "+v"(mi), "+v"(hi));
      }
#endif
      return;
    }
    const T c =
        V::Bcast(_mm_set_epi64x(static_cast<int64_t>(0xC200000000000000u), 1));
    if (i == kNh) {
      if constexpr (kKaratsuba) mi = V::Xor3(mi, lo, hi);
      mi = V::Xor3(mi, V::Swap64(lo), V::template Clmul<0x10>(lo, c));
    } else if (i == kNh + 1) {
      hi = V::Xor3(hi, V::Swap64(mi), V::template Clmul<0x10>(mi, c));
    } else {
      acc = V::HXor(hi);
    }
  }
};

// One bulk batch: CTR over kNv full vectors from `src` to `dst`, with the
// GHASH of kNh vectors at `hsrc` (the previous batch's ciphertext when
// encrypting, this batch's when decrypting) interleaved with the AES rounds,
// starting after round kFirst. All loads of `hsrc` come before the stores to
// `dst` in program order, so in == out is fine.
//
// `fast_ctr`: the first block's counter is 2 mod kBulkVectors * kBlocks (the
// batch starts at a multiple of a full batch) and no counter of the batch
// carries out of its low byte. The counter blocks XORed with round key 0 are
// then made from the first vector's, E0 = swap(ctr) ^ rk0: vector v's low
// counter bytes differ from E0's only in the bits set in the constant
// (2 + kBlocks v + j) ^ (2 + j) (lane j; no carries cross the alignment), so
// it is E0 ^ constant, one XOR instead of a shuffle, an add and an XOR. The
// last vector of a full batch, whose counters reach the next alignment, adds
// to the swapped counter instead. The counter is public (the block index).
template <class V, int kRounds, int kNv, int kNh, bool kKaratsuba, int kFirst>
SFRAME_GCM_INLINE void BulkBatch(const typename V::T* rk, typename V::T& ctr,
                                 bool fast_ctr, const uint8_t* src,
                                 uint8_t* dst, const uint8_t* hsrc,
                                 const KeyLayout& k, __m128i& acc) {
  using T = typename V::T;
  constexpr int kW = V::kBlocks;
  constexpr size_t kVb = V::kBytes;
  BulkHash<V, kNh, kKaratsuba> bh;
  bh.src = hsrc;
  // Offsets over the whole table (not within one 16-byte row).
  bh.pw = &k.powers[0][0] + 16 * (kPowers - kNh * kW);
  bh.pf = bh.pw + kFoldOffset;
  constexpr int kS = BulkHash<V, kNh, kKaratsuba>::kSteps;
  constexpr int kSlots = kRounds - kFirst;  // rounds kFirst..kRounds-1
  T s[kNv];
  if (fast_ctr) {
    constexpr int kAlign = V::kBulkVectors * kW;
    const T be = V::Bswap(ctr);
    const T e0 = V::Xor(be, rk[0]);
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) {
      if (v == 0) {
        s[v] = e0;
      } else if (2 + kW * v + kW - 1 < kAlign) {
        s[v] = V::Xor(e0, V::Bswap(V::Xor(V::CounterOffsets(2 + kW * v),
                                          V::CounterOffsets(2))));
      } else {
        s[v] = V::Xor(
            V::Add32(be, V::Bcast(_mm_set_epi32((kW * v) << 24, 0, 0, 0))),
            rk[0]);
      }
    }
    ctr = V::Add32(ctr, V::Bcast(_mm_set_epi32(0, 0, 0, kNv * kW)));
  } else {
    const T inc = V::Bcast(_mm_set_epi32(0, 0, 0, kW));
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) {
      s[v] = V::Xor(V::Bswap(ctr), rk[0]);
      ctr = V::Add32(ctr, inc);
    }
  }
#pragma GCC unroll 16
  for (int r = 1; r < kRounds; ++r) {
    if (r >= kFirst) {
      const int slot = r - kFirst;
#pragma GCC unroll 16
      for (int st = slot * kS / kSlots; st < (slot + 1) * kS / kSlots; ++st) {
        bh.Step(st, acc);
      }
    }
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) s[v] = V::AesEnc(s[v], rk[r]);
  }
#pragma GCC unroll 16
  for (int v = 0; v < kNv; ++v) {
    V::Storeu(
        dst + v * kVb,
        V::AesEncLast(s[v], V::Xor(rk[kRounds], V::Loadu(src + v * kVb))));
  }
}

// Stores the ceil(n / kBytes) <= kMax output vectors (the last one
// partial). Fully unrolled with a fixed bound: written as a plain loop over
// `v`, GCC 12 turns it into a call to memcpy from a stack copy of them.
template <class V, int kMax = 4>
SFRAME_GCM_INLINE void StoreVectors(uint8_t* out, const typename V::T* v,
                                    size_t n) {
#pragma GCC unroll 8
  for (int i = 0; i < kMax; ++i) {
    const size_t off = i * V::kBytes;
    if (n <= off) break;
    if (n - off > V::kBytes) {
      V::Storeu(out + off, v[i]);
    } else {
      V::StorePrefix(out + off, v[i], n - off);
      break;
    }
  }
}

// Constant-time test of a tag difference; the resulting accept/reject bit is
// public (constant_time.h) and is returned as 0/1.
template <class V>
SFRAME_GCM_INLINE int TagDiffIsZero(__m128i diff) {
#if defined(SFRAME_CT_MSAN)
  // The same test without PTEST, which clang 14's MemorySanitizer does not
  // model: OR the two halves, then a branch-free zero test.
  const uint64_t any = static_cast<uint64_t>(_mm_cvtsi128_si64(diff)) |
                       static_cast<uint64_t>(_mm_extract_epi64(diff, 1));
  int ok = static_cast<int>(((any | (0 - any)) >> 63) ^ 1);
#else
  int ok = _mm_testz_si128(diff, diff);
#endif
  Declassify(&ok, sizeof(ok));
  return ok;
}

// The end of a frame: tag = E_K(J0) ^ S; seal stores the last output
// vectors and the tag; open compares in constant time, then stores the last
// vectors (zeros on failure) and zeroes the `done` bytes already written.
template <class V, bool kOpen>
SFRAME_GCM_INLINE bool FinishFrame(__m128i ej0, __m128i s, typename V::T* outv,
                                   uint8_t* out, size_t done, size_t rem,
                                   uint8_t* tag_io) {
  using T = typename V::T;
  const __m128i tag = _mm_xor_si128(ej0, Bswap128<V>(s));
  if constexpr (!kOpen) {
    StoreVectors<V, V::kShortVectors>(out + done, outv, rem);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(tag_io), tag);
    return true;
  } else {
    // Constant-time compare: all-zero difference iff the tags match. Only
    // the resulting accept/reject bit is branched on.
    const int ok = TagDiffIsZero<V>(_mm_xor_si128(
        tag, _mm_loadu_si128(reinterpret_cast<const __m128i*>(tag_io))));
    const T keep = V::Bcast(_mm_set1_epi64x(-static_cast<int64_t>(ok)));
#pragma GCC unroll 16
    for (int v = 0; v < V::kShortVectors; ++v) outv[v] = V::And(outv[v], keep);
    // On failure the tail is written as zeros: unverified plaintext of a
    // short message never reaches `out`.
    StoreVectors<V, V::kShortVectors>(out + done, outv, rem);
    if (!ok && done != 0) memset(out, 0, done);
    return ok != 0;
  }
}

// J0 = nonce || 00000001, built in registers (a byte-wise stack copy
// followed by a 16-byte load would stall store-to-load forwarding).
template <class V>
SFRAME_GCM_INLINE __m128i LoadJ0(const uint8_t* nonce) {
  const NonceWords w = LoadNonceWords(nonce);
  return _mm_set_epi64x(static_cast<int64_t>(w.hi | (uint64_t{1} << 56)),
                        static_cast<int64_t>(w.lo));
}

// The bulk of a long message: 8-vector batches, then at most one 4-vector
// batch, leaving 0..4 vectors to the final chunk. `done` advances over what
// was processed; when encrypting, `pending` / `pending_nv` return the last
// batch's ciphertext, whose GHASH is left for the final chunk. kK: the
// GHASH flavour (KeyLayout::bulk_karatsuba).
template <class V, int kRounds, bool kOpen, bool kK>
SFRAME_GCM_INLINE void BulkLoop(const typename V::T* rk, typename V::T& ctr,
                                const uint8_t* in, size_t len, uint8_t* out,
                                const KeyLayout& k, __m128i& acc, size_t& done,
                                const uint8_t*& pending, int& pending_nv) {
  constexpr int kW = V::kBlocks;
  constexpr size_t kVb = V::kBytes;
  // AES-256 starts its GHASH steps later (more rounds to spread them over).
  constexpr int kFirst = kRounds == 14 ? 4 : 1;
  constexpr int kBig = V::kBulkVectors;
  // Block i's counter is 2 + i (J0 ends in 1), and every batch starts at a
  // multiple of kBig * kW blocks: see BulkBatch's fast_ctr.
  const auto fast_ctr = [&done](int blocks) {
    return ((done / 16 + 2) & 0xff) + static_cast<size_t>(blocks) <= 256;
  };
  if constexpr (!kOpen) {
    while (len - done >= kBig * kVb) {
      if (pending == nullptr) {
        BulkBatch<V, kRounds, kBig, 0, kK, kFirst>(rk, ctr, fast_ctr(kBig * kW),
                                                   in + done, out + done,
                                                   nullptr, k, acc);
      } else {
        BulkBatch<V, kRounds, kBig, kBig, kK, kFirst>(
            rk, ctr, fast_ctr(kBig * kW), in + done, out + done, pending, k,
            acc);
      }
      pending = out + done;
      pending_nv = kBig;
      done += kBig * kVb;
    }
    if (len - done >= 4 * kVb) {
      if (pending == nullptr) {
        BulkBatch<V, kRounds, 4, 0, kK, kFirst>(
            rk, ctr, fast_ctr(4 * kW), in + done, out + done, nullptr, k, acc);
      } else {
        BulkBatch<V, kRounds, 4, kBig, kK, kFirst>(
            rk, ctr, fast_ctr(4 * kW), in + done, out + done, pending, k, acc);
      }
      pending = out + done;
      pending_nv = 4;
      done += 4 * kVb;
    }
  } else {
    while (len - done >= kBig * kVb) {
      BulkBatch<V, kRounds, kBig, kBig, kK, kFirst>(
          rk, ctr, fast_ctr(kBig * kW), in + done, out + done, in + done, k,
          acc);
      done += kBig * kVb;
    }
    if (len - done >= 4 * kVb) {
      BulkBatch<V, kRounds, 4, 4, kK, kFirst>(
          rk, ctr, fast_ctr(4 * kW), in + done, out + done, in + done, k, acc);
      done += 4 * kVb;
    }
  }
}

// The whole seal (kOpen = false) or open (kOpen = true).
template <class V, int kRounds, bool kOpen>
SFRAME_GCM_FUNC bool Crypt(const GcmKernelKey* key, const uint8_t* nonce,
                           const uint8_t* aad1, size_t aad1_len,
                           const uint8_t* aad2, size_t aad2_len,
                           const uint8_t* in, size_t len, uint8_t* out,
                           uint8_t* tag_io) {
  using T = typename V::T;
  constexpr int kW = V::kBlocks;
  constexpr size_t kVb = V::kBytes;
  // Messages of up to kShort vectors take one pass (TailFrame).
  constexpr int kShort = V::kShortVectors;
  const KeyLayout& k = Layout(key);
  const uint8_t* powers_end = k.powers[kPowers];

  const __m128i j0 = LoadJ0<V>(nonce);

  T rk[kRounds + 1];
#pragma GCC unroll 16
  for (int r = 0; r <= kRounds; ++r) {
    rk[r] = V::Bcast(
        _mm_load_si128(reinterpret_cast<const __m128i*>(k.round_keys[r])));
  }

  const size_t aad_len = aad1_len + aad2_len;
  const size_t n_aad = (aad_len + 15) / 16;
  const __m128i lblock = LengthsBlock<V>(aad_len, len);
  const bool is_short = len <= kShort * kVb;
  const bool aad_joined =
      is_short && n_aad + (len + 15) / 16 + 1 <= static_cast<size_t>(kPowers);
  __m128i acc = _mm_setzero_si128();
  if (!aad_joined && aad_len != 0) {
    acc = HashAad<V>(acc, powers_end, aad1, aad1_len, aad2, aad_len);
  }
  // Byte-reflected counter vector: lane j holds counter 2 + j.
  T ctr = V::Add32(V::Bcast(Bswap128<V>(j0)), V::CounterOffsets(1));

  size_t done = 0;
  // Encrypt: the last bulk batch's ciphertext, whose GHASH is left for the
  // final chunk (saving a reduction), and its vector count.
  const uint8_t* pending = nullptr;
  int pending_nv = 0;
  if (!is_short) {
    if (k.bulk_karatsuba) {
      BulkLoop<V, kRounds, kOpen, true>(rk, ctr, in, len, out, k, acc, done,
                                        pending, pending_nv);
    } else {
      BulkLoop<V, kRounds, kOpen, false>(rk, ctr, in, len, out, k, acc, done,
                                         pending, pending_nv);
    }
  }

  // The final (or only) chunk: [AAD ||] last ciphertext vectors || L.
  const size_t rem = len - done;
  Ghash<V> gh;
  gh.Start(acc, powers_end,
           (aad_joined ? n_aad : 0) + static_cast<size_t>(pending_nv * kW) +
               (rem + 15) / 16 + 1);
  if (aad_joined) AbsorbAad<V>(gh, aad1, aad1_len, aad2, aad_len, 0, aad_len);
  for (int v = 0; v < pending_nv; ++v) {
    gh.Absorb(V::Bswap(V::Loadu(pending + v * kVb)), kW);
  }
  T outv[kShort];
#pragma GCC unroll 8
  for (int v = 0; v < kShort; ++v) outv[v] = V::Zero();
  const int nv = static_cast<int>((rem + kVb - 1) / kVb);
  const uint8_t* src = in + done;
  __m128i ej0 = _mm_setzero_si128();
  // nv is at most 4 after the bulk loop, at most kShort for a short
  // message.
  StaticFor<0, kShort + 1>([&](auto count) SFRAME_GCM_LAMBDA {
    constexpr int c = decltype(count)::value;
    if (nv == c) {
      ej0 = CryptLast<V, kRounds, c, kOpen>(k, rk, ctr, j0, src, rem, outv, gh,
                                            lblock);
    }
  });
  return FinishFrame<V, kOpen>(ej0, gh.Finish(), outv, out, done, rem, tag_io);
}

template <class V>
SFRAME_GCM_FUNC void Seal(const GcmKernelKey* key, const uint8_t* nonce,
                          const uint8_t* aad1, size_t aad1_len,
                          const uint8_t* aad2, size_t aad2_len,
                          const uint8_t* in, size_t len, uint8_t* out,
                          uint8_t* tag) {
  if (Layout(key).rounds == 10) {
    Crypt<V, 10, false>(key, nonce, aad1, aad1_len, aad2, aad2_len, in, len,
                        out, tag);
  } else {
    Crypt<V, 14, false>(key, nonce, aad1, aad1_len, aad2, aad2_len, in, len,
                        out, tag);
  }
}

template <class V>
SFRAME_GCM_FUNC bool Open(const GcmKernelKey* key, const uint8_t* nonce,
                          const uint8_t* aad1, size_t aad1_len,
                          const uint8_t* aad2, size_t aad2_len,
                          const uint8_t* in, size_t len, const uint8_t* tag,
                          uint8_t* out) {
  if (Layout(key).rounds == 10) {
    return Crypt<V, 10, true>(key, nonce, aad1, aad1_len, aad2, aad2_len, in,
                              len, out, const_cast<uint8_t*>(tag));
  }
  return Crypt<V, 14, true>(key, nonce, aad1, aad1_len, aad2, aad2_len, in, len,
                            out, const_cast<uint8_t*>(tag));
}

// AES-CTR with GCM's inc32 counter (the last 4 bytes of the counter block,
// big-endian, wrap mod 2^32): keystream block i is E_K(inc32^i(cb)). SFrame's
// AES-CTR-HMAC suites use cb = nonce || 0^32 (RFC 9605 §4.5.1).
template <class V, int kRounds, int kNv>
SFRAME_GCM_INLINE void CtrTail(const typename V::T* rk, typename V::T ctr,
                               const uint8_t* in, size_t n, uint8_t* out) {
  using T = typename V::T;
  constexpr size_t kVb = V::kBytes;
  const T inc = V::Bcast(_mm_set_epi32(0, 0, 0, V::kBlocks));
  const size_t last_bytes = n - (kNv - 1) * kVb;
  T s[kNv];
#pragma GCC unroll 16
  for (int v = 0; v < kNv; ++v) {
    s[v] = V::Xor(V::Bswap(ctr), rk[0]);
    ctr = V::Add32(ctr, inc);
  }
  const T d = V::LoadWindow(in + (kNv - 1) * kVb, 0, last_bytes);
#pragma GCC unroll 16
  for (int r = 1; r < kRounds; ++r) {
#pragma GCC unroll 16
    for (int v = 0; v < kNv; ++v) s[v] = V::AesEnc(s[v], rk[r]);
  }
#pragma GCC unroll 16
  for (int v = 0; v + 1 < kNv; ++v) {
    V::Storeu(out + v * kVb,
              V::AesEncLast(s[v], V::Xor(rk[kRounds], V::Loadu(in + v * kVb))));
  }
  V::StorePrefix(out + (kNv - 1) * kVb,
                 V::AesEncLast(s[kNv - 1], V::Xor(rk[kRounds], d)), last_bytes);
}

template <class V, int kRounds>
SFRAME_GCM_FUNC void Ctr32Rounds(const KeyLayout& k, const uint8_t* cb,
                                 const uint8_t* in, size_t len, uint8_t* out) {
  using T = typename V::T;
  constexpr size_t kVb = V::kBytes;
  T rk[kRounds + 1];
#pragma GCC unroll 16
  for (int r = 0; r <= kRounds; ++r) {
    rk[r] = V::Bcast(
        _mm_load_si128(reinterpret_cast<const __m128i*>(k.round_keys[r])));
  }
  T ctr = V::Add32(V::Bcast(Bswap128<V>(
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(cb)))),
                   V::CounterOffsets(0));
  __m128i unused = _mm_setzero_si128();
  size_t done = 0;
  // Up to V::kShortVectors vectors are left to one CtrTail, whose vectors
  // run their rounds side by side: a 160-byte frame on AVX2 (5 vectors) is
  // then one chain of rounds, not a 4-vector batch and then a 1-vector tail
  // that waits for its own chain.
  while (len - done > V::kShortVectors * kVb) {
    BulkBatch<V, kRounds, 4, 0, false, 1>(rk, ctr, false, in + done, out + done,
                                          nullptr, k, unused);
    done += 4 * kVb;
  }
  const size_t rem = len - done;
  // The vector count's dispatch, as in the single pass (rem == 0: none).
  const int nv = static_cast<int>((rem + kVb - 1) / kVb);
  StaticFor<1, V::kShortVectors + 1>([&](auto count) SFRAME_GCM_LAMBDA {
    constexpr int c = decltype(count)::value;
    if (nv == c) CtrTail<V, kRounds, c>(rk, ctr, in + done, rem, out + done);
  });
}

template <class V>
SFRAME_GCM_FUNC void Ctr32(const GcmKernelKey* key, const uint8_t* cb,
                           const uint8_t* in, size_t len, uint8_t* out) {
  const KeyLayout& k = Layout(key);
  if (k.rounds == 10) {
    Ctr32Rounds<V, 10>(k, cb, in, len, out);
  } else {
    Ctr32Rounds<V, 14>(k, cb, in, len, out);
  }
}

// ---------------------------------------------------------------------------
// Batch forms: frames in lanes.
//
// A single short frame is cheap in AES work but pays fixed costs that do not
// shrink with its length: a GHASH reduction, a horizontal XOR of the vector
// lanes, and a dependent chain of kRounds AES rounds. A lane group
// (LaneGroupBody, run by LaneRun) takes W = V::kBlocks short frames (4 on
// AVX-512, 2 on AVX2) and gives frame f lane f wherever the work is
// per-block-position rather than per-frame:
//
// * CTR runs in each frame's natural layout (block j of the frame in lane
//   j % W of its vector j / W), with the W frames' rounds interleaved in
//   program order, so the round chains overlap.
// * E_K(J0) of all W frames is ONE extra vector (lane f = J0 of frame f),
//   or, when the frames share one shape whose last vector has a lane past
//   their blocks, no extra vector: J0 rides in that spare lane of each
//   frame, and the tags' lanes are gathered from there.
// * GHASH is transposed: after a W x W lane transpose of the ciphertext
//   vectors, "slot" vector j holds block j of every frame, and is multiplied
//   lane-wise by each frame's own power for that block. All products of all
//   slots (AAD blocks, ciphertext blocks, the lengths block) are independent
//   and are summed unreduced; ONE lane-wise reduction then yields the W
//   GHASH values at once, already in tag order, with no horizontal XOR.
//
// Frames in a group may differ in key, nonce, AAD and length (they must have
// the same key size and vector count). In a run of groups that all share one
// key and one shape, the powers are broadcasts; otherwise each slot's powers
// are gathered lane by lane from the frames' own tables, from a row each
// lane computes once per group (a block a frame does not have is zero, so
// its row only has to be inside the table). Indices depend only on lengths.
// The arithmetic is the single-frame GHASH, re-associated (the sum of
// B_i * H^(g-i) does not depend on the grouping), so results are
// byte-identical to seal/open; the tests check that.

// The vector count (1..V::kLaneVectors) with which item `it` can join a
// lane group, else 0. (The kernel tables publish the same limits as
// GcmKernel::lane_max_len and lane_max_aad.)
template <class V>
inline constexpr size_t kLaneMaxLen = size_t{V::kBytes} * V::kLaneVectors;
template <class V>
inline constexpr size_t kLaneMaxAad = V::kBytes;

template <class V>
SFRAME_GCM_INLINE int LaneVectors(const GcmBatchItem& it) {
  if (it.len == 0 || it.len > kLaneMaxLen<V>) return 0;
  if (it.aad1_len + it.aad2_len > kLaneMaxAad<V>) return 0;
  return static_cast<int>((it.len + V::kBytes - 1) / V::kBytes);
}

// How much the frames of a run's groups have in common (LaneRun's kMode).
enum LaneMode : int {
  kMixedKeys = 0,  // anything
  kSameKey = 1,    // one GcmKernelKey per group (groups may differ)
  kSameShape = 2,  // one key, one length, one AAD split for the whole run
  // kSameShape, and the last vector of each frame has a lane past the
  // frame's blocks: E_K(J0) rides in it (as in TailFrame), so the group
  // needs no extra vector of AES rounds for the tags.
  kSameShapeSpare = 3,
};

// Whether frames shaped like `it` leave a spare lane in their last vector.
template <class V>
SFRAME_GCM_INLINE bool LaneSpare(const GcmBatchItem& it) {
  return (it.len + 15) / 16 % V::kBlocks != 0;
}

// The lengths block's share of a GCM tag: E_K(J0) ^ GHASH is linear in the
// blocks, so frames of one key and shape all add this one value (their
// run computes it once; see LaneRun).
template <class V>
SFRAME_GCM_INLINE __m128i LengthsTerm(const GcmBatchItem& it) {
  return Bswap128<V>(
      Mul128<V>(LengthsBlock<V>(it.aad1_len + it.aad2_len, it.len),
                _mm_load_si128(reinterpret_cast<const __m128i*>(
                    Layout(it.key).powers[kPowers - 1]))));
}

// What the groups of one LaneRun share: the J0s loaded a group ahead and,
// for one-shape runs (kMode >= kSameShape), the key and the shape.
template <class V>
struct LaneRunState {
  // The lengths block's share of every tag (LengthsTerm; one-shape runs).
  __m128i lengths_term;
  // j0[f]: frame f's J0 in every lane. Each group starts from the J0s the
  // previous group (or the run) loaded, and loads the next group's during
  // its last stage. A group's rounds cannot start before its J0 is built,
  // at the end of three dependent loads (the item, its nonce pointer, the
  // nonce); loaded a group ahead, that wait overlaps the previous group's
  // rounds. (The core does not reach that far ahead by itself: the AES
  // rounds and the GHASH work waiting on them fill its scheduler first.)
  typename V::T j0[V::kBlocks];
  // One-shape runs: the run's key and shape, the same for every group (held
  // here rather than read from each group's first item, so that what is
  // derived from them is loop-invariant: power rows, masks, store sizes).
  const KeyLayout* key;
  size_t len, aad1_len, aad2_len;
};

// `items` has V::kBlocks entries; only the first `n` (>= 1) are real and
// written; the rest repeat real items and are computed but never stored.
// Every group runs in a LaneRun and takes its `run` state; `next` is the
// run's next group, or null for its last.
template <class V, int kRounds, int kNv, bool kOpen, int kMode>
SFRAME_GCM_INLINE void LaneGroupBody(const GcmBatchItem* const* items, int n,
                                     uint8_t* const* ok, LaneRunState<V>* run,
                                     const GcmBatchItem* const* next) {
  using T = typename V::T;
  constexpr int kW = V::kBlocks;
  constexpr size_t kVb = V::kBytes;
  constexpr bool kOneKey = kMode != kMixedKeys;
  constexpr bool kOneShape = kMode >= kSameShape;
  constexpr bool kSpare = kMode == kSameShapeSpare;
  static_assert(kW <= 8 && kNv <= 8, "the loops below unroll by 8");
  // Every item field the group reads, copied before its first store: as far
  // as the compiler knows, the (byte) output stores may alias the items, so
  // a field read after one is loaded again, and what is computed from it
  // (store masks, power indices) is computed again, frame by frame.
  const uint8_t* in[kW];
  uint8_t* out[kW];
  uint8_t* tag[kW];
  const uint8_t* aad1[kW];
  const uint8_t* aad2[kW];
  size_t len[kW], aad1_len[kW], aad2_len[kW];
#pragma GCC unroll 8
  for (int f = 0; f < kW; ++f) {
    const GcmBatchItem& it = *items[f];
    in[f] = it.in;
    out[f] = it.out;
    tag[f] = it.tag;
    aad1[f] = it.aad1;
    aad2[f] = it.aad2;
    if constexpr (kOneShape) {
      len[f] = run->len;
      aad1_len[f] = run->aad1_len;
      aad2_len[f] = run->aad2_len;
    } else {
      len[f] = it.len;
      aad1_len[f] = it.aad1_len;
      aad2_len[f] = it.aad2_len;
    }
  }
  // With one shape every per-lane length below is lane 0's, known to the
  // compiler, which folds the per-lane work away.
  const KeyLayout* key[kW];
  size_t last_bytes[kW];
  int a[kW], c[kW];
  int max_a = 0, max_c = 0;
#pragma GCC unroll 8
  for (int f = 0; f < kW; ++f) {
    if constexpr (kOneShape) {
      key[f] = run->key;
    } else {
      key[f] = &Layout(items[kOneKey ? 0 : f]->key);
    }
    last_bytes[f] = len[f] - (kNv - 1) * kVb;
    a[f] = static_cast<int>((aad1_len[f] + aad2_len[f] + 15) / 16);
    c[f] = static_cast<int>((len[f] + 15) / 16);
    if constexpr (!kOneShape) {
      max_a = a[f] > max_a ? a[f] : max_a;
      max_c = c[f] > max_c ? c[f] : max_c;
    }
  }
  if constexpr (kOneShape) {
    max_a = a[0];
    max_c = c[0];
  }
  // kSpare: the lane of the last vector that carries J0 (1..kW-1).
  const int spare_lane =
      kSpare ? static_cast<int>((last_bytes[0] + 15) / 16) : 0;
  auto round_key = [&](int f, int r) SFRAME_GCM_LAMBDA {
    return V::Bcast(_mm_load_si128(
        reinterpret_cast<const __m128i*>(key[kOneKey ? 0 : f]->round_keys[r])));
  };
  auto lanes_round_key = [&](int r) SFRAME_GCM_LAMBDA {
    if constexpr (kOneKey) {
      return round_key(0, r);
    } else {
      const uint8_t* p[kW];
#pragma GCC unroll 8
      for (int f = 0; f < kW; ++f) p[f] = key[f]->round_keys[r];
      return V::LoadLanes(p);
    }
  };

  // GHASH, transposed: slot vectors times per-lane powers, summed unreduced.
  T lo = V::Zero(), mi = V::Zero(), hi = V::Zero();
  // With kW = 4 (AVX-512) units go in pairs (below): the first parks its
  // low and high products here, the second adds both pairs with one
  // three-way XOR each. (AVX2 has no three-way XOR: pairing would save
  // nothing and hold two more of its 16 registers.)
  constexpr bool kPairs = kW >= 4;
  T park_lo = V::Zero(), park_hi = V::Zero();
  // `d` holds byte-reflected blocks. role: 0 adds this unit's products,
  // 1 parks them, 2 adds them together with the parked ones.
  auto absorb = [&](T d, T pw, auto role) SFRAME_GCM_LAMBDA {
    constexpr int kRole = decltype(role)::value;
    const T p_lo = V::template Clmul<0x00>(d, pw);
    const T p_hi = V::template Clmul<0x11>(d, pw);
    mi = V::Xor3(mi, V::template Clmul<0x01>(d, pw),
                 V::template Clmul<0x10>(d, pw));
    if constexpr (kRole == 1) {
      park_lo = p_lo;
      park_hi = p_hi;
    } else if constexpr (kRole == 2) {
      lo = V::Xor3(lo, park_lo, p_lo);
      hi = V::Xor3(hi, park_hi, p_hi);
    } else {
      lo = V::Xor(lo, p_lo);
      hi = V::Xor(hi, p_hi);
    }
  };
  auto unpark = [&]() SFRAME_GCM_LAMBDA {
    lo = V::Xor(lo, park_lo);
    hi = V::Xor(hi, park_hi);
  };
  // Lane f's power for block `pos` of its AAD (segment 0) or ciphertext
  // (segment 1), of its g_f = a_f + c_f + 1 blocks: row seg_row[seg][f] +
  // pos of its key's table. (A lane that has no block `pos` in that segment
  // holds zero data there, so its power is multiplied by zero; its row is
  // past the frame's own but inside the table: at most kW - 2 rows past P_1,
  // and the table has kPowerPad zero rows there.)
  const uint8_t* seg_row[2][kW];
#pragma GCC unroll 8
  for (int f = 0; f < kW; ++f) {
    seg_row[0][f] = key[f]->powers[kPowers - (a[f] + c[f] + 1)];
    seg_row[1][f] = key[f]->powers[kPowers - (c[f] + 1)];
  }
  static_assert(V::kBlocks - 2 <= kPowerPad, "rows past P_1");
  auto powers = [&](int seg, int pos) SFRAME_GCM_LAMBDA {
    // (Frames of one shape and key share one row. A group of one key whose
    // frames happen to share a shape loads it twice rather than branch.)
    if constexpr (kOneShape) {
      return V::Bcast(_mm_load_si128(
          reinterpret_cast<const __m128i*>(seg_row[seg][0] + 16 * pos)));
    }
    const uint8_t* p[kW];
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) p[f] = seg_row[seg][f] + 16 * pos;
    return V::LoadLanes(p);
  };
  // The GHASH work comes in "units", one slot vector (byte-reflected) times
  // its powers each: the AAD slots (units 0..kW-1), the lengths block (unit
  // kW) and the ciphertext slots (unit kW + 1 + j for slot j). The units
  // are absorbed between AES rounds, one or two per round, so that the
  // CLMULs share the pipes with the rounds instead of queueing behind them
  // (Zen 4's scheduler does not reach past a whole group's worth of either).
  T aad_slot[kW];
  bool aad_one_span = true;
#pragma GCC unroll 8
  for (int f = 0; f < kW; ++f) aad_one_span = aad_one_span && aad2_len[f] == 0;
  if (max_a == 1 && aad_one_span) {
    // The common SFrame case, a header of at most 16 bytes and no
    // metadata: slot 0 straight from each frame's block (W - 1 lane
    // inserts), instead of a W x W transpose for one slot of the W.
    __m128i b[kW];
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) {
      b[f] = aad1_len[f] == 0 ? _mm_setzero_si128()
                              : V::LoadBlock(aad1[f], aad1_len[f]);
    }
    aad_slot[0] = V::Bswap(V::FromLanes(b));
#pragma GCC unroll 8
    for (int i = 1; i < kW; ++i) aad_slot[i] = V::Zero();  // (never read)
  } else if (max_a > 0) {
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) {
      // (SFrame's metadata, aad2, is usually empty: one masked load.)
      aad_slot[f] =
          aad2_len[f] == 0
              ? (aad1_len[f] == 0 ? V::Zero()
                                  : V::LoadWindow(aad1[f], 0, aad1_len[f]))
              : AadVector<V>(aad1[f], aad1_len[f], aad2[f],
                             aad1_len[f] + aad2_len[f], 0);
    }
    V::Transpose(aad_slot);
#pragma GCC unroll 8
    for (int i = 0; i < kW; ++i) aad_slot[i] = V::Bswap(aad_slot[i]);
  } else {
#pragma GCC unroll 8
    for (int i = 0; i < kW; ++i) aad_slot[i] = V::Zero();  // (never read)
  }
  T len_slot = V::Zero(), len_pw = V::Zero();
  if constexpr (!kOneShape) {
    __m128i lengths[kW];
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) {
      lengths[f] = LengthsBlock<V>(aad1_len[f] + aad2_len[f], len[f]);
    }
    if constexpr (kOneKey) {
      len_pw = V::Bcast(_mm_load_si128(
          reinterpret_cast<const __m128i*>(key[0]->powers[kPowers - 1])));
    } else {
      const uint8_t* p[kW];
#pragma GCC unroll 8
      for (int f = 0; f < kW; ++f) p[f] = key[f]->powers[kPowers - 1];
      len_pw = V::LoadLanes(p);
    }
    len_slot = V::FromLanes(lengths);
  }
  // Vector v of frame f's input, zero past its end.
  auto input = [&](int f, int v) SFRAME_GCM_LAMBDA {
    const uint8_t* p = in[f] + v * kVb;
    return v + 1 < kNv ? V::Loadu(p) : V::LoadWindow(p, 0, last_bytes[f]);
  };
  // Slots v * kW .. v * kW + kW - 1 of the ciphertext: vector v of the kW
  // frames (natural layout), transposed and byte-reflected.
  T ct[kNv][kW];
  auto make_slots = [&](int v, const T* from) SFRAME_GCM_LAMBDA {
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) ct[v][f] = from[f];
    V::Transpose(ct[v]);
#pragma GCC unroll 8
    for (int i = 0; i < kW; ++i) ct[v][i] = V::Bswap(ct[v][i]);
  };
  // (The unit index is a compile-time constant, so each call is exactly
  // one unit's code: no unrolled chain of conditions for the compiler to
  // fold, which made the sanitizer builds of this file very slow.)
  //
  // Slot k of a list whose slots [0, n) exist: the AAD slots, or the
  // ciphertext slots. With kPairs, an even slot parks its products and the
  // next (odd) one adds both pairs; when only the even one exists, the odd
  // one adds what it parked. (A pair's two units are absorbed one right
  // after the other in every schedule below: kW is even, so a pair never
  // spans two ciphertext vectors.)
  auto absorb_listed = [&](auto index, int n, const T& d,
                           auto&& power) SFRAME_GCM_LAMBDA {
    constexpr int k = decltype(index)::value;
    constexpr int kRole = !kPairs ? 0 : k % 2 == 0 ? 1 : 2;
    if (k < n) {
      absorb(d, power(), std::integral_constant<int, kRole>());
    } else if (kRole == 2 && k - 1 < n) {
      unpark();
    }
  };
  auto absorb_unit = [&](auto unit) SFRAME_GCM_LAMBDA {
    constexpr int u = decltype(unit)::value;
    if constexpr (u < kW) {
      absorb_listed(unit, max_a, aad_slot[u],
                    [&]() SFRAME_GCM_LAMBDA { return powers(0, u); });
    } else if constexpr (u == kW) {
      // (One shape: the lengths come in as lengths_term instead.)
      if constexpr (!kOneShape) {
        absorb(len_slot, len_pw, std::integral_constant<int, 0>());
      }
    } else {
      constexpr int j = u - kW - 1;
      absorb_listed(std::integral_constant<int, j>(), max_c, ct[j / kW][j % kW],
                    [&]() SFRAME_GCM_LAMBDA { return powers(1, j); });
    }
  };
  constexpr int kCtUnit = kW + 1;
  constexpr int kUnits = kCtUnit + kNv * kW;
  // Opening with 16 vector registers (AVX2), the ciphertext slots held
  // across the rounds would spill: they are absorbed as they are made.
  constexpr bool kCtUpFront = kOpen && kW < 4;
  if constexpr (kOpen) {
    // The ciphertext is known up front.
    StaticFor<0, kNv>([&](auto vec) SFRAME_GCM_LAMBDA {
      constexpr int v = decltype(vec)::value;
      T t[kW];
#pragma GCC unroll 8
      for (int f = 0; f < kW; ++f) t[f] = input(f, v);
      make_slots(v, t);
      if constexpr (kCtUpFront) {
        StaticFor<kCtUnit + v * kW, kCtUnit + (v + 1) * kW>(absorb_unit);
      }
    });
  }

  // CTR (natural layout) and E_K(J0) (lanes). A short frame's block
  // counters stay below 256, so they are formed without byte reflection:
  // counter block b is J0 with its last byte (the top byte of dword 3)
  // 2 + b instead of 1, i.e. J0 ^ flip[v] in lane b % kW of vector b / kW,
  // and round 0 makes it one three-way XOR: J0 ^ flip[v] ^ k0.
  T s[kW][kNv];
  T flip[kNv];
#pragma GCC unroll 8
  for (int v = 0; v < kNv; ++v) {
    __m128i lane[kW];
#pragma GCC unroll 8
    for (int l = 0; l < kW; ++l) {
      lane[l] = _mm_set_epi32((1 ^ (2 + v * kW + l)) << 24, 0, 0, 0);
    }
    flip[v] = V::FromLanes(lane);
  }
  // (kSpare: no flip leaves J0 itself in the spare lane.)
  if constexpr (kSpare) {
    flip[kNv - 1] = V::BlendLane(flip[kNv - 1], V::Zero(), spare_lane);
  }
  T j0_lanes = V::Zero();  // lane f: frame f's J0
#pragma GCC unroll 8
  for (int f = 0; f < kW; ++f) {
    // (Two broadcast loads and two blends: no shuffle-port work, which
    // Intel's port 5 shares with the CLMULs and the transposes.)
    const T base = run->j0[f];
    if constexpr (!kSpare) {
      j0_lanes = f == 0 ? base : V::BlendLane(j0_lanes, base, f);
    }
    const T rk0 = round_key(f, 0);
#pragma GCC unroll 8
    for (int v = 0; v < kNv; ++v) s[f][v] = V::Xor3(base, flip[v], rk0);
  }
  T ej0 = V::Zero();
  if constexpr (!kSpare) ej0 = V::Xor(j0_lanes, lanes_round_key(0));

  // The AES rounds run in stages of kStage vectors per frame. Open: one
  // stage, with every unit between its rounds. Seal: the ciphertext's
  // units exist only after their vectors' last round, so with kW = 4 the
  // vectors go one at a time (4 round chains keep the AES pipe busy), and
  // stage k's rounds absorb the slots stage k - 1 produced (stage 0's: the
  // AAD and the lengths); the last stage's slots are absorbed after it.
  // (AVX2's kW = 2 chains per vector would leave the pipe half idle.)
  constexpr int kStage = (kOpen || kW < 4) ? kNv : 1;
  constexpr int kStages = (kNv + kStage - 1) / kStage;
  // Output, natural layout: keystream ^ input (zero past each frame's end).
  T x[kW][kNv];
  StaticFor<0, kStages>([&](auto stage) SFRAME_GCM_LAMBDA {
    constexpr int st = decltype(stage)::value;
    constexpr int v_lo = st * kStage;
    constexpr int v_hi = v_lo + kStage < kNv ? v_lo + kStage : kNv;
    // This stage's units: [u_lo, u_lo + count), spread evenly over rounds
    // 1 .. kRounds - 1: unit u_lo + k goes with round
    // 1 + k * (kRounds - 1) / count.
    constexpr int u_lo = kOpen || st == 0 ? 0 : kCtUnit + (v_lo - kStage) * kW;
    constexpr int count = kOpen     ? (kCtUpFront ? kCtUnit : kUnits)
                          : st == 0 ? kCtUnit
                                    : kStage * kW;
    StaticFor<1, kRounds>([&](auto round) SFRAME_GCM_LAMBDA {
      constexpr int r = decltype(round)::value;
      if constexpr (st == kStages - 1 && r == 1) {
        // (This group's J0 went into s above.)
        if (next != nullptr) {
#pragma GCC unroll 8
          for (int f = 0; f < kW; ++f) run->j0[f] = V::BcastJ0(next[f]->nonce);
        }
      }
#pragma GCC unroll 8
      for (int f = 0; f < kW; ++f) {
        const T rk = round_key(f, r);
#pragma GCC unroll 8
        for (int v = v_lo; v < v_hi; ++v) s[f][v] = V::AesEnc(s[f][v], rk);
      }
      if constexpr (!kSpare && st == 0) {
        ej0 = V::AesEnc(ej0, lanes_round_key(r));
      }
      // The units k with (r - 1) * count <= k * (kRounds - 1) < r * count.
      StaticFor<u_lo + ((r - 1) * count + kRounds - 2) / (kRounds - 1),
                u_lo + (r * count + kRounds - 2) / (kRounds - 1)>(absorb_unit);
    });
    if constexpr (!kSpare && st == 0) {
      ej0 = V::AesEncLast(ej0, lanes_round_key(kRounds));
    }
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) {
      const T rk_last = round_key(f, kRounds);
#pragma GCC unroll 8
      for (int v = v_lo; v < v_hi; ++v) {
        x[f][v] = V::Xor(V::AesEncLast(s[f][v], rk_last), input(f, v));
      }
    }
    if constexpr (v_hi == kNv) {
      if constexpr (kSpare) {
        // The input is zero in the spare lane, so x holds E_K(J0) there.
        T last[kW];
#pragma GCC unroll 8
        for (int f = 0; f < kW; ++f) last[f] = x[f][kNv - 1];
        ej0 = V::GatherLane(last, spare_lane);
      }
      // Sealing: the last vector is cut to the frame, so GHASH sees zeros.
      if constexpr (!kOpen) {
#pragma GCC unroll 8
        for (int f = 0; f < kW; ++f) {
          x[f][kNv - 1] = V::KeepPrefix(x[f][kNv - 1], last_bytes[f]);
        }
      }
    }
    if constexpr (!kOpen) {
#pragma GCC unroll 8
      for (int v = v_lo; v < v_hi; ++v) {
        T t[kW];
#pragma GCC unroll 8
        for (int f = 0; f < kW; ++f) t[f] = x[f][v];
        make_slots(v, t);
      }
    }
  });
  if constexpr (!kOpen) {
    // The last stage's slots.
    StaticFor<kCtUnit + (kStages - 1) * kStage * kW, kUnits>(absorb_unit);
  }

  const T cc =
      V::Bcast(_mm_set_epi64x(static_cast<int64_t>(0xC200000000000000u), 1));
  const T m = V::Xor3(mi, V::Swap64(lo), V::template Clmul<0x10>(lo, cc));
  const T sum = V::Xor3(hi, V::Swap64(m), V::template Clmul<0x10>(m, cc));
  T tags;
  if constexpr (kOneShape) {
    tags = V::Xor3(ej0, V::Bswap(sum), V::Bcast(run->lengths_term));
  } else {
    tags = V::Xor(ej0, V::Bswap(sum));
  }

  if constexpr (!kOpen) {
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) {
      if (f >= n) break;
      StoreVectors<V, kNv>(out[f], x[f], len[f]);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(tag[f]),
                       V::ExtractLane(tags, f));
    }
  } else {
    const T diff = V::Xor(tags, V::LoadLanes(tag));
#if defined(SFRAME_CT_MSAN)
    // (MSan does not model the mask instructions below: compare lane by
    // lane with a declassified accept bit instead.)
    T keep_lanes = V::Zero();
    {
      __m128i ones[kW];
#pragma GCC unroll 8
      for (int f = 0; f < kW; ++f) {
        ones[f] = _mm_set1_epi64x(
            -static_cast<int64_t>(TagDiffIsZero<V>(V::ExtractLane(diff, f))));
      }
      keep_lanes = V::FromLanes(ones);
    }
#else
    // Lane f all ones iff frame f's tag matched; no branch, no scalar
    // round trip on the way to the stores.
    const T keep_lanes = V::ZeroLanesMask(diff);
#endif
#pragma GCC unroll 8
    for (int f = 0; f < kW; ++f) {
      if (f >= n) break;
      const T keep = V::BcastLane(keep_lanes, f);
#pragma GCC unroll 8
      for (int v = 0; v < kNv; ++v) x[f][v] = V::And(x[f][v], keep);
      // Nothing of this frame was written before its tag was checked.
      StoreVectors<V, kNv>(out[f], x[f], len[f]);
      // The accept bit is public (constant_time.h).
      int good = _mm_cvtsi128_si32(V::ExtractLane(keep_lanes, f)) & 1;
      Declassify(&good, sizeof(good));
      *ok[f] = static_cast<uint8_t>(good);
    }
  }
}

// Groups of one class (key size, vector count) and mode in one loop: group
// g is items[g * kW .. g * kW + kW), and all its items are real except in
// the last group, which has `last_n`. `ok` is null when sealing. In a
// one-shape run (kMode >= kSameShape) every group has the first one's key
// and shape; otherwise each group has its own, and kSameKey only says that
// each group's frames share one key. (A run's groups need no call and no
// dispatch each, and each loads the next one's J0s while its own rounds
// run: a lone group of 112-byte frames cost the Zen 3 host about 1.4 times
// as much per frame as one of a long run. A lone group comes here too, so
// each class and mode is compiled once.)
template <class V, int kRounds, int kNv, bool kOpen, int kMode>
SFRAME_GCM_FUNC void LaneRun(const GcmBatchItem* const* items,
                             uint8_t* const* ok, size_t groups, int last_n) {
  constexpr int kW = V::kBlocks;
  LaneRunState<V> run;
  if constexpr (kMode >= kSameShape) {
    run.lengths_term = LengthsTerm<V>(*items[0]);
    run.key = &Layout(items[0]->key);
    run.len = items[0]->len;
    run.aad1_len = items[0]->aad1_len;
    run.aad2_len = items[0]->aad2_len;
  }
#pragma GCC unroll 4
  for (int f = 0; f < kW; ++f) run.j0[f] = V::BcastJ0(items[f]->nonce);
  for (size_t g = 0; g < groups; ++g) {
    LaneGroupBody<V, kRounds, kNv, kOpen, kMode>(
        items + g * kW, g + 1 < groups ? kW : last_n,
        kOpen ? ok + g * kW : nullptr, &run,
        g + 1 < groups ? items + (g + 1) * kW : nullptr);
  }
}

template <class V, bool kOpen>
SFRAME_GCM_INLINE void CryptOne(const GcmBatchItem& it, uint8_t* ok) {
  if constexpr (kOpen) {
    *ok = Open<V>(it.key, it.nonce, it.aad1, it.aad1_len, it.aad2, it.aad2_len,
                  it.in, it.len, it.tag, it.out)
              ? 1
              : 0;
  } else {
    (void)ok;
    Seal<V>(it.key, it.nonce, it.aad1, it.aad1_len, it.aad2, it.aad2_len, it.in,
            it.len, it.out, it.tag);
  }
}

// The lane class of item `it`: key size (0 or 1) * V::kLaneVectors +
// vector count - 1, or -1 when it goes through a single call.
template <class V>
inline constexpr int kLaneClasses = 2 * V::kLaneVectors;
template <class V>
SFRAME_GCM_INLINE int LaneClass(const GcmBatchItem& it) {
  const int nv = LaneVectors<V>(it);
  if (nv == 0) return -1;
  return (Layout(it.key).rounds == 10 ? 0 : V::kLaneVectors) + nv - 1;
}

// The LaneRun of each class and mode:
// kLaneRuns<V, kOpen>[cls * kLaneModes + mode].
using LaneRunFn = void (*)(const GcmBatchItem* const*, uint8_t* const*, size_t,
                           int);
inline constexpr int kLaneModes = 4;
template <class V, bool kOpen, int kEntry>
inline constexpr LaneRunFn kLaneRunOf =
    &LaneRun<V, kEntry / kLaneModes / V::kLaneVectors == 0 ? 10 : 14,
             kEntry / kLaneModes % V::kLaneVectors + 1, kOpen,
             kEntry % kLaneModes>;
template <class V, bool kOpen, size_t... kEntries>
constexpr std::array<LaneRunFn, sizeof...(kEntries)> MakeLaneRuns(
    std::index_sequence<kEntries...>) {
  return {{kLaneRunOf<V, kOpen, static_cast<int>(kEntries)>...}};
}
template <class V, bool kOpen>
inline constexpr std::array<LaneRunFn, kLaneClasses<V> * kLaneModes> kLaneRuns =
    MakeLaneRuns<V, kOpen>(
        std::make_index_sequence<kLaneClasses<V> * kLaneModes>());

// The mode of a run of `count` items whose groups each have one key: one
// shape (with or without a spare lane) when every item has the first one's
// key and lengths, else kSameKey.
template <class V>
SFRAME_GCM_INLINE LaneMode OneKeyRunMode(const GcmBatchItem* const* items,
                                         int count) {
  const GcmBatchItem& first = *items[0];
  bool one_shape = true;
  for (int i = 1; i < count; ++i) {
    const GcmBatchItem& it = *items[i];
    one_shape = one_shape && it.key == first.key && it.len == first.len &&
                it.aad1_len == first.aad1_len && it.aad2_len == first.aad2_len;
  }
  if (!one_shape) return kSameKey;
  return LaneSpare<V>(first) ? kSameShapeSpare : kSameShape;
}

// GcmBatchItem as AllLikeFirst reads it: whole qwords, and the indexes of
// the fields a batch must share to go to one LaneRun (the key, the three
// lengths) or, for the Aead layer, to be one Aead's (`aead`).
inline constexpr size_t kItemQwords = sizeof(GcmBatchItem) / 8;
static_assert(sizeof(GcmBatchItem) % 8 == 0 && sizeof(void*) == 8 &&
                  sizeof(size_t) == 8,
              "AllLikeFirst reads GcmBatchItem as qwords");
inline constexpr size_t kItemSharedQwords[] = {
    offsetof(GcmBatchItem, key) / 8, offsetof(GcmBatchItem, aad1_len) / 8,
    offsetof(GcmBatchItem, aad2_len) / 8, offsetof(GcmBatchItem, len) / 8,
    offsetof(GcmBatchItem, aead) / 8};

// The vectors that cover an item, each V::kBytes at qword Window(w), and
// which of their qwords hold shared fields (all ones) or not (zero).
template <class V>
struct ItemWindows {
  static constexpr size_t kPerVector = V::kBytes / 8;
  static constexpr size_t kCount = (kItemQwords + kPerVector - 1) / kPerVector;
  static_assert(kItemQwords >= kPerVector, "an item spans a whole vector");
  static constexpr size_t Window(size_t w) {
    return w * kPerVector + kPerVector <= kItemQwords
               ? w * kPerVector
               : kItemQwords - kPerVector;
  }
  struct Masks {
    alignas(64) uint64_t q[kCount][kPerVector];
  };
  static constexpr Masks MakeMasks() {
    Masks m{};
    for (size_t w = 0; w < kCount; ++w) {
      for (size_t i = 0; i < kPerVector; ++i) {
        for (size_t f : kItemSharedQwords) {
          if (f == Window(w) + i) m.q[w][i] = ~uint64_t{0};
        }
      }
    }
    return m;
  }
  static constexpr Masks kMasks = MakeMasks();
};

// True if every item of items[0, n) has items[0]'s key, lengths and `aead`
// (compared bit for bit; `aead` is never dereferenced). A vector load and an
// XOR-OR per window of each item (two windows on AVX-512, three on AVX2),
// against the two scalar compare loops this replaced (the kernel's shape
// check and the Aead layer's key check), which cost the Intel host about 2
// cycles per item each; a frame of the 112-byte batch takes about 36. A
// batch of mixed keys most often differs in its first frames: those are
// checked before the rest are read.
template <class V>
SFRAME_GCM_INLINE bool AllLikeFirst(const GcmBatchItem* items, size_t n) {
  using T = typename V::T;
  using W = ItemWindows<V>;
  const uint8_t* const base = reinterpret_cast<const uint8_t*>(items);
  T ref[W::kCount];
  T diff[W::kCount];
  for (size_t w = 0; w < W::kCount; ++w) {
    ref[w] = V::Loadu(base + 8 * W::Window(w));
    diff[w] = V::Zero();
  }
  const auto x = [&](size_t j, size_t w) SFRAME_GCM_LAMBDA {
    return V::Xor(V::Loadu(base + j * sizeof(GcmBatchItem) + 8 * W::Window(w)),
                  ref[w]);
  };
  // Four items a step, so that the accumulators see one OR per four.
  const auto scan = [&](size_t from, size_t to) SFRAME_GCM_LAMBDA {
    size_t j = from;
    for (; j + 4 <= to; j += 4) {
      for (size_t w = 0; w < W::kCount; ++w) {
        diff[w] = V::Or(diff[w], V::Or(V::Or(x(j, w), x(j + 1, w)),
                                       V::Or(x(j + 2, w), x(j + 3, w))));
      }
    }
    for (; j < to; ++j) {
      for (size_t w = 0; w < W::kCount; ++w) diff[w] = V::Or(diff[w], x(j, w));
    }
  };
  const auto same = [&]() SFRAME_GCM_LAMBDA {
    T any = V::Zero();
    for (size_t w = 0; w < W::kCount; ++w) {
      any = V::Or(any, V::And(diff[w], V::Loadu(W::kMasks.q[w])));
    }
    return V::IsZero(any);
  };
  constexpr size_t kHead = 8;
  if (n <= kHead) {
    scan(1, n);
    return same();
  }
  scan(1, kHead);
  if (!same()) return false;
  scan(kHead, n);
  return same();
}

// The frames of a batch that is not uniform (CryptUniform): groups of one
// key and class where they form, single calls for the frames lanes do not
// take, and the groups of each class run in LaneRuns of up to kRunGroups.
template <class V, bool kOpen>
SFRAME_GCM_FUNC void CryptMixed(const GcmBatchItem* items, size_t n,
                                uint8_t* ok) {
  constexpr int kW = V::kBlocks;
  constexpr int kClasses = kLaneClasses<V>;
  uint8_t unused = 0;
  // Frames waiting for partners, per class, in groups of one key: a group
  // of mixed keys gathers each lane's powers (and E_K(J0)'s round keys)
  // from its own key's tables and costs more per frame (on the Intel host,
  // more than a single call: 34 against 22 ns for 112-byte seals), so a
  // frame first joins a group of its class and key. Up to kSlots keys per
  // class wait at a time; frames of further keys, and the keys' lone
  // leftovers, go to one mixed group per class, or to single calls where
  // those are faster (GcmMixedKeyGroups; then a key's leftovers of up to
  // kW / 2 frames go single too, rather than fill a partial group).
  const bool mixed_groups = GcmMixedKeyGroups();
  // With two lanes (AVX2), where mixed-key groups are taken, the key slots
  // are skipped: kW consecutive frames of one class make a group whatever
  // their keys, and the other frames go straight to their class's mixed
  // group. On Zen 3 a run of mixed-key groups cost no more than one of
  // one-key groups (112-byte frames on 64 keys, or two keys in turn: 0.88
  // of the time; audio lengths on 4 or 64 keys: 0.94-0.96). (AVX-512's
  // mixed-key groups gather four lanes per power and per E_K(J0) round key;
  // not measured there.)
  const bool any_key_groups = mixed_groups && kW == 2;
  constexpr int kSlots = 4;
  struct Pending {
    const GcmKernelKey* key;
    int count;
    int queue;  // where its groups go: 0 (one key) or 1 (mixed keys)
    const GcmBatchItem* items[kW];
    uint8_t* ok[kW];
  };
  Pending slots[kClasses][kSlots];
  int used[kClasses];
  Pending mixed[kClasses];
  // Whole groups waiting to run, per class: queue 0 holds groups of one key
  // each, queue 1 groups of mixed keys. A queue runs when it is full, when a
  // partial group (always its last) joins it, and at the end.
  constexpr int kRunGroups = 8;
  struct Queue {
    int groups;
    const GcmBatchItem* items[kRunGroups * kW];
    uint8_t* ok[kRunGroups * kW];
  };
  Queue queues[kClasses][2];
  // The classes met so far; a class's state above is set when it is first
  // met (a call of single frames touches none of it).
  static_assert(kClasses <= 32, "one bit per class");
  uint32_t met = 0;
  const auto run_queue = [](Queue& q, int cls, int mixed_keys,
                            int last_n) SFRAME_GCM_LAMBDA {
    const int mode =
        mixed_keys ? kMixedKeys : OneKeyRunMode<V>(q.items, q.groups * kW);
    kLaneRuns<V, kOpen>[cls * kLaneModes + mode](q.items, q.ok, q.groups,
                                                 last_n);
    q.groups = 0;
  };
  // Queues group `group` (kW items, the first `n` real) of class `cls`.
  const auto push = [&](int cls, int mixed_keys,
                        const GcmBatchItem* const* group, uint8_t* const* g_ok,
                        int n) SFRAME_GCM_LAMBDA {
    Queue& q = queues[cls][mixed_keys];
    for (int f = 0; f < kW; ++f) {
      q.items[q.groups * kW + f] = group[f];
      q.ok[q.groups * kW + f] = g_ok[f];
    }
    ++q.groups;
    if (n < kW || q.groups == kRunGroups) run_queue(q, cls, mixed_keys, n);
  };
  const auto add = [&](Pending& p, int cls, const GcmBatchItem* it,
                       uint8_t* it_ok) SFRAME_GCM_LAMBDA {
    p.items[p.count] = it;
    p.ok[p.count] = it_ok;
    if (++p.count == kW) {
      push(cls, p.queue, p.items, p.ok, kW);
      p.count = 0;
    }
  };
  size_t i = 0;
  while (i < n) {
    const int cls = LaneClass<V>(items[i]);
    if (cls >= 0 && (met >> cls & 1) == 0) {
      met |= uint32_t{1} << cls;
      used[cls] = 0;
      mixed[cls].count = 0;
      mixed[cls].queue = 1;
      queues[cls][0].groups = queues[cls][1].groups = 0;
    }
    // The common case first: the next kW frames form a group by themselves
    // (one class, one key; or, with mixed-key groups on AVX2, one class).
    if (cls >= 0 && i + kW <= n) {
      bool run = true, one_key = true;
      for (int f = 1; f < kW; ++f) {
        run = run && LaneClass<V>(items[i + f]) == cls;
        one_key = one_key && items[i + f].key == items[i].key;
      }
      if (run && (one_key || any_key_groups)) {
        const GcmBatchItem* group[kW];
        uint8_t* group_ok[kW];
        for (int f = 0; f < kW; ++f) {
          group[f] = &items[i + f];
          group_ok[f] = kOpen ? ok + i + f : &unused;
        }
        push(cls, one_key ? 0 : 1, group, group_ok, kW);
        i += kW;
        continue;
      }
    }
    uint8_t* const it_ok = kOpen ? ok + i : &unused;
    if (cls < 0) {
      CryptOne<V, kOpen>(items[i], it_ok);
      ++i;
      continue;
    }
    if (any_key_groups) {
      add(mixed[cls], cls, &items[i], it_ok);
      ++i;
      continue;
    }
    const GcmKernelKey* const key = items[i].key;
    int s = 0;
    while (s < used[cls] && slots[cls][s].key != key) ++s;
    if (s == used[cls] && s < kSlots) {
      slots[cls][s].key = key;
      slots[cls][s].count = 0;
      slots[cls][s].queue = 0;
      ++used[cls];
    }
    if (s < kSlots) {
      add(slots[cls][s], cls, &items[i], it_ok);
    } else if (mixed_groups) {
      add(mixed[cls], cls, &items[i], it_ok);
    } else {
      CryptOne<V, kOpen>(items[i], it_ok);
    }
    ++i;
  }
  // Leftovers: a key's two or more frames make a partial group of that key
  // (the spare lanes repeat its first frame and are not stored); lone frames
  // join the class's mixed group, whose own leftover is a partial group, or
  // a single call for a lone frame. Then the queues' last runs.
  const auto push_partial = [&](Pending& p, int cls) SFRAME_GCM_LAMBDA {
    for (int f = p.count; f < kW; ++f) {
      p.items[f] = p.items[0];
      p.ok[f] = &unused;
    }
    push(cls, p.queue, p.items, p.ok, p.count);
  };
  for (; met != 0; met &= met - 1) {
    const int cls = __builtin_ctz(met);
    for (int s = 0; s < used[cls]; ++s) {
      Pending& p = slots[cls][s];
      if (p.count == 0) continue;
      if (!mixed_groups && p.count <= kW / 2) {
        for (int f = 0; f < p.count; ++f) {
          CryptOne<V, kOpen>(*p.items[f], p.ok[f]);
        }
      } else if (p.count == 1) {
        add(mixed[cls], cls, p.items[0], p.ok[0]);
      } else {
        push_partial(p, cls);
      }
    }
    Pending& p = mixed[cls];
    if (p.count == 1) {
      CryptOne<V, kOpen>(*p.items[0], p.ok[0]);
    } else if (p.count > 1) {
      push_partial(p, cls);
    }
    for (int q = 0; q < 2; ++q) {
      if (queues[cls][q].groups > 0) run_queue(queues[cls][q], cls, q, kW);
    }
  }
}

// The most common call: every frame has the first one's key, lengths and
// `aead`, and fits in lanes. One vector pass of compares (AllLikeFirst), then
// the groups go straight to their LaneRun, without classifying frames one by
// one; a remainder of fewer than kW frames goes to CryptMixed. Returns false,
// having written nothing, for any other batch.
template <class V, bool kOpen>
SFRAME_GCM_INLINE bool CryptUniform(const GcmBatchItem* items, size_t n,
                                    uint8_t* ok) {
  constexpr int kW = V::kBlocks;
  if (n < static_cast<size_t>(kW)) return false;
  const GcmBatchItem& first = items[0];
  const int cls = LaneClass<V>(first);
  if (cls < 0 || !AllLikeFirst<V>(items, n)) return false;
  const LaneRunFn run =
      kLaneRuns<V, kOpen>[cls * kLaneModes +
                          (LaneSpare<V>(first) ? kSameShapeSpare : kSameShape)];
  const size_t groups = n / kW;
  constexpr size_t kChunk = 16;  // groups per run
  const GcmBatchItem* run_items[kChunk * kW];
  uint8_t* run_ok[kChunk * kW];
  for (size_t g = 0; g < groups; g += kChunk) {
    const size_t m = groups - g < kChunk ? groups - g : kChunk;
    for (size_t j = 0; j < m * kW; ++j) {
      run_items[j] = &items[g * kW + j];
      if (kOpen) run_ok[j] = ok + g * kW + j;
    }
    run(run_items, kOpen ? run_ok : nullptr, m, kW);
  }
  const size_t done = groups * kW;
  if (done < n) {
    CryptMixed<V, kOpen>(items + done, n - done, kOpen ? ok + done : nullptr);
  }
  return true;
}

template <class V, bool kOpen>
SFRAME_GCM_INLINE void CryptBatch(const GcmBatchItem* items, size_t n,
                                  uint8_t* ok) {
  if (!CryptUniform<V, kOpen>(items, n, ok)) CryptMixed<V, kOpen>(items, n, ok);
}

template <class V>
SFRAME_GCM_FUNC void SealBatch(const GcmBatchItem* items, size_t n) {
  CryptBatch<V, false>(items, n, nullptr);
}

template <class V>
SFRAME_GCM_FUNC void OpenBatch(const GcmBatchItem* items, size_t n,
                               uint8_t* ok) {
  CryptBatch<V, true>(items, n, ok);
}

template <class V>
SFRAME_GCM_FUNC bool SealUniformBatch(const GcmBatchItem* items, size_t n) {
  return CryptUniform<V, false>(items, n, nullptr);
}

template <class V>
SFRAME_GCM_FUNC bool OpenUniformBatch(const GcmBatchItem* items, size_t n,
                                      uint8_t* ok) {
  return CryptUniform<V, true>(items, n, ok);
}

}  // namespace gcm
}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_AES_GCM_COMMON_H_
