// Copyright 2026 The sframecpp Authors.
//
// The AVX2 vocabulary of the VAES + VPCLMULQDQ kernel (struct Ymm, for
// aes_gcm_common.h), shared by the kernel's translation units: the
// single-message code in aes_gcm_x86_64_vaes_avx2.cc and the batch code in
// aes_gcm_x86_64_vaes_avx2_{seal,open}_batch.cc, which is most of the
// kernel's code and compiles in parallel with the rest in files of its own
// (as the AVX-512 kernel's). Include only from those files: everything here
// is compiled for AVX2 + VAES and runs only after GcmKernelVaesAvx2() has
// checked the CPU.

#ifndef SFRAME_SRC_CRYPTO_AES_GCM_X86_64_VAES_AVX2_H_
#define SFRAME_SRC_CRYPTO_AES_GCM_X86_64_VAES_AVX2_H_

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "src/crypto/aes_gcm_kernel.h"

#define SFRAME_GCM_TARGET "avx2,vaes,vpclmulqdq,aes,pclmul,sse4.1"
#include "src/crypto/aes_gcm_common.h"

namespace sframe {
namespace internal {
namespace vaes_avx2 {

// 32 bytes of 0xff then 32 bytes of 0: loading 32 bytes at offset 32 - n
// gives a mask that keeps bytes [0, n); loading 8 dwords at dword offset
// 8 - n, one that keeps dwords [0, n).
alignas(64) constexpr uint8_t kPrefixMask[64] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// vpshufb indices that slide a 16-byte vector down: at offset s, bytes
// [s, 16) move to [0, 16 - s) and the rest become zero; at offset 16 + s,
// bytes [0, s) move to [16 - s, 16) and the rest become zero.
alignas(64) constexpr uint8_t kSlide[48] = {
    0,    1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,
    12,   13,   14,   15,   0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0,    1,    2,    3,
    4,    5,    6,    7,    8,    9,    10,   11,   12,   13,   14,   15};

// The AVX2 vocabulary for aes_gcm_common.h.
struct Ymm {
  using T = __m256i;
  static constexpr int kBlocks = 2;
  static constexpr size_t kBytes = 32;
  // Vectors per bulk-loop batch (aes_gcm_common.h BulkLoop; its GHASH
  // flavour is chosen per key, KeyLayout::bulk_karatsuba).
  static constexpr int kBulkVectors = 8;
  // Messages of up to 8 vectors (256 bytes, as on AVX-512) take one pass.
  static constexpr int kShortVectors = 8;
  // A batch's lane groups take frames of up to 8 vectors (256 bytes, as on
  // AVX-512). A group of two 8-vector frames holds 16 AES states, all the
  // ymm registers, and spills; on Zen 3 the batches of 200- and 256-byte
  // frames still took 0.67-0.84 of their time as single calls (160 bytes:
  // 0.60-0.76; docs/kernels.md, "Thirteenth session").
  static constexpr int kLaneVectors = 8;

