// Copyright 2026 The sframecpp Authors.
//
// The AVX-512 vocabulary of the VAES + VPCLMULQDQ kernel (struct Zmm, for
// aes_gcm_common.h), shared by the kernel's translation units: the
// single-message code in aes_gcm_x86_64_vaes_avx512.cc and the batch code in
// aes_gcm_x86_64_vaes_avx512_{seal,open}_batch.cc. The batch lane groups are
// most of the kernel's code; in files of their own they compile in parallel
// with the rest (above all under the sanitizers). Include only from those
// files: everything here is compiled for AVX-512 and runs only after
// GcmKernelVaesAvx512() has checked the CPU.

#ifndef SFRAME_SRC_CRYPTO_AES_GCM_X86_64_VAES_AVX512_H_
#define SFRAME_SRC_CRYPTO_AES_GCM_X86_64_VAES_AVX512_H_

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"

#define SFRAME_GCM_TARGET \
  "avx512f,avx512bw,avx512vl,avx2,vaes,vpclmulqdq,bmi2,aes,pclmul,sse4.1"
#include "src/crypto/aes_gcm_common.h"

namespace sframe {
namespace internal {
namespace vaes_avx512 {

// The AVX-512 vocabulary for aes_gcm_common.h.
struct Zmm {
  using T = __m512i;
  static constexpr int kBlocks = 4;
  static constexpr size_t kBytes = 64;
  // Vectors per bulk-loop batch (aes_gcm_common.h BulkLoop; its GHASH
  // flavour is chosen per key, KeyLayout::bulk_karatsuba).
  static constexpr int kBulkVectors = 8;
  // Messages of up to 4 vectors (256 bytes) take one pass.
  static constexpr int kShortVectors = 4;
  // A batch's lane groups take frames of up to 4 vectors (256 bytes, the
  // longest message of the single pass too).
  static constexpr int kLaneVectors = 4;

