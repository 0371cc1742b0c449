// Copyright 2026 The sframecpp Authors.

#include "src/crypto/aead.h"

#include <openssl/aes.h>
#include <openssl/cipher.h>
#include <openssl/digest.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/base/attributes.h"
#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/constant_time.h"
#include "src/crypto/secret.h"
#include "src/crypto/sha256_x86_64_shani.h"

namespace sframe {
namespace internal {
namespace {

bool g_forced_set = false;
AeadImplementation g_forced = AeadImplementation::kAuto;

void StoreBigEndian64(uint64_t v, uint8_t* out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // One 8-byte store: byte-wise stores read back by a wider load (the MAC
  // reads the prefix 16 bytes at a time) stall store forwarding.
  const uint64_t be = __builtin_bswap64(v);
  memcpy(out, &be, sizeof(be));
#else
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
#endif
}

// The largest piece BoringSslGcm hands to one EVP_CipherUpdate (an int
// length); tests make it small (SetBoringSslGcmPieceForTesting).
constexpr size_t kGcmPiece = size_t{1} << 30;
size_t g_gcm_piece = kGcmPiece;

// AES-GCM through BoringSSL's EVP_CIPHER interface, which (unlike EVP_AEAD)
// accepts the AAD in several pieces.
class BoringSslGcm final : public Aead {
 public:
  explicit BoringSslGcm(CipherSuite suite) : Aead(suite) {
    EVP_CIPHER_CTX_init(&ctx_);
  }
  ~BoringSslGcm() override {
    // Wipe the whole GCM state (AES key schedule, GHASH table) ourselves:
    // BoringSSL's cleanup only cleanses part of it. A zeroed state is still
    // safe to clean up (its IV pointer becomes null, which is freed as a
    // no-op).
    if (ctx_.cipher != nullptr && ctx_.cipher_data != nullptr) {
      WipeSecret(ctx_.cipher_data, ctx_.cipher->ctx_size);
    }
    EVP_CIPHER_CTX_cleanup(&ctx_);
  }

  bool Init(absl::Span<const uint8_t> key) {
    const EVP_CIPHER* cipher =
        key.size() == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
    return EVP_CipherInit_ex(&ctx_, cipher, nullptr, key.data(), nullptr, 1) ==
           1;
  }

  absl::string_view implementation_name() const override { return "boringssl"; }

  bool Seal(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            uint8_t* out, uint8_t* tag) override {
    if (!Start(nonce, aad1, aad2, 1) || !Update(in, out)) return false;
    int len = 0;
    uint8_t unused[16];
    return EVP_CipherFinal_ex(&ctx_, unused, &len) == 1 &&
           EVP_CIPHER_CTX_ctrl(&ctx_, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
  }

  bool Open(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            const uint8_t* tag, uint8_t* out) override {
    int len = 0;
    uint8_t unused[16];
    bool ok = Start(nonce, aad1, aad2, 0) &&
              EVP_CIPHER_CTX_ctrl(&ctx_, EVP_CTRL_GCM_SET_TAG, 16,
                                  const_cast<uint8_t*>(tag)) == 1 &&
              Update(in, out);
    // Final compares the tags with CRYPTO_memcmp (constant time); the
    // accept/reject bit is public (constant_time.h).
    ok = DeclassifyBool(EVP_CipherFinal_ex(&ctx_, unused, &len) == 1) && ok;
    if (!ok && !in.empty()) OPENSSL_cleanse(out, in.size());
    return ok;
  }

 private:
  // EVP_CipherUpdate takes an int length: longer spans go in pieces of
  // g_gcm_piece bytes (GCM streams), each checked to be consumed whole. A
  // single cast to int would hash and decrypt only the length modulo 2^32
  // of a longer frame, and let a frame with 2^32 bytes appended to a genuine
  // one pass its tag.
  // The AAD (out == nullptr) or the payload.
  bool Update(absl::Span<const uint8_t> in, uint8_t* out) {
    const size_t piece = g_gcm_piece;
    for (size_t done = 0; done < in.size(); done += piece) {
      const int n = static_cast<int>(std::min(piece, in.size() - done));
      int len = 0;
      if (EVP_CipherUpdate(&ctx_, out == nullptr ? nullptr : out + done, &len,
                           in.data() + done, n) != 1 ||
          (out != nullptr && len != n)) {
        return false;
      }
    }
    return true;
  }

  bool Start(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
             absl::Span<const uint8_t> aad2, int enc) {
    return EVP_CipherInit_ex(&ctx_, nullptr, nullptr, nullptr, nonce, enc) ==
               1 &&
           Update(aad1, nullptr) && Update(aad2, nullptr);
  }

  EVP_CIPHER_CTX ctx_;
};

// AES-GCM through one of our vectorised kernels (aes_gcm_kernel.h). The
// kernel was chosen when the key was set up; its precomputed state (round
// keys, H powers) lives in this object and is wiped with it.
class KernelGcm final : public Aead {
 public:
  KernelGcm(CipherSuite suite, const GcmKernel* kernel) : Aead(suite) {
    gcm_kernel_ = kernel;
    gcm_key_ = &key_;
  }
  ~KernelGcm() override { WipeSecret(&key_, sizeof(key_)); }

