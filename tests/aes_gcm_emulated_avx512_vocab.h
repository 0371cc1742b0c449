// Copyright 2026 The sframecpp Authors.
//
// Zmm2, the AVX-512 kernel's vocabulary emulated on AVX2 (tests only): see
// aes_gcm_emulated_avx512.cc. Shared by that file and the two batch files,
// which compile in parallel (the batch lane groups are most of the code).

#ifndef SFRAME_TESTS_AES_GCM_EMULATED_AVX512_VOCAB_H_
#define SFRAME_TESTS_AES_GCM_EMULATED_AVX512_VOCAB_H_

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/aes_gcm_x86_64_vaes_avx2.h"

namespace sframe {
namespace internal {
namespace emulated_avx512 {

using vaes_avx2::Ymm;

// Zmm (aes_gcm_x86_64_vaes_avx512.h) on two ymm halves: h[0] holds blocks
// (lanes) 0-1 and bytes [0, 32), h[1] lanes 2-3 and bytes [32, 64).
struct Zmm2 {
  struct T {
    __m256i h[2];
  };
  static constexpr int kBlocks = 4;
  static constexpr size_t kBytes = 64;
  static constexpr int kBulkVectors = 8;
  static constexpr int kShortVectors = 4;
  static constexpr int kLaneVectors = 4;

