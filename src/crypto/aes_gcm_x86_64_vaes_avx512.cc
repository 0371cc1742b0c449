// Copyright 2026 The sframecpp Authors.
//
// AES-GCM kernel: VAES + VPCLMULQDQ + AVX-512 (F, BW, VL) on 512-bit vectors.
//
// CONTRACT
//
// Requires: AES-NI, PCLMULQDQ, AVX2, AVX-512F/BW/VL, VAES, VPCLMULQDQ and
//   BMI2, with the OS saving zmm and opmask state. GcmKernelVaesAvx512()
//   checks this once and returns nullptr otherwise; nothing in this file runs
//   before that check passes.
// Computes: AES-128-GCM / AES-256-GCM (SP 800-38D) with a 12-byte nonce and a
//   16-byte tag, AAD = aad1 || aad2 hashed as one GHASH stream (SFrame's
//   header || metadata, RFC 9605 §4.4.3) without copying it anywhere.
// Preconditions: `key` was filled by this kernel's (or the AVX2 kernel's; the
//   layout is shared) init. Any pointer may be null when its length is 0.
//   Buffers need no alignment. in == out is allowed; other overlap is not.
//   len <= 2^36 - 32 (kMaxPayloadSize, the GCM limit: the block counter
//   does not wrap; lengths are public).
// Outputs: seal writes exactly len bytes of out and 16 tag bytes. open writes
//   exactly len bytes of out: the plaintext if the tag verifies, else zeros.
//   For messages of at most 256 bytes plaintext is never written before the
//   tag is verified; longer ones are written, then zeroed on failure.
// Side effects: none; thread-safe for concurrent calls on one key.
//
// HOW IT WORKS (the maths is in aes_gcm_common.h)
//
// One vector = 4 blocks. Messages of up to 256 bytes take a single pass:
// 0..4 counter vectors (E_K(J0) in a free lane of the last one when there is
// one), masked (k-register) loads and stores for the partial vector, and the
// AAD, the ciphertext and the lengths block hashed with their own powers
// H^g..H^1 under ONE reduction. Longer messages run a 32-block (8 zmm) loop
// whose GHASH (Karatsuba on AMD, schoolbook elsewhere: GcmBulkKaratsuba; of
// the previous batch when encrypting, of the loaded batch when decrypting)
// is spread between the AES rounds, one reduction per 32 blocks, then at
// most one 16-block batch; the remaining 0..255 bytes go through the
// single-pass code. Batch calls interleave the AES rounds of 4
// short frames (docs/kernels.md has the schedule and the measurements). The
// AAD's two spans are read with two masked loads and an OR per vector;
// masked-off bytes are neither read nor faulted on.
//
// Constant time: branches depend only on lengths, the key size, the key's
// (public) GHASH flavour and the final accept/reject bit; masks come from
// lengths (bzhi).

#include "src/crypto/aes_gcm_x86_64_vaes_avx512.h"

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/cpu_x86.h"

namespace sframe {
namespace internal {

// The one instance of each (the header declares them extern).
template void gcm::Seal<vaes_avx512::Zmm>(const GcmKernelKey* key,
                                          const uint8_t* nonce,
                                          const uint8_t* aad1, size_t aad1_len,
                                          const uint8_t* aad2, size_t aad2_len,
                                          const uint8_t* in, size_t len,
                                          uint8_t* out, uint8_t* tag);
template bool gcm::Open<vaes_avx512::Zmm>(const GcmKernelKey* key,
                                          const uint8_t* nonce,
                                          const uint8_t* aad1, size_t aad1_len,
                                          const uint8_t* aad2, size_t aad2_len,
                                          const uint8_t* in, size_t len,
                                          const uint8_t* tag, uint8_t* out);

namespace {

using vaes_avx512::Zmm;

// The gcm:: functions go into the table directly: each is compiled for this
// file's ISA (SFRAME_GCM_TARGET).
constexpr GcmKernel kKernel = {
    "vaes_avx512",
    gcm::InitKey<Zmm>,              // init
    gcm::Seal<Zmm>,                 // seal
    gcm::Open<Zmm>,                 // open
    vaes_avx512::SealBatch,         // seal_batch
    vaes_avx512::OpenBatch,         // open_batch
    vaes_avx512::SealUniformBatch,  // seal_uniform_batch
    vaes_avx512::OpenUniformBatch,  // open_uniform_batch
    gcm::Ctr32<Zmm>,                // ctr32
    gcm::kLaneMaxLen<Zmm>,          // lane_max_len
    gcm::kLaneMaxAad<Zmm>,          // lane_max_aad
};

bool CpuSupported() {
  const X86Features& f = GetX86Features();
  return f.aes && f.pclmul && f.avx2 && f.bmi2 && f.avx512f && f.avx512bw &&
         f.avx512vl && f.vaes && f.vpclmulqdq;
}

}  // namespace

const GcmKernel* GcmKernelVaesAvx512() {
  static const GcmKernel* const kernel = CpuSupported() ? &kKernel : nullptr;
  return kernel;
}

}  // namespace internal
}  // namespace sframe