  void Init(absl::Span<const uint8_t> key) {
    gcm_kernel_->init(&key_, key.data(), key.size());
  }

  absl::string_view implementation_name() const override {
    return gcm_kernel_->name;
  }

  // The kernel call itself is Aead::SealDirect / OpenDirect (the per-frame
  // path reaches it without this virtual call).
  bool Seal(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            uint8_t* out, uint8_t* tag) override {
    return SealDirect(nonce, aad1, aad2, in, out, tag);
  }

  bool Open(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            const uint8_t* tag, uint8_t* out) override {
    return OpenDirect(nonce, aad1, aad2, in, tag, out);
  }

 private:
  GcmKernelKey key_;
};

const GcmKernel* KernelFor(AeadImplementation impl) {
  switch (impl) {
    case AeadImplementation::kVaesAvx512:
      return GcmKernelVaesAvx512();
    case AeadImplementation::kVaesAvx2:
      return GcmKernelVaesAvx2();
    default:
      return nullptr;
  }
}

// The fastest implementation this CPU runs.
AeadImplementation BestImplementation() {
  if (GcmKernelVaesAvx512() != nullptr) return AeadImplementation::kVaesAvx512;
  if (GcmKernelVaesAvx2() != nullptr) return AeadImplementation::kVaesAvx2;
  return AeadImplementation::kBoringSsl;
}

// RFC 9605 §4.5.1: AES-CTR, then HMAC over
// len(aad)_8 || len(ct)_8 || Nt_8 || nonce || aad || ct, truncated to Nt.
class CtrHmac final : public Aead {
 public:
  explicit CtrHmac(CipherSuite suite) : Aead(suite) { HMAC_CTX_init(&hmac_); }
  ~CtrHmac() override {
    WipeSecret(&aes_key_, sizeof(aes_key_));
    HMAC_CTX_cleanup(&hmac_);  // cleanses the whole context
  }

  bool Init(absl::Span<const uint8_t> key) {
    const size_t nka = AesKeySize(suite());
    if (AES_set_encrypt_key(key.data(), static_cast<unsigned>(nka * 8),
                            &aes_key_) != 0) {
      return false;
    }
    return HMAC_Init_ex(&hmac_, key.data() + nka, key.size() - nka,
                        UsesSha512(suite()) ? EVP_sha512() : EVP_sha256(),
                        nullptr) == 1;
  }

  absl::string_view implementation_name() const override { return "ctr_hmac"; }

  bool Seal(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            uint8_t* out, uint8_t* tag) override {
    Ctr(nonce, in, out);
    uint8_t full[EVP_MAX_MD_SIZE];
    if (!ComputeTag(nonce, aad1, aad2, {out, in.size()}, full)) return false;
    memcpy(tag, full, tag_size());
    OPENSSL_cleanse(full, sizeof(full));
    return true;
  }

  bool Open(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            const uint8_t* tag, uint8_t* out) override {
    uint8_t full[EVP_MAX_MD_SIZE];
    // Encrypt-then-MAC: authenticate the ciphertext before decrypting it.
    // The accept/reject bit is public (constant_time.h).
    bool ok = ComputeTag(nonce, aad1, aad2, in, full) &&
              DeclassifyBool(CRYPTO_memcmp(full, tag, tag_size()) == 0);
    OPENSSL_cleanse(full, sizeof(full));
    if (ok) {
      Ctr(nonce, in, out);
    } else if (!in.empty()) {
      OPENSSL_cleanse(out, in.size());
    }
    return ok;
  }

