// Copyright 2026 The sframecpp Authors.
//
// The internal per-key AEAD: AES-GCM (suites 4, 5) or AES-CTR + HMAC
// (RFC 9605 §4.5.1; suites 1–3 and 6–8). The implementation is chosen once,
// when the key is set up; the per-frame path never queries the CPU and never
// allocates.
//
// The AAD is taken as two spans hashed as if concatenated, so SFrame's
// `header || metadata` is never copied.

#ifndef SFRAME_SRC_CRYPTO_AEAD_H_
#define SFRAME_SRC_CRYPTO_AEAD_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sframe/cipher_suite.h"
#include "src/crypto/aes_gcm_kernel.h"

namespace sframe {
namespace internal {

class Aead;
class FastCtrHmac;

// One frame of Aead::SealBatch / Aead::OpenBatch: the GCM kernels' batch
// item, with `aead` the frame's key (frames may use different keys) and
// `key` that key's kernel state, aead->gcm_key() (null when it has none).
// Build items with MakeAeadBatchItem. AAD = aad1 || aad2, as in Aead::Seal;
// `out` has `len` bytes and equals `in` or does not overlap it; `tag`
// receives (seal) or holds (open) aead->tag_size() bytes.
using AeadBatchItem = GcmBatchItem;

// Which code computes the AEAD. For AES-GCM: the named kernel. For the
// AES-CTR-HMAC-SHA-256 suites (1–3): a VAES kernel value selects AES-CTR on
// that kernel plus HMAC on SHA-NI (when the CPU has SHA-NI; otherwise, and
// for kBoringSsl, BoringSSL's AES-CTR and HMAC). The SHA-512 suites (6–8)
// always use BoringSSL.
enum class AeadImplementation {
  kAuto,        // the fastest this CPU supports
  kBoringSsl,   // BoringSSL EVP (portable fallback; also the test oracle)
  kVaesAvx512,  // our VAES + VPCLMULQDQ AVX-512 kernel
  kVaesAvx2,    // our VAES + VPCLMULQDQ AVX2 kernel
};

// Parses "auto", "boringssl", "vaes_avx512", "vaes_avx2".
absl::StatusOr<AeadImplementation> ParseAeadImplementation(absl::string_view);

// True if `impl` can run on this CPU (kAuto and kBoringSsl always can).
bool IsAeadImplementationSupported(AeadImplementation impl);

// The implementation newly created keys use when they ask for kAuto:
// the value set by SetDefaultAeadImplementationForTesting if any, else the
// environment variable SFRAME_AEAD_IMPL (read once; for benchmarks; a value
// that is unknown or that this CPU cannot run falls back to kAuto with a
// line on stderr), else kAuto.
AeadImplementation DefaultAeadImplementation();

// Test hook: forces the implementation of keys created from now on. Pass
// kAuto to go back to the default (SFRAME_AEAD_IMPL, else automatic
// choice). Not thread-safe: call it while no other thread creates keys;
// tests only.
void SetDefaultAeadImplementationForTesting(AeadImplementation impl);

// Test hook: the largest piece (in bytes) the BoringSSL GCM path hands to
// one EVP_CipherUpdate; 0 restores the default (2^30, below INT_MAX). Not
// thread-safe; tests only.
void SetBoringSslGcmPieceForTesting(size_t piece);

class Aead {
 public:
  // Sets up `key` (KeySize(suite) bytes). kInvalidArgument for a wrong key
  // size, kFailedPrecondition if `impl` cannot run on this CPU.
  static absl::StatusOr<std::unique_ptr<Aead>> Create(
      CipherSuite suite, absl::Span<const uint8_t> key,
      AeadImplementation impl = AeadImplementation::kAuto);

  virtual ~Aead() = default;
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;

  CipherSuite suite() const { return suite_; }
  size_t tag_size() const { return TagSize(suite_); }
  // E.g. "boringssl", "vaes_avx512", "ctr_hmac" (BoringSSL CTR + HMAC),
  // "vaes_avx512_shani" (our CTR + HMAC).
  virtual absl::string_view implementation_name() const = 0;