  // Byte mask with bits [0, n) set, 0 <= n <= 64.
  SFRAME_GCM_INLINE static __mmask64 Prefix(size_t n) {
    return _cvtu64_mask64(_bzhi_u64(~0ull, static_cast<unsigned>(n)));
  }
  SFRAME_GCM_INLINE static T Zero() { return _mm512_setzero_si512(); }
  SFRAME_GCM_INLINE static T Bcast(__m128i x) {
    return _mm512_maskz_broadcast_i32x4(0xffff, x);
  }
  SFRAME_GCM_INLINE static T FromLane0(__m128i x) {
    return _mm512_zextsi128_si512(x);
  }
  SFRAME_GCM_INLINE static T Loadu(const void* p) {
    return _mm512_loadu_si512(p);
  }
  SFRAME_GCM_INLINE static void Storeu(void* p, T v) {
    _mm512_storeu_si512(p, v);
  }
  SFRAME_GCM_INLINE static T LoadWindow(const uint8_t* p, size_t lo,
                                        size_t hi) {
    const __mmask64 m = _kandn_mask64(Prefix(lo), Prefix(hi));
    return _mm512_maskz_loadu_epi8(m, p);
  }
  // J0 = nonce || 00000001 in every lane, from two broadcast loads (no
  // shuffle-port work: the loads broadcast, two blends assemble it).
  SFRAME_GCM_INLINE static T BcastJ0(const uint8_t* nonce) {
    const gcm::NonceWords w = gcm::LoadNonceWords(nonce);
    const T v = _mm512_mask_mov_epi32(
        _mm512_set1_epi64(static_cast<int64_t>(w.lo)), 0x4444,
        _mm512_set1_epi32(static_cast<int>(w.hi)));
    return _mm512_mask_mov_epi32(v, 0x8888, _mm512_set1_epi32(1 << 24));
  }
  // The first n <= 16 bytes at p, zero-filled, as one block.
  SFRAME_GCM_INLINE static __m128i LoadBlock(const uint8_t* p, size_t n) {
    return _mm_maskz_loadu_epi8(
        _cvtu32_mask16(_bzhi_u32(0xffffu, static_cast<unsigned>(n))), p);
  }
  SFRAME_GCM_INLINE static void StorePrefix(uint8_t* p, T v, size_t n) {
    _mm512_mask_storeu_epi8(p, Prefix(n), v);
  }
  SFRAME_GCM_INLINE static T KeepPrefix(T v, size_t n) {
    return _mm512_maskz_mov_epi8(Prefix(n), v);
  }
  SFRAME_GCM_INLINE static T Xor(T a, T b) { return _mm512_xor_si512(a, b); }
  SFRAME_GCM_INLINE static T Xor3(T a, T b, T c) {
#if defined(SFRAME_CT_MSAN)
    // clang 14's MemorySanitizer does not model VPTERNLOG (it would report
    // any poisoned operand); the constant-time test build uses two XORs,
    // which compute the same and are just as branch-free.
    return _mm512_xor_si512(_mm512_xor_si512(a, b), c);
#else
    return _mm512_ternarylogic_epi64(a, b, c, 0x96);
#endif
  }
  SFRAME_GCM_INLINE static T Or(T a, T b) { return _mm512_or_si512(a, b); }
  SFRAME_GCM_INLINE static T And(T a, T b) { return _mm512_and_si512(a, b); }
  // For public data only (it branches on the result).
  SFRAME_GCM_INLINE static bool IsZero(T v) {
    return _mm512_test_epi64_mask(v, v) == 0;
  }
  SFRAME_GCM_INLINE static T Add32(T a, T b) { return _mm512_add_epi32(a, b); }
  SFRAME_GCM_INLINE static T Bswap(T v) {
    return _mm512_shuffle_epi8(
        v, _mm512_maskz_broadcast_i32x4(
               0xffff, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                    13, 14, 15)));
  }
  SFRAME_GCM_INLINE static T Swap64(T v) {
    return _mm512_maskz_shuffle_epi32(0xffff, v, _MM_PERM_BADC);
  }
  template <int kImm>
  SFRAME_GCM_INLINE static T Clmul(T a, T b) {
    return _mm512_clmulepi64_epi128(a, b, kImm);
  }
  SFRAME_GCM_INLINE static T AesEnc(T v, T k) {
    return _mm512_aesenc_epi128(v, k);
  }
  SFRAME_GCM_INLINE static T AesEncLast(T v, T k) {
    return _mm512_aesenclast_epi128(v, k);
  }
  SFRAME_GCM_INLINE static T CounterOffsets(int first) {
    return _mm512_set_epi32(0, 0, 0, first + 3, 0, 0, 0, first + 2, 0, 0, 0,
                            first + 1, 0, 0, 0, first);
  }
  SFRAME_GCM_INLINE static T BlendLane(T v, T x, int lane) {
    return _mm512_mask_blend_epi64(static_cast<__mmask8>(3u << (2 * lane)), v,
                                   x);
  }
  SFRAME_GCM_INLINE static __m128i ExtractLane(T v, int lane) {
    switch (lane) {
      case 0:
        // (GCC 12's _mm512_castsi512_si128 trips -Wmaybe-uninitialized.)
        return _mm512_maskz_extracti32x4_epi32(0xf, v, 0);
      case 1:
        return _mm512_maskz_extracti32x4_epi32(0xf, v, 1);
      case 2:
        return _mm512_maskz_extracti32x4_epi32(0xf, v, 2);
      default:
        return _mm512_maskz_extracti32x4_epi32(0xf, v, 3);
    }
  }
  // Lane f = x[f].
  SFRAME_GCM_INLINE static T FromLanes(const __m128i* x) {
    T v = _mm512_zextsi128_si512(x[0]);
    v = _mm512_inserti32x4(v, x[1], 1);
    v = _mm512_inserti32x4(v, x[2], 2);
    return _mm512_inserti32x4(v, x[3], 3);
  }
  // Lane f = the 16 bytes at p[f].
  SFRAME_GCM_INLINE static T LoadLanes(const uint8_t* const* p) {
    __m128i x[4];
    for (int f = 0; f < 4; ++f) {
      x[f] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p[f]));
    }
    return FromLanes(x);
  }
  // 4 x 4 transpose of 128-bit lanes: lane j of v[i] <-> lane i of v[j].
  // (maskz forms: the unmasked ones trip GCC 12 -Wmaybe-uninitialized.)
  SFRAME_GCM_INLINE static void Transpose(T* v) {
    const T t0 = _mm512_maskz_shuffle_i64x2(0xff, v[0], v[1], 0x44);
    const T t1 = _mm512_maskz_shuffle_i64x2(0xff, v[0], v[1], 0xee);
    const T t2 = _mm512_maskz_shuffle_i64x2(0xff, v[2], v[3], 0x44);
    const T t3 = _mm512_maskz_shuffle_i64x2(0xff, v[2], v[3], 0xee);
    v[0] = _mm512_maskz_shuffle_i64x2(0xff, t0, t2, 0x88);
    v[1] = _mm512_maskz_shuffle_i64x2(0xff, t0, t2, 0xdd);
    v[2] = _mm512_maskz_shuffle_i64x2(0xff, t1, t3, 0x88);
    v[3] = _mm512_maskz_shuffle_i64x2(0xff, t1, t3, 0xdd);
  }
  SFRAME_GCM_INLINE static T ZeroLanesMask(T v) {
    const T q = _mm512_maskz_mov_epi64(_mm512_testn_epi64_mask(v, v),
                                       _mm512_set1_epi64(-1));
    return _mm512_and_si512(q, Swap64(q));
  }
  SFRAME_GCM_INLINE static T BcastLane(T v, int lane) {
    switch (lane) {
      case 0:
        return _mm512_maskz_shuffle_i64x2(0xff, v, v, 0x00);
      case 1:
        return _mm512_maskz_shuffle_i64x2(0xff, v, v, 0x55);
      case 2:
        return _mm512_maskz_shuffle_i64x2(0xff, v, v, 0xaa);
      default:
        return _mm512_maskz_shuffle_i64x2(0xff, v, v, 0xff);
    }
  }
  SFRAME_GCM_INLINE static T GatherLane(const T* v, int lane) {
    // Qwords 2j, 2j + 1 of the first source, then of the second.
    const T idx = _mm512_add_epi64(_mm512_set_epi64(9, 8, 1, 0, 9, 8, 1, 0),
                                   _mm512_set1_epi64(2 * lane));
    const T v01 = _mm512_permutex2var_epi64(v[0], idx, v[1]);
    const T v23 = _mm512_permutex2var_epi64(v[2], idx, v[3]);
    return _mm512_maskz_shuffle_i64x2(0xff, v01, v23, 0x44);
  }
  SFRAME_GCM_INLINE static __m128i HXor(T v) {
    const __m256i y =
        _mm256_xor_si256(_mm512_maskz_extracti64x4_epi64(0xf, v, 0),
                         _mm512_maskz_extracti64x4_epi64(0xf, v, 1));
    return _mm_xor_si128(_mm256_castsi256_si128(y),
                         _mm256_extracti128_si256(y, 1));
  }
};