 private:
  void Ctr(const uint8_t* nonce, absl::Span<const uint8_t> in, uint8_t* out) {
    if (in.empty()) return;
    // Counter block nonce || 0^32, the first keystream block uses 0.
    uint8_t ivec[AES_BLOCK_SIZE] = {0};
    memcpy(ivec, nonce, kNonceSize);
    uint8_t ecount[AES_BLOCK_SIZE] = {0};
    unsigned num = 0;
    AES_ctr128_encrypt(in.data(), out, in.size(), &aes_key_, ivec, ecount,
                       &num);
    OPENSSL_cleanse(ecount, sizeof(ecount));
  }

  bool ComputeTag(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
                  absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> ct,
                  uint8_t* full) {
    uint8_t prefix[8 + 8 + 8 + kNonceSize];
    StoreBigEndian64(aad1.size() + aad2.size(), prefix);
    StoreBigEndian64(ct.size(), prefix + 8);
    StoreBigEndian64(tag_size(), prefix + 16);
    memcpy(prefix + 24, nonce, kNonceSize);
    unsigned len = 0;
    return HMAC_Init_ex(&hmac_, nullptr, 0, nullptr, nullptr) == 1 &&
           HMAC_Update(&hmac_, prefix, sizeof(prefix)) == 1 &&
           HMAC_Update(&hmac_, aad1.data(), aad1.size()) == 1 &&
           HMAC_Update(&hmac_, aad2.data(), aad2.size()) == 1 &&
           HMAC_Update(&hmac_, ct.data(), ct.size()) == 1 &&
           HMAC_Final(&hmac_, full, &len) == 1;
  }

  AES_KEY aes_key_;
  HMAC_CTX hmac_;
};

}  // namespace

// RFC 9605 §4.5.1 for the SHA-256 suites (1–3) on our own kernels: AES-CTR
// from a VAES kernel (its key schedule and counter code), HMAC-SHA-256 on
// SHA-NI with the ipad/opad chaining values precomputed per key. Same
// construction and tag as CtrHmac; verify-before-decrypt on open. Outside the
// anonymous namespace only so that Aead::fast_ctr_hmac() can name it; the
// batch path uses its pieces (Ctr, MacPrefix, hmac_key).
class FastCtrHmac final : public Aead {
 public:
  // len(aad)_8 || len(ct)_8 || Nt_8 || nonce: the HMAC input before the AAD.
  static constexpr size_t kMacPrefixSize = 8 + 8 + 8 + kNonceSize;

  FastCtrHmac(CipherSuite suite, const GcmKernel* kernel)
      : Aead(suite), kernel_(kernel) {
    batch_always_pays_ = true;
  }
  ~FastCtrHmac() override {
    WipeSecret(&aes_key_, sizeof(aes_key_));
    WipeSecret(&hmac_key_, sizeof(hmac_key_));
  }

  void Init(absl::Span<const uint8_t> key) {
    const size_t nka = AesKeySize(suite());
    kernel_->init(&aes_key_, key.data(), nka);
    HmacSha256ShaniInit(&hmac_key_, key.data() + nka, key.size() - nka);
  }

  absl::string_view implementation_name() const override {
    return kernel_ == GcmKernelVaesAvx512() ? "vaes_avx512_shani"
                                            : "vaes_avx2_shani";
  }

  bool Seal(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            uint8_t* out, uint8_t* tag) override {
    Ctr(nonce, in, out);
    uint8_t full[kSha256DigestSize];
    Mac(nonce, aad1, aad2, {out, in.size()}, full);
    memcpy(tag, full, tag_size());
    WipeSecret(full, sizeof(full));  // the untruncated MAC
    return true;
  }

  bool Open(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
            absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> in,
            const uint8_t* tag, uint8_t* out) override {
    uint8_t full[kSha256DigestSize];
    // Encrypt-then-MAC: authenticate the ciphertext before decrypting it.
    Mac(nonce, aad1, aad2, in, full);
    // The accept/reject bit is public (constant_time.h).
    const bool ok = DeclassifyBool(CRYPTO_memcmp(full, tag, tag_size()) == 0);
    // After a rejected frame `full` is the valid tag for the forger's input.
    WipeSecret(full, sizeof(full));
    if (ok) {
      Ctr(nonce, in, out);
    } else if (!in.empty()) {
      memset(out, 0, in.size());
    }
    return ok;
  }

