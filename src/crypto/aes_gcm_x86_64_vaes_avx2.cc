// Copyright 2026 The sframecpp Authors.
//
// AES-GCM kernel: VAES + VPCLMULQDQ + AVX2 on 256-bit vectors, for CPUs with
// VAES but without AVX-512 (AMD Zen 3, Intel Alder Lake and later clients).
// No AVX-512 instruction is used (no EVEX, no k-registers).
//
// CONTRACT
//
// Requires: AES-NI, PCLMULQDQ, AVX, AVX2, VAES and VPCLMULQDQ, with the OS
//   saving ymm state. GcmKernelVaesAvx2() checks this once and returns nullptr
//   otherwise.
// Computes: AES-128-GCM / AES-256-GCM (SP 800-38D) with a 12-byte nonce and a
//   16-byte tag, AAD = aad1 || aad2 hashed as one GHASH stream (SFrame's
//   header || metadata, RFC 9605 §4.4.3).
// Preconditions: `key` was filled by this kernel's (or the AVX-512 kernel's;
//   the layout is shared) init. Any pointer may be null when its length is 0.
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
// The same algorithm as the AVX-512 kernel with 2-block vectors: a single
// pass for messages of up to 256 bytes, a 16-block (8 ymm) stitched loop with
// GHASH (Karatsuba on AMD, schoolbook elsewhere: GcmBulkKaratsuba) and one
// reduction per 16 blocks above that (then at most one 8-block batch).
// AVX2 has no byte-masked loads and stores. A partial vector loaded (the
// last bytes of the message, or a window of the two AAD spans) moves its
// whole dwords with a vpmaskmovd load (masked-off dwords are never accessed
// and cannot fault) and a partial dword at either end with one scalar 4-byte
// load that stays inside the span (shifted into place; windows under 4 bytes
// use 1- and 2-byte loads). A partial vector stored takes two plain stores of
// 16, 8 or 4 bytes, the second ending at the last byte (1-3 bytes: a 1- and
// a 2-byte store); vpmaskmovd stores are microcoded on Zen 3. So nothing
// outside the caller's buffers is ever touched and nothing goes through the
// stack. (A memcpy through a stack buffer, as first written, cost a library
// call that spilled every live ymm register, plus a failed store forward on the
// reload: about 27 ns of a 16-byte seal on an Intel Golden Cove-class core,
// docs/kernels.md.)
//
// Constant time: branches depend only on lengths, the key size, the key's
// (public) GHASH flavour and the final accept/reject bit.

#include "src/crypto/aes_gcm_x86_64_vaes_avx2.h"

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/cpu_x86.h"

namespace sframe {
namespace internal {

// The one instance of each (the header declares them extern).
template void gcm::Seal<vaes_avx2::Ymm>(const GcmKernelKey* key,
                                        const uint8_t* nonce,
                                        const uint8_t* aad1, size_t aad1_len,
                                        const uint8_t* aad2, size_t aad2_len,
                                        const uint8_t* in, size_t len,
                                        uint8_t* out, uint8_t* tag);
template bool gcm::Open<vaes_avx2::Ymm>(const GcmKernelKey* key,
                                        const uint8_t* nonce,
                                        const uint8_t* aad1, size_t aad1_len,
                                        const uint8_t* aad2, size_t aad2_len,
                                        const uint8_t* in, size_t len,
                                        const uint8_t* tag, uint8_t* out);

namespace {

using vaes_avx2::Ymm;

// The gcm:: functions go into the table directly: each is compiled for this
// file's ISA (SFRAME_GCM_TARGET).
constexpr GcmKernel kKernel = {
    "vaes_avx2",
    gcm::InitKey<Ymm>,            // init
    gcm::Seal<Ymm>,               // seal
    gcm::Open<Ymm>,               // open
    vaes_avx2::SealBatch,         // seal_batch
    vaes_avx2::OpenBatch,         // open_batch
    vaes_avx2::SealUniformBatch,  // seal_uniform_batch
    vaes_avx2::OpenUniformBatch,  // open_uniform_batch
    gcm::Ctr32<Ymm>,              // ctr32
    gcm::kLaneMaxLen<Ymm>,        // lane_max_len
    gcm::kLaneMaxAad<Ymm>,        // lane_max_aad
};

bool CpuSupported() {
  const X86Features& f = GetX86Features();
  return f.aes && f.pclmul && f.avx2 && f.vaes && f.vpclmulqdq;
}

}  // namespace

const GcmKernel* GcmKernelVaesAvx2() {
  static const GcmKernel* const kernel = CpuSupported() ? &kKernel : nullptr;
  return kernel;
}

}  // namespace internal
}  // namespace sframe