  SFRAME_GCM_INLINE static T Make(__m256i lo, __m256i hi) {
    T v;
    v.h[0] = lo;
    v.h[1] = hi;
    return v;
  }
  SFRAME_GCM_INLINE static T Zero() { return Make(Ymm::Zero(), Ymm::Zero()); }
  SFRAME_GCM_INLINE static T Bcast(__m128i x) {
    return Make(Ymm::Bcast(x), Ymm::Bcast(x));
  }
  SFRAME_GCM_INLINE static T FromLane0(__m128i x) {
    return Make(Ymm::FromLane0(x), Ymm::Zero());
  }
  SFRAME_GCM_INLINE static T Loadu(const void* p) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return Make(Ymm::Loadu(b), Ymm::Loadu(b + 32));
  }
  SFRAME_GCM_INLINE static void Storeu(void* p, T v) {
    uint8_t* b = static_cast<uint8_t*>(p);
    Ymm::Storeu(b, v.h[0]);
    Ymm::Storeu(b + 32, v.h[1]);
  }
  // Bytes [lo, hi) of p (0 <= lo <= hi <= 64), zeros elsewhere; nothing
  // outside them is read.
  SFRAME_GCM_INLINE static T LoadWindow(const uint8_t* p, size_t lo,
                                        size_t hi) {
    const size_t lo0 = lo < 32 ? lo : 32, hi0 = hi < 32 ? hi : 32;
    const size_t lo1 = lo > 32 ? lo - 32 : 0, hi1 = hi > 32 ? hi - 32 : 0;
    return Make(lo0 < hi0 ? Ymm::LoadWindow(p, lo0, hi0) : Ymm::Zero(),
                lo1 < hi1 ? Ymm::LoadWindow(p + 32, lo1, hi1) : Ymm::Zero());
  }
  SFRAME_GCM_INLINE static T BcastJ0(const uint8_t* nonce) {
    const __m256i j0 = Ymm::BcastJ0(nonce);
    return Make(j0, j0);
  }
  SFRAME_GCM_INLINE static __m128i LoadBlock(const uint8_t* p, size_t n) {
    return Ymm::LoadBlock(p, n);
  }
  SFRAME_GCM_INLINE static void StorePrefix(uint8_t* p, T v, size_t n) {
    Ymm::StorePrefix(p, v.h[0], n < 32 ? n : 32);
    if (n > 32) Ymm::StorePrefix(p + 32, v.h[1], n - 32);
  }
  SFRAME_GCM_INLINE static T KeepPrefix(T v, size_t n) {
    return Make(Ymm::KeepPrefix(v.h[0], n < 32 ? n : 32),
                Ymm::KeepPrefix(v.h[1], n > 32 ? n - 32 : 0));
  }
  SFRAME_GCM_INLINE static T Xor(T a, T b) {
    return Make(Ymm::Xor(a.h[0], b.h[0]), Ymm::Xor(a.h[1], b.h[1]));
  }
  SFRAME_GCM_INLINE static T Xor3(T a, T b, T c) { return Xor(Xor(a, b), c); }
  SFRAME_GCM_INLINE static T Or(T a, T b) {
    return Make(Ymm::Or(a.h[0], b.h[0]), Ymm::Or(a.h[1], b.h[1]));
  }
  SFRAME_GCM_INLINE static T And(T a, T b) {
    return Make(Ymm::And(a.h[0], b.h[0]), Ymm::And(a.h[1], b.h[1]));
  }
  SFRAME_GCM_INLINE static bool IsZero(T v) {
    return Ymm::IsZero(v.h[0]) && Ymm::IsZero(v.h[1]);
  }
  SFRAME_GCM_INLINE static T Add32(T a, T b) {
    return Make(Ymm::Add32(a.h[0], b.h[0]), Ymm::Add32(a.h[1], b.h[1]));
  }
  SFRAME_GCM_INLINE static T Bswap(T v) {
    return Make(Ymm::Bswap(v.h[0]), Ymm::Bswap(v.h[1]));
  }
  SFRAME_GCM_INLINE static T Swap64(T v) {
    return Make(Ymm::Swap64(v.h[0]), Ymm::Swap64(v.h[1]));
  }
  template <int kImm>
  SFRAME_GCM_INLINE static T Clmul(T a, T b) {
    return Make(Ymm::template Clmul<kImm>(a.h[0], b.h[0]),
                Ymm::template Clmul<kImm>(a.h[1], b.h[1]));
  }
  SFRAME_GCM_INLINE static T AesEnc(T v, T k) {
    return Make(Ymm::AesEnc(v.h[0], k.h[0]), Ymm::AesEnc(v.h[1], k.h[1]));
  }
  SFRAME_GCM_INLINE static T AesEncLast(T v, T k) {
    return Make(Ymm::AesEncLast(v.h[0], k.h[0]),
                Ymm::AesEncLast(v.h[1], k.h[1]));
  }
  SFRAME_GCM_INLINE static T CounterOffsets(int first) {
    return Make(Ymm::CounterOffsets(first), Ymm::CounterOffsets(first + 2));
  }
  SFRAME_GCM_INLINE static T BlendLane(T v, T x, int lane) {
    T r = v;
    r.h[lane / 2] = Ymm::BlendLane(v.h[lane / 2], x.h[lane / 2], lane % 2);
    return r;
  }
  SFRAME_GCM_INLINE static __m128i ExtractLane(T v, int lane) {
    return Ymm::ExtractLane(v.h[lane / 2], lane % 2);
  }
  // Lane f = x[f].
  SFRAME_GCM_INLINE static T FromLanes(const __m128i* x) {
    return Make(Ymm::FromLanes(x), Ymm::FromLanes(x + 2));
  }
  // Lane f = the 16 bytes at p[f].
  SFRAME_GCM_INLINE static T LoadLanes(const uint8_t* const* p) {
    return Make(Ymm::LoadLanes(p), Ymm::LoadLanes(p + 2));
  }
  // 4 x 4 transpose of 128-bit lanes: lane j of v[i] <-> lane i of v[j].
  SFRAME_GCM_INLINE static void Transpose(T* v) {
    __m128i x[4][4];
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) x[j][i] = ExtractLane(v[i], j);
    }
    for (int i = 0; i < 4; ++i) v[i] = FromLanes(x[i]);
  }
  SFRAME_GCM_INLINE static T ZeroLanesMask(T v) {
    return Make(Ymm::ZeroLanesMask(v.h[0]), Ymm::ZeroLanesMask(v.h[1]));
  }
  SFRAME_GCM_INLINE static T BcastLane(T v, int lane) {
    return Bcast(ExtractLane(v, lane));
  }
  // Lane f = lane `lane` of v[f].
  SFRAME_GCM_INLINE static T GatherLane(const T* v, int lane) {
    const __m128i x[4] = {ExtractLane(v[0], lane), ExtractLane(v[1], lane),
                          ExtractLane(v[2], lane), ExtractLane(v[3], lane)};
    return FromLanes(x);
  }
  SFRAME_GCM_INLINE static __m128i HXor(T v) {
    return _mm_xor_si128(Ymm::HXor(v.h[0]), Ymm::HXor(v.h[1]));
  }
};

void SealBatch(const GcmBatchItem* items, size_t n);
void OpenBatch(const GcmBatchItem* items, size_t n, uint8_t* ok);
bool SealUniformBatch(const GcmBatchItem* items, size_t n);
bool OpenUniformBatch(const GcmBatchItem* items, size_t n, uint8_t* ok);

}  // namespace emulated_avx512

// Instantiated once, in aes_gcm_emulated_avx512.cc.
namespace gcm {
extern template void Seal<emulated_avx512::Zmm2>(
    const GcmKernelKey* key, const uint8_t* nonce, const uint8_t* aad1,
    size_t aad1_len, const uint8_t* aad2, size_t aad2_len, const uint8_t* in,
    size_t len, uint8_t* out, uint8_t* tag);
extern template bool Open<emulated_avx512::Zmm2>(
    const GcmKernelKey* key, const uint8_t* nonce, const uint8_t* aad1,
    size_t aad1_len, const uint8_t* aad2, size_t aad2_len, const uint8_t* in,
    size_t len, const uint8_t* tag, uint8_t* out);
}  // namespace gcm
}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_TESTS_AES_GCM_EMULATED_AVX512_VOCAB_H_