  // Encrypts (or decrypts) `in` into `out` with AES-CTR for `nonce`.
  void Ctr(const uint8_t* nonce, absl::Span<const uint8_t> in,
           uint8_t* out) const {
    if (in.empty()) return;
    // Counter block nonce || 0^32; the first keystream block uses 0. The
    // kernel reads it with one 16-byte load, which cannot be forwarded from
    // a zeroing store and a 12-byte copy (it waits for them to reach the
    // cache): build it in a register and store it whole.
    alignas(16) uint8_t cb[16];
#if defined(__SSE2__)
    uint64_t lo;
    uint32_t hi;
    memcpy(&lo, nonce, 8);
    memcpy(&hi, nonce + 8, 4);
    _mm_store_si128(
        reinterpret_cast<__m128i*>(cb),
        _mm_set_epi64x(static_cast<int64_t>(hi), static_cast<int64_t>(lo)));
#else
    memcpy(cb, nonce, kNonceSize);
    memset(cb + kNonceSize, 0, 16 - kNonceSize);
#endif
    kernel_->ctr32(&aes_key_, cb, in.data(), in.size(), out);
  }

  // Writes the kMacPrefixSize bytes the HMAC input starts with.
  void MacPrefix(const uint8_t* nonce, size_t aad_len, size_t ct_len,
                 uint8_t* prefix) const {
    StoreBigEndian64(aad_len, prefix);
    StoreBigEndian64(ct_len, prefix + 8);
    StoreBigEndian64(tag_size(), prefix + 16);
    memcpy(prefix + 24, nonce, kNonceSize);
  }

  const HmacSha256Key& hmac_key() const { return hmac_key_; }

 protected:
  const FastCtrHmac* fast_ctr_hmac() const override { return this; }

 private:
  void Mac(const uint8_t* nonce, absl::Span<const uint8_t> aad1,
           absl::Span<const uint8_t> aad2, absl::Span<const uint8_t> ct,
           uint8_t* full) const {
    uint8_t prefix[kMacPrefixSize];
    MacPrefix(nonce, aad1.size() + aad2.size(), ct.size(), prefix);
    const absl::Span<const uint8_t> parts[] = {prefix, aad1, aad2, ct};
    HmacSha256Shani(hmac_key_, parts, full);
  }