  SFRAME_GCM_INLINE static T Zero() { return _mm256_setzero_si256(); }
  SFRAME_GCM_INLINE static T Bcast(__m128i x) {
    return _mm256_broadcastsi128_si256(x);
  }
  SFRAME_GCM_INLINE static T FromLane0(__m128i x) {
    return _mm256_zextsi128_si256(x);
  }
  SFRAME_GCM_INLINE static T Loadu(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
  }
  SFRAME_GCM_INLINE static void Storeu(void* p, T v) {
    _mm256_storeu_si256(static_cast<__m256i*>(p), v);
  }
  SFRAME_GCM_INLINE static T LoadWindow(const uint8_t* p, size_t lo,
                                        size_t hi) {
    if (lo == 0 && hi == kBytes) return Loadu(p);
#if defined(SFRAME_CT_MSAN)
    // (MSan does not model vpmaskmovd; it does model byte moves.)
    alignas(32) uint8_t buf[kBytes] = {};
    for (size_t i = lo; i < hi; ++i) buf[i] = p[i];
    return Loadu(buf);
#else
    // The whole dwords [a, b) in one masked load, then the partial dwords
    // at either end, if any.
    const size_t a = (lo + 3) / 4, b = hi / 4;
    T v = Zero();
    if (a < b) {
      v = _mm256_maskload_epi32(
          reinterpret_cast<const int*>(p),
          _mm256_andnot_si256(DwordPrefix(a), DwordPrefix(b)));
    }
    if (hi - lo >= 4) {
      // A partial dword at either end comes from a 4-byte load that stays
      // inside the window, shifted into place.
      if (lo % 4 != 0) {
        v = Or(v, PlaceDword(Load32(p + lo) << (8 * (lo % 4)), lo / 4));
      }
      if (hi % 4 != 0) {
        v = Or(v, PlaceDword(Load32(p + hi - 4) >> (8 * (4 - hi % 4)), b));
      }
    } else if (hi > lo) {
      // 1-3 bytes, in at most two dwords.
      const size_t mid = 4 * (lo / 4) + 4 < hi ? 4 * (lo / 4) + 4 : hi;
      v = Or(v,
             PlaceDword(LoadShort(p + lo, mid - lo) << (8 * (lo % 4)), lo / 4));
      if (mid < hi) v = Or(v, PlaceDword(LoadShort(p + mid, hi - mid), b));
    }
    return v;
#endif
  }
  // J0 = nonce || 00000001 in every lane, from two broadcast loads.
  SFRAME_GCM_INLINE static T BcastJ0(const uint8_t* nonce) {
    const gcm::NonceWords w = gcm::LoadNonceWords(nonce);
    const T v =
        _mm256_blend_epi32(_mm256_set1_epi64x(static_cast<int64_t>(w.lo)),
                           _mm256_set1_epi32(static_cast<int>(w.hi)), 0x44);
    return _mm256_blend_epi32(v, _mm256_set1_epi32(1 << 24), 0x88);
  }
  // The first n <= 16 bytes at p, zero-filled, as one block.
  SFRAME_GCM_INLINE static __m128i LoadBlock(const uint8_t* p, size_t n) {
    return _mm256_castsi256_si128(LoadWindow(p, 0, n));
  }
  SFRAME_GCM_INLINE static void StorePrefix(uint8_t* p, T v, size_t n) {
    if (n == kBytes) {
      Storeu(p, v);
      return;
    }
#if defined(SFRAME_CT_MSAN)
    alignas(32) uint8_t buf[kBytes];
    Storeu(buf, v);
    for (size_t i = 0; i < n; ++i) p[i] = buf[i];
#else
    // Plain stores only, two per size class, the second ending at byte n
    // and rewriting bytes the first wrote, with the same values. (A
    // vpmaskmovd store is microcoded on Zen 3: without it the 112-byte
    // batch got 15-18% faster there, docs/kernels.md.)
    const __m128i lo = _mm256_castsi256_si128(v);
    if (n >= 16) {
      const __m128i hi = _mm256_extracti128_si256(v, 1);
      const size_t s = n - 16;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), lo);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p + s),
                       _mm_or_si128(_mm_shuffle_epi8(lo, Slide(s)),
                                    _mm_shuffle_epi8(hi, Slide(16 + s))));
    } else if (n >= 8) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p), lo);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(p + n - 8),
                       _mm_shuffle_epi8(lo, Slide(n - 8)));
    } else if (n >= 4) {
      const uint64_t q = static_cast<uint64_t>(_mm_cvtsi128_si64(lo));
      Store32(p, static_cast<uint32_t>(q));
      Store32(p + n - 4, static_cast<uint32_t>(q >> (8 * (n - 4))));
    } else if (n != 0) {
      StoreShort(p, static_cast<uint32_t>(_mm_cvtsi128_si32(lo)), n);
    }