  // Encrypts `in` into `out` (in.size() bytes) and writes tag_size() bytes
  // to `tag`. `out == in.data()` is allowed; other overlap is not. `nonce` is
  // 12 bytes. Returns false only if BoringSSL fails internally.
  virtual bool Seal(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
                    absl::Span<const uint8_t> aad2,
                    absl::Span<const uint8_t> in, uint8_t* out,
                    uint8_t* tag) = 0;

  // Verifies `tag` (tag_size() bytes) in constant time and decrypts `in`
  // into `out`. Returns false on mismatch, with in.size() bytes of `out`
  // zeroed. `out == in.data()` is allowed.
  virtual bool Open(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
                    absl::Span<const uint8_t> aad2,
                    absl::Span<const uint8_t> in, const uint8_t* tag,
                    uint8_t* out) = 0;

  // Seal / Open with the same contract, for the per-frame path of the SFrame
  // layer: when this key runs on one of our GCM kernels the kernel is called
  // directly, without the virtual call and its wrapper (about 1-2 ns of a
  // 160-byte frame); otherwise they forward to Seal / Open.
  bool SealDirect(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
                  absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
                  uint8_t* out, uint8_t* tag);
  bool OpenDirect(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
                  absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
                  const uint8_t* tag, uint8_t* out);

  // The frames SealBatch / OpenBatch do better for than single Seal / Open
  // calls: 1 <= length <= batch_max_len() with AAD <= batch_max_aad() bytes.
  // On a VAES GCM kernel, those it puts in vector lanes; on our CTR + SHA-NI
  // HMAC, every frame (the MACs run several at a time; SIZE_MAX); elsewhere
  // none (0). For the rest the batch entry points make the same single call,
  // later and after more bookkeeping.
  size_t batch_max_len() const {
    if (gcm_kernel_ != nullptr) return gcm_kernel_->lane_max_len;
    return batch_always_pays_ ? SIZE_MAX : 0;
  }
  size_t batch_max_aad() const {
    if (gcm_kernel_ != nullptr) return gcm_kernel_->lane_max_aad;
    return batch_always_pays_ ? SIZE_MAX : 0;
  }

  // The VAES GCM kernel and key state this key runs on, or nullptr (for
  // callers that keep them next to their own per-frame state).
  const GcmKernel* gcm_kernel() const { return gcm_kernel_; }
  const GcmKernelKey* gcm_key() const { return gcm_key_; }

  // Batch entry points (internal; the public batch API is built on them).
  //
  // Seals (resp. opens) every item as if by items[i].aead->Seal(...) (resp.
  // Open) and gives byte-identical results: same ciphertexts, tags,
  // plaintexts and accept/reject bits. When every item's key runs on the
  // same VAES GCM kernel, the kernel's batch path puts short frames (up to
  // 256 bytes; keys, nonces, AADs and lengths may differ) in vector lanes,
  // several at a time, which costs less per frame than single calls.
  // Otherwise the items whose key is AES-CTR-HMAC-SHA-256 on our kernels
  // (suites 1–3 with SHA-NI) are encrypted one by one and their HMACs
  // computed several frames at a time (HmacSha256ShaniMulti), and the rest
  // (BoringSSL, GCM keys of mixed kernels) loop over Seal/Open.
  //
  // Aliasing: each item's `out` equals its `in.data()` or overlaps nothing;
  // no item's output or tag may overlap another item's input, nonce, AAD,
  // output or tag.
  // Items are processed in an unspecified order. Not thread-safe for a key
  // used concurrently elsewhere (the same rule as Seal/Open). Allocates
  // nothing.
  //
  // SealBatch returns false if any item failed (only BoringSSL can fail
  // internally); that item's output is then unspecified. OpenBatch writes
  // ok[i] = 1 if item i verified, else 0 with its in.size() output bytes
  // zeroed; `ok` has items.size() entries.
  static bool SealBatch(absl::Span<const AeadBatchItem> items);
  static void OpenBatch(absl::Span<const AeadBatchItem> items, uint8_t* ok);

