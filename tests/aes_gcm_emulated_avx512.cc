// Copyright 2026 The sframecpp Authors.
//
// The AVX-512 kernel's algorithm on a CPU without AVX-512, for the tests.
//
// The kernels' algorithm is written once (aes_gcm_common.h) against a
// vocabulary of vector operations; the AVX-512 kernel instantiates it with
// 64-byte vectors of 4 blocks (struct Zmm), and its batch lane groups then
// take 4 frames. On a CPU without AVX-512 (Zen 3, the AVX2 hosts of CI)
// that instantiation cannot run, so the 4-lane shapes of the batch code
// (its run modes, queues, gathered power rows, the key-slot path) would go
// untested there. Zmm2 is the Zmm vocabulary emulated on two ymm registers
// with AVX2 + VAES: the same vector width, lane count and limits as Zmm
// (kBlocks, kShortVectors, kLaneVectors, kBulkVectors), each operation
// built from the AVX2 vocabulary's on the two halves. The common code
// instantiated with it takes every branch the AVX-512 kernel takes, so
// aes_gcm_kernel_test runs it as one more kernel, against BoringSSL and the
// single calls. What it cannot check is the Zmm vocabulary itself (masked
// loads and stores, lane shuffles), which only an AVX-512 CPU runs.

#include "tests/aes_gcm_emulated_avx512.h"

#include <cstddef>
#include <cstdint>

#include "src/crypto/aes_gcm_kernel.h"
#include "tests/aes_gcm_emulated_avx512_vocab.h"

namespace sframe {
namespace internal {

template void gcm::Seal<emulated_avx512::Zmm2>(
    const GcmKernelKey* key, const uint8_t* nonce, const uint8_t* aad1,
    size_t aad1_len, const uint8_t* aad2, size_t aad2_len, const uint8_t* in,
    size_t len, uint8_t* out, uint8_t* tag);
template bool gcm::Open<emulated_avx512::Zmm2>(
    const GcmKernelKey* key, const uint8_t* nonce, const uint8_t* aad1,
    size_t aad1_len, const uint8_t* aad2, size_t aad2_len, const uint8_t* in,
    size_t len, const uint8_t* tag, uint8_t* out);

namespace emulated_avx512 {
namespace {

constexpr GcmKernel kKernel = {
    "emulated_avx512",
    gcm::InitKey<Zmm2>,      // init
    gcm::Seal<Zmm2>,         // seal
    gcm::Open<Zmm2>,         // open
    SealBatch,               // seal_batch
    OpenBatch,               // open_batch
    SealUniformBatch,        // seal_uniform_batch
    OpenUniformBatch,        // open_uniform_batch
    gcm::Ctr32<Zmm2>,        // ctr32
    gcm::kLaneMaxLen<Zmm2>,  // lane_max_len
    gcm::kLaneMaxAad<Zmm2>,  // lane_max_aad
};

}  // namespace
}  // namespace emulated_avx512

const GcmKernel* GcmKernelEmulatedAvx512() {
  // The AVX2 kernel's requirements.
  return GcmKernelVaesAvx2() != nullptr ? &emulated_avx512::kKernel : nullptr;
}

}  // namespace internal
}  // namespace sframe