  const GcmKernel* kernel_;
  GcmKernelKey aes_key_;
  HmacSha256Key hmac_key_;
};

absl::StatusOr<AeadImplementation> ParseAeadImplementation(
    absl::string_view name) {
  if (name == "auto") return AeadImplementation::kAuto;
  if (name == "boringssl") return AeadImplementation::kBoringSsl;
  if (name == "vaes_avx512") return AeadImplementation::kVaesAvx512;
  if (name == "vaes_avx2") return AeadImplementation::kVaesAvx2;
  return absl::InvalidArgumentError("unknown AEAD implementation");
}

bool IsAeadImplementationSupported(AeadImplementation impl) {
  switch (impl) {
    case AeadImplementation::kAuto:
    case AeadImplementation::kBoringSsl:
      return true;
    case AeadImplementation::kVaesAvx512:
    case AeadImplementation::kVaesAvx2:
      return KernelFor(impl) != nullptr;
  }
  return false;
}

AeadImplementation DefaultAeadImplementation() {
  if (g_forced_set) return g_forced;
  static const AeadImplementation from_env = [] {
    const char* env = std::getenv("SFRAME_AEAD_IMPL");
    if (env == nullptr) return AeadImplementation::kAuto;
    absl::StatusOr<AeadImplementation> impl = ParseAeadImplementation(env);
    // A value this CPU cannot run (or a typo) must not make every key setup
    // fail, nor label a benchmark silently: automatic choice, said once.
    if (!impl.ok() || !IsAeadImplementationSupported(*impl)) {
      std::fprintf(stderr,
                   "sframecpp: SFRAME_AEAD_IMPL=%s is %s; using the automatic "
                   "choice\n",
                   env, impl.ok() ? "not supported on this CPU" : "unknown");
      return AeadImplementation::kAuto;
    }
    return *impl;
  }();
  return from_env;
}

void SetBoringSslGcmPieceForTesting(size_t piece) {
  g_gcm_piece = piece == 0 || piece > kGcmPiece ? kGcmPiece : piece;
}

void SetDefaultAeadImplementationForTesting(AeadImplementation impl) {
  g_forced_set = impl != AeadImplementation::kAuto;
  g_forced = impl;
}

namespace {

// An item's spans (AeadBatchItem keeps them as pointer and length).
absl::Span<const uint8_t> Aad1(const AeadBatchItem& it) {
  return absl::MakeConstSpan(it.aad1, it.aad1_len);
}
absl::Span<const uint8_t> Aad2(const AeadBatchItem& it) {
  return absl::MakeConstSpan(it.aad2, it.aad2_len);
}
absl::Span<const uint8_t> In(const AeadBatchItem& it) {
  return absl::MakeConstSpan(it.in, it.len);
}

// A tag of n bytes, 4 <= n <= 16 (the SFrame suites' 4, 8, 10 and 16), as
// two possibly overlapping words: the first and the last 8 (or 4) bytes.
// Both helpers below take it so: with n known only at run time, memcpy and
// CRYPTO_memcmp are library calls, a few nanoseconds each per frame of the
// CTR-HMAC batch (docs/kernels.md).
struct TagWords {
  uint64_t first;
  uint64_t last;
};

inline TagWords LoadTagWords(const uint8_t* p, size_t n) {
  TagWords w;
  if (n >= 8) {
    memcpy(&w.first, p, 8);
    memcpy(&w.last, p + n - 8, 8);
  } else {
    uint32_t a, b;
    memcpy(&a, p, 4);
    memcpy(&b, p + n - 4, 4);
    w.first = a;
    w.last = b;
  }
  return w;
}

// Copies the n-byte tag at `src` to `dst`.
inline void CopyTag(uint8_t* dst, const uint8_t* src, size_t n) {
  if (n < 4 || n > 16) {
    memcpy(dst, src, n);
    return;
  }
  const TagWords w = LoadTagWords(src, n);
  if (n >= 8) {
    memcpy(dst, &w.first, 8);
    memcpy(dst + n - 8, &w.last, 8);
  } else {
    const uint32_t a = static_cast<uint32_t>(w.first);
    const uint32_t b = static_cast<uint32_t>(w.last);
    memcpy(dst, &a, 4);
    memcpy(dst + n - 4, &b, 4);
  }
}

// True if the n-byte tags at a and b are equal, in constant time: the
// words' XORs are ORed, and only the declassified result is branched on.
inline bool TagsEqual(const uint8_t* a, const uint8_t* b, size_t n) {
  if (n < 4 || n > 16) return DeclassifyBool(CRYPTO_memcmp(a, b, n) == 0);
  const TagWords x = LoadTagWords(a, n);
  const TagWords y = LoadTagWords(b, n);
  return DeclassifyBool(((x.first ^ y.first) | (x.last ^ y.last)) == 0);
}

// FastCtrHmac frames per multi-stream MAC call. More frames per call give
// the lanes more to choose from; fewer keep the frames in L1 cache and the
// stack small.
constexpr size_t kCtrHmacChunk = 32;

// Batch seal or open of FastCtrHmac frames: the frames' HMACs on the
// multi-stream engines (sha256_x86_64_shani.h), each frame's other work in
// its hooks, run between the SHA rounds of other frames (the scheduled
// engine) or around its group's (the lockstep ones). On Zen 3 the AES-CTR
// does not overlap the SHA rounds either way (measured, docs/kernels.md).
// Seal: BeforeMac encrypts the frame (the MAC is over the ciphertext) and
// sets up its job; AfterMac copies the truncated tag. Open: BeforeMac sets
// up the job (the MAC is over the received ciphertext); AfterMac checks the
// tag in constant time, then decrypts, or zeroes the output on mismatch
// (verify before decrypt). A frame's output is written only in its own
// hooks, while other frames are being MACed: the aliasing rules of
// SealBatch/OpenBatch (no frame's output overlaps another frame's input,
// output or tag) make that safe.
template <bool kSeal>
class CtrHmacChunk final : public HmacSha256MultiHooks {
 public:
  // Frame i is *items[i] under keys[i]; its accept bit goes to
  // ok[index[i]] (open only).
  CtrHmacChunk(const FastCtrHmac* const* keys,
               const AeadBatchItem* const* items, const size_t* index,
               uint8_t* ok)
      : keys_(keys), items_(items), index_(index), ok_(ok) {}