#endif
  }
  // The vpshufb indices at kSlide + i (0 <= i <= 32).
  SFRAME_GCM_INLINE static __m128i Slide(size_t i) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(kSlide + i));
  }
  // Dwords [0, n) all ones, the others zero (0 <= n <= 8).
  SFRAME_GCM_INLINE static T DwordPrefix(size_t n) {
    return Loadu(kPrefixMask + kBytes - 4 * n);
  }
  // Dword d = w, the others zero.
  SFRAME_GCM_INLINE static T PlaceDword(uint32_t w, size_t d) {
    return And(_mm256_set1_epi32(static_cast<int>(w)),
               _mm256_andnot_si256(DwordPrefix(d), DwordPrefix(d + 1)));
  }
  SFRAME_GCM_INLINE static uint32_t Load32(const uint8_t* p) {
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
  }
  SFRAME_GCM_INLINE static void Store32(uint8_t* p, uint32_t w) {
    memcpy(p, &w, 4);
  }
  // The n = 1..3 bytes at p, little-endian (one or two loads).
  SFRAME_GCM_INLINE static uint32_t LoadShort(const uint8_t* p, size_t n) {
    if (n == 1) return p[0];
    uint16_t h;
    memcpy(&h, p, 2);
    return n == 2 ? h : h | uint32_t{p[2]} << 16;
  }
  SFRAME_GCM_INLINE static void StoreShort(uint8_t* p, uint32_t w, size_t n) {
    if (n == 1) {
      p[0] = static_cast<uint8_t>(w);
      return;
    }
    const uint16_t h = static_cast<uint16_t>(w);
    memcpy(p, &h, 2);
    if (n == 3) p[2] = static_cast<uint8_t>(w >> 16);
  }
  SFRAME_GCM_INLINE static T KeepPrefix(T v, size_t n) {
    return _mm256_and_si256(v, Loadu(kPrefixMask + kBytes - n));
  }
  SFRAME_GCM_INLINE static T Xor(T a, T b) { return _mm256_xor_si256(a, b); }
  SFRAME_GCM_INLINE static T Xor3(T a, T b, T c) {
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
  }
  SFRAME_GCM_INLINE static T Or(T a, T b) { return _mm256_or_si256(a, b); }
  SFRAME_GCM_INLINE static T And(T a, T b) { return _mm256_and_si256(a, b); }
  // For public data only (it branches on the result).
  SFRAME_GCM_INLINE static bool IsZero(T v) {
    return _mm256_testz_si256(v, v) != 0;
  }
  SFRAME_GCM_INLINE static T Add32(T a, T b) { return _mm256_add_epi32(a, b); }
  SFRAME_GCM_INLINE static T Bswap(T v) {
    return _mm256_shuffle_epi8(
        v, _mm256_broadcastsi128_si256(_mm_set_epi8(
               0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)));
  }
  SFRAME_GCM_INLINE static T Swap64(T v) {
    return _mm256_shuffle_epi32(v, 0x4e);
  }
  template <int kImm>
  SFRAME_GCM_INLINE static T Clmul(T a, T b) {
    return _mm256_clmulepi64_epi128(a, b, kImm);
  }
  SFRAME_GCM_INLINE static T AesEnc(T v, T k) {
    return _mm256_aesenc_epi128(v, k);
  }
  SFRAME_GCM_INLINE static T AesEncLast(T v, T k) {
    return _mm256_aesenclast_epi128(v, k);
  }
  SFRAME_GCM_INLINE static T CounterOffsets(int first) {
    return _mm256_set_epi32(0, 0, 0, first + 1, 0, 0, 0, first);
  }
  SFRAME_GCM_INLINE static T BlendLane(T v, T x, int lane) {
    return lane == 0 ? _mm256_blend_epi32(v, x, 0x0f)
                     : _mm256_blend_epi32(v, x, 0xf0);
  }
  SFRAME_GCM_INLINE static __m128i ExtractLane(T v, int lane) {
    return lane == 0 ? _mm256_castsi256_si128(v)
                     : _mm256_extracti128_si256(v, 1);
  }
  // Lane f = x[f].
  SFRAME_GCM_INLINE static T FromLanes(const __m128i* x) {
    return _mm256_inserti128_si256(_mm256_zextsi128_si256(x[0]), x[1], 1);
  }
  // Lane f = the 16 bytes at p[f].
  SFRAME_GCM_INLINE static T LoadLanes(const uint8_t* const* p) {
    const __m128i x[2] = {
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p[0])),
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p[1]))};
    return FromLanes(x);
  }
  // 2 x 2 transpose of 128-bit lanes.
  SFRAME_GCM_INLINE static void Transpose(T* v) {
    const T t0 = _mm256_permute2x128_si256(v[0], v[1], 0x20);
    v[1] = _mm256_permute2x128_si256(v[0], v[1], 0x31);
    v[0] = t0;
  }
  SFRAME_GCM_INLINE static T ZeroLanesMask(T v) {
    const T q = _mm256_cmpeq_epi64(v, _mm256_setzero_si256());
    return _mm256_and_si256(q, Swap64(q));
  }
  SFRAME_GCM_INLINE static T BcastLane(T v, int lane) {
    return lane == 0 ? _mm256_permute2x128_si256(v, v, 0x00)
                     : _mm256_permute2x128_si256(v, v, 0x11);
  }
  SFRAME_GCM_INLINE static T GatherLane(const T* v, int lane) {
    return lane == 0 ? _mm256_permute2x128_si256(v[0], v[1], 0x20)
                     : _mm256_permute2x128_si256(v[0], v[1], 0x31);
  }
  SFRAME_GCM_INLINE static __m128i HXor(T v) {
    return _mm_xor_si128(_mm256_castsi256_si128(v),
                         _mm256_extracti128_si256(v, 1));
  }
};

// The batch entry points (GcmKernel::seal_batch / open_batch and their
// uniform forms), seal's and open's each in a file of their own.
void SealBatch(const GcmBatchItem* items, size_t n);
void OpenBatch(const GcmBatchItem* items, size_t n, uint8_t* ok);
bool SealUniformBatch(const GcmBatchItem* items, size_t n);
bool OpenUniformBatch(const GcmBatchItem* items, size_t n, uint8_t* ok);

}  // namespace vaes_avx2

// The single-message seal and open, which the batch code also calls for the
// frames it cannot put in lanes, are instantiated once, in
// aes_gcm_x86_64_vaes_avx2.cc, not again in each batch file.
namespace gcm {
extern template void Seal<vaes_avx2::Ymm>(const GcmKernelKey* key,
                                          const uint8_t* nonce,
                                          const uint8_t* aad1, size_t aad1_len,
                                          const uint8_t* aad2, size_t aad2_len,
                                          const uint8_t* in, size_t len,
                                          uint8_t* out, uint8_t* tag);
extern template bool Open<vaes_avx2::Ymm>(const GcmKernelKey* key,
                                          const uint8_t* nonce,
                                          const uint8_t* aad1, size_t aad1_len,
                                          const uint8_t* aad2, size_t aad2_len,
                                          const uint8_t* in, size_t len,
                                          const uint8_t* tag, uint8_t* out);
}  // namespace gcm
}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_AES_GCM_X86_64_VAES_AVX2_H_
