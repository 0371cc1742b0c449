// Copyright 2026 The sframecpp Authors.
//
// Internal interface of the vectorised AES-GCM kernels.
//
// A kernel is a table of plain functions chosen once per key (DESIGN.md §4).
// Each ISA-specific implementation lives in its own translation unit
// (`aes_gcm_x86_64_vaes_avx512.cc`, `aes_gcm_x86_64_vaes_avx2.cc`) and is
// compiled with `__attribute__((target(...)))`, never with global `-m` flags,
// so the rest of the library still runs on any x86-64 CPU.
//
// GCM here is always the RFC 5116 shape SFrame uses: a 12-byte nonce, a
// 16-byte tag, AES-128 or AES-256. The AAD is given as two spans that are
// hashed as if concatenated (SFrame's `header || metadata`), so callers never
// copy them.

#ifndef SFRAME_SRC_CRYPTO_AES_GCM_KERNEL_H_
#define SFRAME_SRC_CRYPTO_AES_GCM_KERNEL_H_

#include <cstddef>
#include <cstdint>

namespace sframe {
namespace internal {

// Size of the opaque per-key state. Large enough for 15 round keys and the
// GHASH key powers a kernel wants (each kernel static_asserts that it fits).
inline constexpr size_t kGcmKernelKeyBytes = 2560;

// The only public bytes of a GcmKernelKey: [kGcmKernelKeyPublicOffset,
// + kGcmKernelKeyPublicSize) hold the round count (10 or 14) and the bulk
// GHASH flavour (GcmBulkKaratsuba), which the kernels branch on. Everything
// else (round keys, H powers) is secret; the constant-time test poisons it all.
inline constexpr size_t kGcmKernelKeyPublicOffset = 240;
inline constexpr size_t kGcmKernelKeyPublicSize = 16;

// Per-key precomputed state (round keys, H powers). The layout is private to
// the kernel that filled it; a key filled by one kernel must only be used with
// that kernel. The owner wipes it with OPENSSL_cleanse when it dies.
struct alignas(64) GcmKernelKey {
  uint8_t bytes[kGcmKernelKeyBytes];
};

class Aead;  // src/crypto/aead.h

// One frame of a batch call. `in` and `out` are either equal (in place) or do
// not overlap. For seal, `tag` receives 16 bytes; for open, `tag` holds the
// 16 received bytes. No item's `out` or `tag` may overlap another item's
// buffers: the kernels read items (a lane group's, and the next group's
// nonces) before they write earlier ones.
struct GcmBatchItem {
  const GcmKernelKey* key;
  const uint8_t* nonce;  // 12 bytes
  const uint8_t* aad1;
  size_t aad1_len;
  const uint8_t* aad2;
  size_t aad2_len;
  const uint8_t* in;
  size_t len;
  uint8_t* out;
  uint8_t* tag;
  // Never dereferenced by the kernels (the uniform batch calls compare it).
  // The Aead layer's batch item is this struct (AeadBatchItem), with the
  // frame's key here, so that a batch whose keys run on one kernel is handed
  // to it as it stands, without a conversion.
  Aead* aead = nullptr;
};

struct GcmKernel {
  // Human-readable name, e.g. "vaes_avx512".
  const char* name;

  // Expands `aes_key` (16 or 32 bytes) into `key`. No secret-dependent
  // branches or table lookups.
  void (*init)(GcmKernelKey* key, const uint8_t* aes_key, size_t aes_key_len);

  // AES-GCM encrypt of `len` bytes from `in` to `out`, with AAD = aad1||aad2.
  // Writes the 16-byte tag to `tag`. Any pointer may be null when its length
  // is 0. `in == out` is allowed; other overlap is not.
  void (*seal)(const GcmKernelKey* key, const uint8_t* nonce,
               const uint8_t* aad1, size_t aad1_len, const uint8_t* aad2,
               size_t aad2_len, const uint8_t* in, size_t len, uint8_t* out,
               uint8_t* tag);

  // AES-GCM decrypt. Returns true iff the computed tag equals `tag` (16
  // bytes), compared in constant time. On mismatch all `len` bytes of `out`
  // are zero when it returns. `in == out` is allowed; other overlap is not.
  bool (*open)(const GcmKernelKey* key, const uint8_t* nonce,
               const uint8_t* aad1, size_t aad1_len, const uint8_t* aad2,
               size_t aad2_len, const uint8_t* in, size_t len,
               const uint8_t* tag, uint8_t* out);