  void Run(size_t n) {
    // Frames whose MAC inputs have one length (a batch of equal frames) take
    // the lanes in lockstep; so do lengths that differ a little (a video
    // frame's packets), which HmacSha256ShaniLockstep judges, passing
    // scattered lengths and frames over 1.5 KB to HmacSha256ShaniMulti.
    size_t lens[kCtrHmacChunk];
    bool equal = true;
    for (size_t i = 0; i < n; ++i) {
      const AeadBatchItem& it = *items_[i];
      lens[i] =
          FastCtrHmac::kMacPrefixSize + it.aad1_len + it.aad2_len + it.len;
      equal &= lens[i] == lens[0];
    }
    const absl::Span<const HmacSha256Job> jobs(jobs_, n);
    if (equal && lens[0] <= kSha256EqualMaxLen) {
      HmacSha256ShaniMultiEqual(jobs, lens[0], this);
    } else {
      HmacSha256ShaniLockstep(jobs, lens, this);
    }
    // Untruncated MACs (for open: the valid tag of a possibly forged frame).
    WipeSecret(mac_, n * kSha256DigestSize);
  }

  void BeforeMac(size_t i) override {
    const FastCtrHmac& key = *keys_[i];
    const AeadBatchItem& it = *items_[i];
    if (kSeal) key.Ctr(it.nonce, In(it), it.out);
    key.MacPrefix(it.nonce, it.aad1_len + it.aad2_len, it.len, prefix_[i]);
    parts_[i][0] = absl::MakeConstSpan(prefix_[i]);
    parts_[i][1] = Aad1(it);
    parts_[i][2] = Aad2(it);
    parts_[i][3] = kSeal ? absl::MakeConstSpan(it.out, it.len) : In(it);
    jobs_[i] = {&key.hmac_key(), parts_[i], mac_[i]};
  }

  void AfterMac(size_t i) override {
    const FastCtrHmac& key = *keys_[i];
    const AeadBatchItem& it = *items_[i];
    if (kSeal) {
      CopyTag(it.tag, mac_[i], key.tag_size());
      return;
    }
    // The accept/reject bit is public (constant_time.h).
    const bool good = TagsEqual(mac_[i], it.tag, key.tag_size());
    ok_[index_[i]] = good ? 1 : 0;
    if (good) {
      key.Ctr(it.nonce, In(it), it.out);
    } else if (it.len != 0) {
      memset(it.out, 0, it.len);
    }
  }