// The batch entry points (GcmKernel::seal_batch / open_batch and their
// uniform forms), seal's and open's each in a file of their own.
void SealBatch(const GcmBatchItem* items, size_t n);
void OpenBatch(const GcmBatchItem* items, size_t n, uint8_t* ok);
bool SealUniformBatch(const GcmBatchItem* items, size_t n);
bool OpenUniformBatch(const GcmBatchItem* items, size_t n, uint8_t* ok);

}  // namespace vaes_avx512

// The single-message seal and open, which the batch code also calls for the
// frames it cannot put in lanes, are instantiated once, in
// aes_gcm_x86_64_vaes_avx512.cc, not again in each batch file.
namespace gcm {
extern template void Seal<vaes_avx512::Zmm>(
    const GcmKernelKey* key, const uint8_t* nonce, const uint8_t* aad1,
    size_t aad1_len, const uint8_t* aad2, size_t aad2_len, const uint8_t* in,
    size_t len, uint8_t* out, uint8_t* tag);
extern template bool Open<vaes_avx512::Zmm>(
    const GcmKernelKey* key, const uint8_t* nonce, const uint8_t* aad1,
    size_t aad1_len, const uint8_t* aad2, size_t aad2_len, const uint8_t* in,
    size_t len, const uint8_t* tag, uint8_t* out);
}  // namespace gcm
}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_AES_GCM_X86_64_VAES_AVX512_H_