  // Batch forms: the same results as calling seal/open on each item, in any
  // internal order. `ok[i]` receives 1 if item i verified, else 0 (and its
  // output is zeroed). May be null if the kernel has no batch path; callers
  // then loop over seal/open.
  void (*seal_batch)(const GcmBatchItem* items, size_t n);
  void (*open_batch)(const GcmBatchItem* items, size_t n, uint8_t* ok);

  // seal_batch / open_batch for the common batch of one key and one lane
  // shape: if n >= the lane count, every item has items[0]'s `key`,
  // `aad1_len`, `aad2_len`, `len` and `aead` (compared, never dereferenced),
  // and that shape goes in lanes, they process the batch and return true.
  // Otherwise they return false and write nothing. The Aead layer checks
  // items[0] is its Aead's and lets this one pass check the rest. Null when
  // seal_batch is.
  bool (*seal_uniform_batch)(const GcmBatchItem* items, size_t n);
  bool (*open_uniform_batch)(const GcmBatchItem* items, size_t n, uint8_t* ok);

  // AES-CTR with the key `init` expanded (its GHASH state is unused): XORs
  // `len` bytes of `in` with the keystream E_K(cb), E_K(inc32(cb)), ...,
  // where inc32 adds 1 mod 2^32 to the last 4 bytes of the 16-byte counter
  // block `cb`, read big-endian (SP 800-38D §6.2). SFrame's AES-CTR-HMAC
  // suites pass cb = nonce || 0^32 (RFC 9605 §4.5.1). `in == out` is allowed;
  // other overlap is not; no alignment needed; pointers may be null when
  // len is 0.
  void (*ctr32)(const GcmKernelKey* key, const uint8_t* cb, const uint8_t* in,
                size_t len, uint8_t* out);

  // The frames seal_batch/open_batch put in vector lanes: 1 <= len <=
  // lane_max_len and AAD (both parts) <= lane_max_aad bytes. The others get
  // the single-frame code inside the batch call, so a caller gains nothing
  // by batching them.
  size_t lane_max_len;
  size_t lane_max_aad;
};

// The GHASH of the VAES kernels' bulk loop (messages over 4 vectors) comes in
// two flavours with identical results. Karatsuba multiplies each block 3
// times instead of 4 and pays with a shuffle and XORs: it wins where the
// carry-less multiplier is the scarce unit (AMD Zen 4 and Zen 5) and loses
// where the vector ALU ports are (Intel, where VAES and VPCLMULQDQ each have
// one port and the shuffles share VPCLMULQDQ's). docs/kernels.md has the
// measurements. A key takes the flavour in force when it is initialised.
enum class GcmBulkGhash { kAuto, kKaratsuba, kSchoolbook };

// True if keys initialised now use Karatsuba: the flavour forced by
// SetGcmBulkGhashForTesting, else by the environment variable
// SFRAME_GCM_BULK_GHASH=karatsuba|schoolbook (read once; for benchmarks),
// else Karatsuba on AMD CPUs and schoolbook on all others.
bool GcmBulkKaratsuba();

// Forces the flavour of keys initialised afterwards (kAuto: back to the
// default). For tests; not synchronised with concurrent key setup.
void SetGcmBulkGhashForTesting(GcmBulkGhash flavour);

// What the VAES kernels' batch calls do with frames left without enough
// partners of their own key and class (a frame per key, from many senders):
// lane groups of mixed keys, or the single-frame code, frame by frame. A
// mixed group builds each lane's round keys and GHASH powers with lane
// inserts, shuffles that Intel runs on the port VPCLMULQDQ uses: on the
// Intel host a frame in one cost 34 ns against 22 for a single call (112-byte
// seals, 64 keys), while Zen 5 measured 14.3 against 18 (docs/kernels.md).
// In kSingles, leftovers of up to half a group of one key go single too.
enum class GcmMixedKeys { kAuto, kGroups, kSingles };

// True if batch calls put such frames in mixed-key groups: the choice forced
// by SetGcmMixedKeysForTesting, else by the environment variable
// SFRAME_GCM_MIXED_KEYS=groups|singles (read once; for benchmarks), else
// groups on AMD CPUs and single calls on all others.
bool GcmMixedKeyGroups();

// Forces the choice for later batch calls (kAuto: back to the default). For
// tests.
void SetGcmMixedKeysForTesting(GcmMixedKeys mode);

// Each returns the kernel if this CPU (and OS) supports it, else nullptr.
const GcmKernel* GcmKernelVaesAvx512();
const GcmKernel* GcmKernelVaesAvx2();

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_AES_GCM_KERNEL_H_