 protected:
  explicit Aead(CipherSuite suite) : suite_(suite) {}

  // The VAES GCM kernel and its key state when this key runs on one (set
  // once by that implementation), else nullptr. Plain fields, not virtual
  // calls: SealDirect/OpenDirect and the batch path read them every frame.
  const GcmKernel* gcm_kernel_ = nullptr;
  const GcmKernelKey* gcm_key_ = nullptr;
  // Set by implementations whose batch path helps every frame (BatchPays).
  bool batch_always_pays_ = false;
  // For the batch path: this key when it is our CTR + SHA-NI HMAC
  // implementation, else nullptr.
  virtual const FastCtrHmac* fast_ctr_hmac() const { return nullptr; }

 private:
  // Seals (ok == nullptr) or opens (accept bits to ok[0..]) the items from
  // the front of `items` whose key runs on the first item's GCM kernel (and
  // whose `key` is that key's state), in one call to that kernel's batch
  // entry point; returns how many. The batch entry points give the rest the
  // general path.
  static size_t KernelPrefix(absl::Span<const AeadBatchItem> items,
                             uint8_t* ok);

  CipherSuite suite_;
};

// Writes *item field by field, with `key` = aead->gcm_key() passed in (so
// that per-frame loops keep it in a register). Field by field, not as a
// struct copy: a copy into a stack chunk was read back with wider moves that
// stalled on store forwarding.
inline void SetAeadBatchItem(AeadBatchItem* item, Aead* aead,
                             const GcmKernelKey* key, const uint8_t* nonce,
                             absl::Span<const uint8_t> aad1,
                             absl::Span<const uint8_t> aad2,
                             absl::Span<const uint8_t> in, uint8_t* out,
                             uint8_t* tag) {
  item->key = key;
  item->nonce = nonce;
  item->aad1 = aad1.data();
  item->aad1_len = aad1.size();
  item->aad2 = aad2.data();
  item->aad2_len = aad2.size();
  item->in = in.data();
  item->len = in.size();
  item->out = out;
  item->tag = tag;
  item->aead = aead;
}

inline AeadBatchItem MakeAeadBatchItem(Aead* aead, const uint8_t* nonce,
                                       absl::Span<const uint8_t> aad1,
                                       absl::Span<const uint8_t> aad2,
                                       absl::Span<const uint8_t> in,
                                       uint8_t* out, uint8_t* tag) {
  AeadBatchItem item;
  SetAeadBatchItem(&item, aead, aead->gcm_key(), nonce, aad1, aad2, in, out,
                   tag);
  return item;
}

inline bool Aead::SealDirect(const uint8_t* nonce,
                             absl::Span<const uint8_t> aad1,
                             absl::Span<const uint8_t> aad2,
                             absl::Span<const uint8_t> in, uint8_t* out,
                             uint8_t* tag) {
  if (gcm_kernel_ == nullptr) return Seal(nonce, aad1, aad2, in, out, tag);
  gcm_kernel_->seal(gcm_key_, nonce, aad1.data(), aad1.size(), aad2.data(),
                    aad2.size(), in.data(), in.size(), out, tag);
  return true;
}

inline bool Aead::OpenDirect(const uint8_t* nonce,
                             absl::Span<const uint8_t> aad1,
                             absl::Span<const uint8_t> aad2,
                             absl::Span<const uint8_t> in, const uint8_t* tag,
                             uint8_t* out) {
  if (gcm_kernel_ == nullptr) return Open(nonce, aad1, aad2, in, tag, out);
  return gcm_kernel_->open(gcm_key_, nonce, aad1.data(), aad1.size(),
                           aad2.data(), aad2.size(), in.data(), in.size(), tag,
                           out);
}

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_AEAD_H_