 private:
  const FastCtrHmac* const* keys_;
  const AeadBatchItem* const* items_;
  const size_t* index_;
  uint8_t* ok_;
  // Set up per frame by BeforeMac.
  uint8_t prefix_[kCtrHmacChunk][FastCtrHmac::kMacPrefixSize];
  absl::Span<const uint8_t> parts_[kCtrHmacChunk][4];
  HmacSha256Job jobs_[kCtrHmacChunk];
  uint8_t mac_[kCtrHmacChunk][kSha256DigestSize];
};

}  // namespace

size_t Aead::KernelPrefix(absl::Span<const AeadBatchItem> items, uint8_t* ok) {
  if (items.empty()) return 0;
  const GcmKernel* const kernel = items[0].aead->gcm_kernel_;
  if (kernel == nullptr) return 0;
  // The items are the kernel's own (AeadBatchItem is GcmBatchItem): only
  // how many of them run on `kernel` is counted, no item is rewritten. An
  // item whose `key` is not its Aead's (not made by MakeAeadBatchItem)
  // ends the prefix and gets the general path, which reads only `aead`.
  //
  // The common batch, of one Aead and one lane shape, first: the kernel's
  // uniform call compares every item's `aead` and `key` with the first's in
  // the pass it makes anyway, so only the first is checked here. A loop of
  // the checks below over 64 such items cost as much as 5% of the batch.
  if (items[0].key == items[0].aead->gcm_key_) {
    const bool all =
        ok == nullptr
            ? kernel->seal_uniform_batch(items.data(), items.size())
            : kernel->open_uniform_batch(items.data(), items.size(), ok);
    if (all) return items.size();
  }
  size_t n = 0;
  while (n < items.size()) {
    const AeadBatchItem& it = items.data()[n];
    if ((it.aead->gcm_kernel_ != kernel) | (it.key != it.aead->gcm_key_)) {
      break;
    }
    ++n;
  }
  if (n == 0) return 0;
  if (ok == nullptr) {
    kernel->seal_batch(items.data(), n);
  } else {
    kernel->open_batch(items.data(), n, ok);
  }
  return n;
}

bool Aead::SealBatch(absl::Span<const AeadBatchItem> items) {
  items.remove_prefix(KernelPrefix(items, nullptr));
  // The rest: FastCtrHmac frames gather into chunks for the multi-stream
  // MAC; the others are sealed one by one.
  bool ok = true;
  const FastCtrHmac* keys[kCtrHmacChunk];
  const AeadBatchItem* pending[kCtrHmacChunk];
  size_t n = 0;
  for (const AeadBatchItem& it : items) {
    const FastCtrHmac* fast = it.aead->fast_ctr_hmac();
    if (fast == nullptr) {
      ok =
          it.aead->Seal(it.nonce, Aad1(it), Aad2(it), In(it), it.out, it.tag) &&
          ok;
      continue;
    }
    keys[n] = fast;
    pending[n] = &it;
    if (++n == kCtrHmacChunk) {
      CtrHmacChunk<true>(keys, pending, nullptr, nullptr).Run(n);
      n = 0;
    }
  }
  if (n != 0) CtrHmacChunk<true>(keys, pending, nullptr, nullptr).Run(n);
  return ok;
}

void Aead::OpenBatch(absl::Span<const AeadBatchItem> items, uint8_t* ok) {
  const size_t done = KernelPrefix(items, ok);
  items.remove_prefix(done);
  ok += done;
  // The rest: FastCtrHmac frames in chunks, the others one by one.
  const FastCtrHmac* keys[kCtrHmacChunk];
  const AeadBatchItem* pending[kCtrHmacChunk];
  size_t index[kCtrHmacChunk];
  size_t n = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const AeadBatchItem& it = items[i];
    const FastCtrHmac* fast = it.aead->fast_ctr_hmac();
    if (fast == nullptr) {
      ok[i] =
          it.aead->Open(it.nonce, Aad1(it), Aad2(it), In(it), it.tag, it.out)
              ? 1
              : 0;
      continue;
    }
    keys[n] = fast;
    pending[n] = &it;
    index[n] = i;
    if (++n == kCtrHmacChunk) {
      CtrHmacChunk<false>(keys, pending, index, ok).Run(n);
      n = 0;
    }
  }
  if (n != 0) CtrHmacChunk<false>(keys, pending, index, ok).Run(n);
}

absl::StatusOr<std::unique_ptr<Aead>> Aead::Create(
    CipherSuite suite, absl::Span<const uint8_t> key, AeadImplementation impl) {
  if (TagSize(suite) == 0) {  // not one of the suites 1-8
    return absl::InvalidArgumentError("unknown cipher suite");
  }
  if (key.size() != KeySize(suite)) {
    return absl::InvalidArgumentError("AEAD key has the wrong size");
  }
  if (impl == AeadImplementation::kAuto) impl = DefaultAeadImplementation();
  if (!IsAeadImplementationSupported(impl)) {
    return absl::FailedPreconditionError(
        "AEAD implementation not supported on this CPU");
  }
  if (impl == AeadImplementation::kAuto) impl = BestImplementation();
  if (!IsGcm(suite)) {
    // SHA-256 suites run on our kernels when a VAES kernel was chosen and the
    // CPU has SHA-NI; kBoringSsl forces the BoringSSL construction.
    const GcmKernel* kernel = KernelFor(impl);
    if (kernel != nullptr && !UsesSha512(suite) && Sha256ShaniSupported()) {
      auto aead = std::make_unique<FastCtrHmac>(suite, kernel);
      aead->Init(key);
      return aead;
    }
    auto aead = std::make_unique<CtrHmac>(suite);
    if (!aead->Init(key)) return absl::InternalError("CTR-HMAC setup failed");
    return aead;
  }
  if (const GcmKernel* kernel = KernelFor(impl)) {
    auto aead = std::make_unique<KernelGcm>(suite, kernel);
    aead->Init(key);
    return aead;
  }
  auto aead = std::make_unique<BoringSslGcm>(suite);
  if (!aead->Init(key)) return absl::InternalError("GCM setup failed");
  return aead;
}

}  // namespace internal
}  // namespace sframe
