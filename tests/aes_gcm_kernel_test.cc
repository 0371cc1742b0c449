// Copyright 2026 The sframecpp Authors.
//
// Differential and known-answer tests of the VAES AES-GCM kernels against
// BoringSSL's EVP_AEAD. Every kernel this CPU supports is tested; the others
// are skipped. All randomness comes from fixed-seed std::mt19937_64, so any
// failure reproduces; each failing check names its parameters.

#include "src/crypto/aes_gcm_kernel.h"

#include <openssl/aead.h>
#include <openssl/aes.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/crypto/cpu_x86.h"
#include "tests/aes_gcm_emulated_avx512.h"

#ifndef SFRAME_TEST_DATA_DIR
#define SFRAME_TEST_DATA_DIR "tests/data"
#endif

namespace sframe {
namespace internal {
namespace {

using Bytes = std::vector<uint8_t>;

// Number of individual seal/open comparisons made, reported at the end.
size_t g_cases = 0;

Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

size_t Uniform(std::mt19937_64& rng, size_t lo, size_t hi) {  // [lo, hi]
  return std::uniform_int_distribution<size_t>(lo, hi)(rng);
}

// The oracle: BoringSSL's one-shot seal over the concatenated AAD.
Bytes OracleSeal(const Bytes& key, const uint8_t* nonce, const Bytes& aad,
                 const uint8_t* pt, size_t len) {
  const EVP_AEAD* aead =
      key.size() == 16 ? EVP_aead_aes_128_gcm() : EVP_aead_aes_256_gcm();
  EVP_AEAD_CTX ctx;
  EXPECT_EQ(1,
            EVP_AEAD_CTX_init(&ctx, aead, key.data(), key.size(), 16, nullptr));
  Bytes out(len + 16);
  size_t out_len = 0;
  EXPECT_EQ(1, EVP_AEAD_CTX_seal(&ctx, out.data(), &out_len, out.size(), nonce,
                                 12, pt, len, aad.data(), aad.size()));
  EVP_AEAD_CTX_cleanup(&ctx);
  out.resize(out_len);
  return out;
}

// Checks BoringSSL's open agrees (sanity of the oracle itself).
bool OracleOpen(const Bytes& key, const uint8_t* nonce, const Bytes& aad,
                const Bytes& ct_tag) {
  const EVP_AEAD* aead =
      key.size() == 16 ? EVP_aead_aes_128_gcm() : EVP_aead_aes_256_gcm();
  EVP_AEAD_CTX ctx;
  EVP_AEAD_CTX_init(&ctx, aead, key.data(), key.size(), 16, nullptr);
  Bytes out(ct_tag.size());
  size_t out_len = 0;
  const int ok =
      EVP_AEAD_CTX_open(&ctx, out.data(), &out_len, out.size(), nonce, 12,
                        ct_tag.data(), ct_tag.size(), aad.data(), aad.size());
  EVP_AEAD_CTX_cleanup(&ctx);
  return ok == 1;
}

// A buffer with a chosen misalignment (offset 0..63 from a 64-byte boundary).
class OffsetBuffer {
 public:
  OffsetBuffer(size_t n, size_t offset) : storage_(n + 128 + 64), n_(n) {
    const uintptr_t base = reinterpret_cast<uintptr_t>(storage_.data());
    data_ = storage_.data() + ((64 - base % 64) % 64) + offset;
  }
  uint8_t* data() { return data_; }
  size_t size() const { return n_; }
  void Fill(const uint8_t* src) {
    if (n_) memcpy(data_, src, n_);
  }
  Bytes ToBytes() const { return Bytes(data_, data_ + n_); }

 private:
  Bytes storage_;
  uint8_t* data_;
  size_t n_;
};

struct KernelCase {
  const char* name;
  const GcmKernel* (*get)();
  // The bulk loop's GHASH (messages over 4 vectors); every kernel runs with
  // both, whatever this CPU's default is.
  GcmBulkGhash bulk;
  // Where the batch calls put frames without partners of their key: each
  // kernel runs with both (in the case with one flavour or the other).
  GcmMixedKeys mixed;
};

class AesGcmKernelTest : public testing::TestWithParam<KernelCase> {
 protected:
  void SetUp() override {
    kernel_ = GetParam().get();
    if (kernel_ == nullptr) {
      GTEST_SKIP() << GetParam().name << " does not run here (CPU or build)";
    }
    SetGcmBulkGhashForTesting(GetParam().bulk);
    ASSERT_EQ(GcmBulkKaratsuba(), GetParam().bulk == GcmBulkGhash::kKaratsuba);
    SetGcmMixedKeysForTesting(GetParam().mixed);
    ASSERT_EQ(GcmMixedKeyGroups(), GetParam().mixed == GcmMixedKeys::kGroups);
  }
  void TearDown() override {
    SetGcmBulkGhashForTesting(GcmBulkGhash::kAuto);
    SetGcmMixedKeysForTesting(GcmMixedKeys::kAuto);
  }

  GcmKernelKey MakeKey(const Bytes& k) {
    GcmKernelKey key;
    kernel_->init(&key, k.data(), k.size());
    return key;
  }

  // One full differential check of seal and open for the given shape.
  // aad = aad1 (first `split` bytes) || aad2. Returns false on a mismatch.
  void CheckOne(std::mt19937_64& rng, const Bytes& k, size_t len,
                size_t aad1_len, size_t aad2_len, bool in_place,
                bool try_forgeries) {
    SCOPED_TRACE(testing::Message() << "key=" << k.size() * 8 << " len=" << len
                                    << " aad1=" << aad1_len << " aad2="
                                    << aad2_len << " in_place=" << in_place);
    const GcmKernelKey key = MakeKey(k);
    const Bytes nonce = RandomBytes(rng, 12);
    const Bytes pt = RandomBytes(rng, len);
    const Bytes aad = RandomBytes(rng, aad1_len + aad2_len);
    const Bytes expect = OracleSeal(k, nonce.data(), aad, pt.data(), len);

    OffsetBuffer a1(aad1_len, Uniform(rng, 0, 63));
    OffsetBuffer a2(aad2_len, Uniform(rng, 0, 63));
    a1.Fill(aad.data());
    a2.Fill(aad.data() + aad1_len);
    OffsetBuffer src(len, Uniform(rng, 0, 63));
    OffsetBuffer dst(len, Uniform(rng, 0, 63));
    src.Fill(pt.data());
    uint8_t* out = in_place ? src.data() : dst.data();
    uint8_t tag[16];
    kernel_->seal(&key, nonce.data(), aad1_len ? a1.data() : nullptr, aad1_len,
                  aad2_len ? a2.data() : nullptr, aad2_len,
                  len ? src.data() : nullptr, len, len ? out : nullptr, tag);
    ++g_cases;
    Bytes got(out, out + len);
    got.insert(got.end(), tag, tag + 16);
    ASSERT_EQ(expect, got) << "seal mismatch";

    // Open: from a fresh ciphertext buffer, in place or not.
    OffsetBuffer csrc(len, Uniform(rng, 0, 63));
    OffsetBuffer pdst(len, Uniform(rng, 0, 63));
    csrc.Fill(expect.data());
    uint8_t* pout = in_place ? csrc.data() : pdst.data();
    const bool ok = kernel_->open(
        &key, nonce.data(), aad1_len ? a1.data() : nullptr, aad1_len,
        aad2_len ? a2.data() : nullptr, aad2_len, len ? csrc.data() : nullptr,
        len, expect.data() + len, len ? pout : nullptr);
    ++g_cases;
    ASSERT_TRUE(ok) << "open rejected a valid message";
    ASSERT_EQ(pt, Bytes(pout, pout + len)) << "open plaintext mismatch";

    if (!try_forgeries) return;
    // Flip one bit of the tag, the ciphertext or the AAD: must fail, with the
    // output all zero (it is pre-filled with a pattern).
    for (int what = 0; what < 3; ++what) {
      if (what == 1 && len == 0) continue;
      if (what == 2 && aad.empty()) continue;
      Bytes ct(expect.begin(), expect.begin() + len);
      Bytes t(expect.begin() + len, expect.end());
      Bytes bad_aad = aad;
      if (what == 0) t[Uniform(rng, 0, 15)] ^= 1 << Uniform(rng, 0, 7);
      if (what == 1) ct[Uniform(rng, 0, len - 1)] ^= 1 << Uniform(rng, 0, 7);
      if (what == 2) {
        bad_aad[Uniform(rng, 0, aad.size() - 1)] ^= 1 << Uniform(rng, 0, 7);
      }
      OffsetBuffer b1(aad1_len, 0), b2(aad2_len, 5), c(len, 3), p(len, 7);
      b1.Fill(bad_aad.data());
      b2.Fill(bad_aad.data() + aad1_len);
      c.Fill(ct.data());
      uint8_t* po = in_place ? c.data() : p.data();
      if (!in_place && len) memset(po, 0xa5, len);
      const bool forged_ok =
          kernel_->open(&key, nonce.data(), b1.data(), aad1_len, b2.data(),
                        aad2_len, c.data(), len, t.data(), po);
      ++g_cases;
      ASSERT_FALSE(forged_ok) << "forgery accepted, kind " << what;
      ASSERT_EQ(Bytes(len, 0), Bytes(po, po + len))
          << "output not zeroed, kind " << what;
    }
  }

  const GcmKernel* kernel_ = nullptr;
};

// Parses a BoringSSL FileTest file into cases of KEY/NONCE/IN/AD/CT/TAG.
std::vector<std::vector<std::pair<std::string, Bytes>>> ParseFileTest(
    const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << "cannot open " << path;
  std::vector<std::vector<std::pair<std::string, Bytes>>> cases;
  std::vector<std::pair<std::string, Bytes>> cur;
  std::string line;
  auto flush = [&] {
    if (!cur.empty()) cases.push_back(cur);
    cur.clear();
  };
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of(' ') + 1);
    if (value == "\"\"") value.clear();
    Bytes b;
    for (size_t i = 0; i + 1 < value.size(); i += 2) {
      b.push_back(
          static_cast<uint8_t>(std::stoi(value.substr(i, 2), nullptr, 16)));
    }
    cur.emplace_back(name, b);
  }
  flush();
  return cases;
}

TEST_P(AesGcmKernelTest, MatchesBoringSslKnownAnswers) {
  std::mt19937_64 rng(1);
  size_t used = 0;
  for (const char* file : {"aes_128_gcm_tests.txt", "aes_256_gcm_tests.txt"}) {
    const std::string path = std::string(SFRAME_TEST_DATA_DIR) + "/gcm/" + file;
    const auto cases = ParseFileTest(path);
    ASSERT_GT(cases.size(), 60u) << path;
    for (size_t i = 0; i < cases.size(); ++i) {
      Bytes key, nonce, in, ad, ct, tag;
      for (const auto& [name, value] : cases[i]) {
        if (name == "KEY") key = value;
        if (name == "NONCE") nonce = value;
        if (name == "IN") in = value;
        if (name == "AD") ad = value;
        if (name == "CT") ct = value;
        if (name == "TAG") tag = value;
      }
      if (nonce.size() != 12) continue;
      SCOPED_TRACE(testing::Message() << file << " case " << i);
      ASSERT_EQ(16u, tag.size());
      ++used;
      const GcmKernelKey k = MakeKey(key);
      // Every AAD split gives the same result.
      for (size_t split :
           {size_t{0}, ad.size() / 2, ad.size(), Uniform(rng, 0, ad.size())}) {
        Bytes out(in.size());
        uint8_t t[16];
        kernel_->seal(&k, nonce.data(), ad.data(), split, ad.data() + split,
                      ad.size() - split, in.data(), in.size(), out.data(), t);
        ++g_cases;
        EXPECT_EQ(ct, out);
        EXPECT_EQ(tag, Bytes(t, t + 16));
        Bytes back(ct.size());
        EXPECT_TRUE(kernel_->open(
            &k, nonce.data(), ad.data(), split, ad.data() + split,
            ad.size() - split, ct.data(), ct.size(), tag.data(), back.data()));
        ++g_cases;
        EXPECT_EQ(in, back);
      }
    }
  }
  EXPECT_EQ(69u + 64u, used);
}

// Picks an AAD shape: aad1 is usually an SFrame-header-like 0..17 bytes
// (sometimes up to 64, so that the second span starts anywhere in a vector),
// aad2 is often empty, sometimes a boundary length, otherwise random up to
// 600.
void PickAad(std::mt19937_64& rng, size_t* aad1, size_t* aad2) {
  static const size_t kEdges[] = {0,   1,   12,  15,  16,  17,  31,
                                  32,  33,  47,  48,  63,  64,  65,
                                  127, 128, 129, 255, 256, 257, 600};
  *aad1 = Uniform(rng, 0, 3) == 0 ? Uniform(rng, 18, 64) : Uniform(rng, 0, 17);
  switch (Uniform(rng, 0, 3)) {
    case 0:
      *aad2 = 0;
      break;
    case 1:
      *aad2 = kEdges[Uniform(rng, 0, sizeof(kEdges) / sizeof(kEdges[0]) - 1)];
      break;
    case 2:
      *aad2 = Uniform(rng, 0, 80);
      break;
    default:
      *aad2 = Uniform(rng, 0, 600);
      break;
  }
}

TEST_P(AesGcmKernelTest, MatchesBoringSslForEveryLengthUpTo1024) {
  std::mt19937_64 rng(2);
  for (size_t key_len : {16, 32}) {
    const Bytes k = RandomBytes(rng, key_len);
    for (size_t len = 0; len <= 1024; ++len) {
      for (bool in_place : {false, true}) {
        size_t aad1, aad2;
        PickAad(rng, &aad1, &aad2);
        CheckOne(rng, k, len, aad1, aad2, in_place, len % 5 == 0);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(AesGcmKernelTest, MatchesBoringSslForRandomLengthsUpTo64KiB) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 300; ++i) {
    const Bytes k = RandomBytes(rng, (i & 1) ? 32 : 16);
    size_t aad1, aad2;
    PickAad(rng, &aad1, &aad2);
    const size_t len = Uniform(rng, 0, 65536);
    CheckOne(rng, k, len, aad1, aad2, (i & 2) != 0, i % 4 == 0);
    if (HasFatalFailure()) return;
  }
}

// ctr32 (the AES-CTR of the AES-CTR-HMAC suites) against block-by-block AES
// with inc32.
TEST_P(AesGcmKernelTest, Ctr32MatchesBlockwiseAesWithInc32) {
  std::mt19937_64 rng(3);
  for (size_t key_len : {16, 32}) {
    const Bytes key = RandomBytes(rng, key_len);
    const GcmKernelKey gk = MakeKey(key);
    AES_KEY aes;
    AES_set_encrypt_key(key.data(), static_cast<unsigned>(key_len * 8), &aes);
    // Every length to 600 (the single tail pass covers up to 256 bytes on
    // both kernels: 4 zmm, 8 ymm), then random ones.
    for (int i = 0; i < 700; ++i) {
      const size_t len =
          i <= 600 ? static_cast<size_t>(i) : Uniform(rng, 0, 2000);
      Bytes cb = RandomBytes(rng, 16);
      // Often start just below the 32-bit wrap: inc32 must not carry into
      // the nonce bytes.
      if (i % 2 == 0) cb[12] = cb[13] = cb[14] = 0xff;
      const Bytes in = RandomBytes(rng, len);
      Bytes expected(len);
      uint8_t block[16];
      memcpy(block, cb.data(), 16);
      for (size_t off = 0; off < len; off += 16) {
        uint8_t ks[16];
        AES_encrypt(block, ks, &aes);
        for (size_t j = off; j < len && j < off + 16; ++j) {
          expected[j] = in[j] ^ ks[j - off];
        }
        for (int b = 15; b >= 12; --b) {
          if (++block[b] != 0) break;
        }
      }
      Bytes out(len);
      kernel_->ctr32(&gk, cb.data(), in.data(), len, out.data());
      ASSERT_EQ(out, expected) << "len=" << len;
      Bytes inplace = in;
      kernel_->ctr32(&gk, cb.data(), inplace.data(), len, inplace.data());
      ASSERT_EQ(inplace, expected) << "in place, len=" << len;
      ++g_cases;
    }
  }
}

TEST_P(AesGcmKernelTest, KeyRecordsTheBulkGhashFlavour) {
  // The flavour is the second public word of the key state (KeyLayout::
  // bulk_karatsuba); without this the two instantiations of this suite could
  // run the same code and pass.
  const GcmKernelKey key = MakeKey(Bytes(16, 7));
  uint32_t karatsuba;
  memcpy(&karatsuba, key.bytes + kGcmKernelKeyPublicOffset + 4, 4);
  EXPECT_EQ(karatsuba, GetParam().bulk == GcmBulkGhash::kKaratsuba ? 1u : 0u);
}

TEST_P(AesGcmKernelTest, MatchesBoringSslAcrossCounterByteCarry) {
  // With a 96-bit nonce the counter's low byte first carries at 4064 bytes.
  std::mt19937_64 rng(4);
  for (size_t key_len : {16, 32}) {
    const Bytes k = RandomBytes(rng, key_len);
    for (size_t len = 4032; len <= 4128; ++len) {
      CheckOne(rng, k, len, Uniform(rng, 0, 17), 0, len & 1, false);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(AesGcmKernelTest, EveryAadSplitAndLengthIsOneStream) {
  std::mt19937_64 rng(5);
  const Bytes k = RandomBytes(rng, 16);
  for (size_t aad1 = 0; aad1 <= 17; ++aad1) {
    for (size_t aad2 = 0; aad2 <= 80; ++aad2) {
      CheckOne(rng, k, Uniform(rng, 0, 300), aad1, aad2, false, false);
      if (HasFatalFailure()) return;
    }
  }
  // The second span starting anywhere in the first two vectors, with the
  // partial-dword and partial-block shapes around it.
  for (size_t aad1 = 18; aad1 <= 130; ++aad1) {
    for (size_t aad2 : {1, 2, 3, 4, 5, 7, 13, 16, 31, 32, 33, 70}) {
      CheckOne(rng, k, Uniform(rng, 0, 300), aad1, aad2, false, false);
      if (HasFatalFailure()) return;
    }
  }
  for (size_t aad = 0; aad <= 700; ++aad) {  // long AAD, all in one span
    CheckOne(rng, k, Uniform(rng, 0, 600), 0, aad, true, false);
    if (HasFatalFailure()) return;
  }
}

// Buffers flush against PROT_NONE pages at either end: any byte read or
// written outside [p, p + n) faults.
class GuardedRegion {
 public:
  explicit GuardedRegion(size_t max) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    body_ = (max + page_ - 1) / page_ * page_ + page_;
    size_ = body_ + 2 * page_;
    base_ = static_cast<uint8_t*>(mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    EXPECT_NE(MAP_FAILED, static_cast<void*>(base_));
    EXPECT_EQ(0, mprotect(base_, page_, PROT_NONE));
    EXPECT_EQ(0, mprotect(base_ + page_ + body_, page_, PROT_NONE));
  }
  GuardedRegion(const GuardedRegion&) = delete;
  GuardedRegion& operator=(const GuardedRegion&) = delete;
  ~GuardedRegion() { munmap(base_, size_); }
  uint8_t* AtEnd(size_t n) { return base_ + page_ + body_ - n; }
  uint8_t* AtStart() { return base_ + page_; }

 private:
  size_t page_, body_, size_;
  uint8_t* base_;
};

// A test of the guards: the byte just past a region and the byte just
// before it fault.
// The per-CPU tuning choices (bulk GHASH flavour, mixed-key groups, HMAC
// lanes) share these two helpers: an environment value is numbered by its
// position, anything else is no choice, and the test hook beats the
// environment, which beats the CPU's default.
TEST(TuningTest, EnvironmentPicksByPositionAndTheHookWins) {
  const char* name = "SFRAME_TEST_ONLY_TUNING";
  ASSERT_EQ(unsetenv(name), 0);
  EXPECT_EQ(TuningFromEnvironment(name, {"a", "b", "c"}), 0);
  ASSERT_EQ(setenv(name, "b", 1), 0);
  EXPECT_EQ(TuningFromEnvironment(name, {"a", "b", "c"}), 2);
  ASSERT_EQ(setenv(name, "c", 1), 0);
  EXPECT_EQ(TuningFromEnvironment(name, {"a", "b", "c"}), 3);
  ASSERT_EQ(setenv(name, "bb", 1), 0);
  EXPECT_EQ(TuningFromEnvironment(name, {"a", "b", "c"}), 0);
  ASSERT_EQ(setenv(name, "", 1), 0);
  EXPECT_EQ(TuningFromEnvironment(name, {"a", "b", "c"}), 0);
  ASSERT_EQ(unsetenv(name), 0);
  EXPECT_EQ(Tuning(0, 0, 3), 3);
  EXPECT_EQ(Tuning(0, 2, 3), 2);
  EXPECT_EQ(Tuning(1, 2, 3), 1);
  EXPECT_EQ(Tuning(1, 0, 3), 1);
}

TEST(GuardedRegionTest, BytesOutsideTheBodyFault) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  GuardedRegion g(100);
  volatile uint8_t* end = g.AtEnd(0);
  volatile uint8_t* start = g.AtStart();
  end[-1] = 1;
  start[0] = 1;
  EXPECT_DEATH(end[0] = 1, "");
  EXPECT_DEATH(
      {
        const uint8_t x = start[-1];
        static_cast<void>(x);
      },
      "");
}

// Every length through the single-pass code, two 32-block loop iterations,
// the 16-block step and every tail after them, then a few multi-page ones.
std::vector<size_t> GuardedLengths() {
  std::vector<size_t> lens;
  for (size_t len = 0; len <= 1300; ++len) lens.push_back(len);
  for (size_t len : {2047, 2048, 2049, 4095, 4096, 4097, 8205}) {
    lens.push_back(len);
  }
  return lens;
}

// The guard-page tests are the memory-safety evidence for the kernels (the
// sanitizer builds compile them without instrumentation: CMakeLists.txt,
// SFRAME_GCM_KERNEL_OPTIONS). They cover every entry point: seal, open,
// ctr32, seal_batch and open_batch, each buffer flush against a guard.
TEST_P(AesGcmKernelTest, NeverTouchesBytesOutsideItsBuffers) {
  std::mt19937_64 rng(6);
  const std::vector<size_t> lens = GuardedLengths();
  const size_t max_len = lens.back();
  GuardedRegion gin(max_len), gout(max_len), ga1(64), ga2(1024), gtag(64),
      gnonce(64);
  for (size_t key_len : {16, 32}) {
    const Bytes k = RandomBytes(rng, key_len);
    const GcmKernelKey key = MakeKey(k);
    for (size_t len : lens) {
      for (bool at_end : {true, false}) {
        SCOPED_TRACE(testing::Message() << "key=" << key_len * 8 << " len="
                                        << len << " at_end=" << at_end);
        size_t aad1, aad2;
        PickAad(rng, &aad1, &aad2);
        const Bytes nonce_bytes = RandomBytes(rng, 12);
        const Bytes pt = RandomBytes(rng, len);
        const Bytes aad = RandomBytes(rng, aad1 + aad2);
        uint8_t* in = at_end ? gin.AtEnd(len) : gin.AtStart();
        uint8_t* out = at_end ? gout.AtEnd(len) : gout.AtStart();
        uint8_t* a1 = at_end ? ga1.AtEnd(aad1) : ga1.AtStart();
        uint8_t* a2 = at_end ? ga2.AtEnd(aad2) : ga2.AtStart();
        uint8_t* tag = at_end ? gtag.AtEnd(16) : gtag.AtStart();
        uint8_t* nonce = at_end ? gnonce.AtEnd(12) : gnonce.AtStart();
        memcpy(nonce, nonce_bytes.data(), 12);
        if (len) memcpy(in, pt.data(), len);
        if (aad1) memcpy(a1, aad.data(), aad1);
        if (aad2) memcpy(a2, aad.data() + aad1, aad2);
        kernel_->seal(&key, nonce, a1, aad1, a2, aad2, in, len, out, tag);
        ++g_cases;
        const Bytes expect = OracleSeal(k, nonce, aad, pt.data(), len);
        Bytes got(out, out + len);
        got.insert(got.end(), tag, tag + 16);
        ASSERT_EQ(expect, got);
        // Open in place against the guards.
        memcpy(in, out, len);
        ASSERT_TRUE(
            kernel_->open(&key, nonce, a1, aad1, a2, aad2, in, len, tag, in));
        ++g_cases;
        ASSERT_EQ(pt, Bytes(in, in + len));
        // ctr32 from GCM's first data counter block (nonce || 2) makes the
        // same keystream as the seal above; the counter block is guarded too.
        uint8_t* cb = at_end ? gnonce.AtEnd(16) : gnonce.AtStart();
        memcpy(cb, nonce_bytes.data(), 12);
        const uint8_t two[4] = {0, 0, 0, 2};
        memcpy(cb + 12, two, 4);
        kernel_->ctr32(&key, cb, in, len, out);
        ++g_cases;
        ASSERT_EQ(Bytes(expect.begin(), expect.begin() + len),
                  Bytes(out, out + len));
      }
    }
  }
}

// The batch entry points against the guards: up to 9 frames of mixed keys,
// lengths (lane-sized and longer) and AAD shapes, and runs of one shape (the
// uniform path), each buffer of each frame at either end of its region.
TEST_P(AesGcmKernelTest, BatchNeverTouchesBytesOutsideItsBuffers) {
  std::mt19937_64 rng(11);
  constexpr size_t kMax = 9, kMaxLen = 300, kMaxAad2 = 80;
  struct Frame {
    GuardedRegion in{kMaxLen}, out{kMaxLen}, a1{32}, a2{kMaxAad2}, tag{16},
        nonce{12};
  };
  std::vector<Frame> frames(kMax);
  const Bytes k1 = RandomBytes(rng, 16), k2 = RandomBytes(rng, 32);
  const GcmKernelKey key1 = MakeKey(k1), key2 = MakeKey(k2);
  for (int round = 0; round < 400; ++round) {
    const size_t n = Uniform(rng, 1, kMax);
    const bool one_shape = round % 2 == 0;
    const size_t shape_len = Uniform(rng, 0, kMaxLen);
    const size_t shape_a1 = Uniform(rng, 0, 17);
    const size_t shape_a2 = Uniform(rng, 0, 1) ? 0 : Uniform(rng, 0, kMaxAad2);
    std::vector<Bytes> pts(n), aads(n), expect(n);
    std::vector<GcmBatchItem> items(n);
    for (size_t i = 0; i < n; ++i) {
      Frame& f = frames[i];
      const bool at_end = Uniform(rng, 0, 1) == 1;
      const bool big_key = one_shape ? round % 4 == 0 : Uniform(rng, 0, 1) == 1;
      const size_t len = one_shape ? shape_len : Uniform(rng, 0, kMaxLen);
      const size_t a1 = one_shape ? shape_a1 : Uniform(rng, 0, 17);
      const size_t a2 = one_shape            ? shape_a2
                        : Uniform(rng, 0, 1) ? 0
                                             : Uniform(rng, 0, kMaxAad2);
      pts[i] = RandomBytes(rng, len);
      aads[i] = RandomBytes(rng, a1 + a2);
      const Bytes nonce = RandomBytes(rng, 12);
      uint8_t* nonce_p = at_end ? f.nonce.AtEnd(12) : f.nonce.AtStart();
      memcpy(nonce_p, nonce.data(), 12);
      uint8_t* in = at_end ? f.in.AtEnd(len) : f.in.AtStart();
      uint8_t* aad1 = at_end ? f.a1.AtEnd(a1) : f.a1.AtStart();
      uint8_t* aad2 = at_end ? f.a2.AtEnd(a2) : f.a2.AtStart();
      if (len) memcpy(in, pts[i].data(), len);
      if (a1) memcpy(aad1, aads[i].data(), a1);
      if (a2) memcpy(aad2, aads[i].data() + a1, a2);
      items[i] = {big_key ? &key2 : &key1,
                  nonce_p,
                  aad1,
                  a1,
                  aad2,
                  a2,
                  in,
                  len,
                  at_end ? f.out.AtEnd(len) : f.out.AtStart(),
                  at_end ? f.tag.AtEnd(16) : f.tag.AtStart()};
      expect[i] = OracleSeal(big_key ? k2 : k1, nonce.data(), aads[i],
                             pts[i].data(), len);
    }
    kernel_->seal_batch(items.data(), n);
    for (size_t i = 0; i < n; ++i) {
      ++g_cases;
      Bytes got(items[i].out, items[i].out + items[i].len);
      got.insert(got.end(), items[i].tag, items[i].tag + 16);
      ASSERT_EQ(expect[i], got) << "round=" << round << " i=" << i;
    }
    // Open in place, against the same guards.
    std::vector<GcmBatchItem> open_items = items;
    for (size_t i = 0; i < n; ++i) open_items[i].in = items[i].out;
    std::vector<uint8_t> ok(n, 7);
    kernel_->open_batch(open_items.data(), n, ok.data());
    for (size_t i = 0; i < n; ++i) {
      ++g_cases;
      ASSERT_EQ(1, ok[i]) << "round=" << round << " i=" << i;
      ASSERT_EQ(pts[i], Bytes(items[i].out, items[i].out + items[i].len))
          << "round=" << round << " i=" << i;
    }
  }
}

TEST_P(AesGcmKernelTest, BatchEqualsSingleCalls) {
  std::mt19937_64 rng(7);
  static const size_t kLens[] = {0,   1,   15,  16,  17,  64,
                                 100, 112, 128, 200, 1200};
  const Bytes k1 = RandomBytes(rng, 16), k2 = RandomBytes(rng, 32);
  const GcmKernelKey key1 = MakeKey(k1), key2 = MakeKey(k2);
  for (size_t n = 1; n <= 70; ++n) {
    std::vector<Bytes> nonces, aads, pts, outs(n), tags(n), single(n);
    std::vector<size_t> split(n);
    std::vector<GcmBatchItem> items(n);
    for (size_t i = 0; i < n; ++i) {
      nonces.push_back(RandomBytes(rng, 12));
      aads.push_back(RandomBytes(rng, Uniform(rng, 1, 40)));
      split[i] = std::min<size_t>(Uniform(rng, 1, 17), aads[i].size());
      const size_t len =
          (i % 3) ? kLens[Uniform(rng, 0, 10)] : Uniform(rng, 0, 300);
      pts.push_back(RandomBytes(rng, len));
      outs[i].assign(len, 0);
      tags[i].assign(16, 0);
      items[i] = {(i & 1) ? &key2 : &key1,
                  nonces[i].data(),
                  aads[i].data(),
                  split[i],
                  aads[i].data() + split[i],
                  aads[i].size() - split[i],
                  pts[i].data(),
                  len,
                  outs[i].data(),
                  tags[i].data()};
    }
    kernel_->seal_batch(items.data(), n);
    for (size_t i = 0; i < n; ++i) {
      const auto& it = items[i];
      Bytes o(it.len);
      uint8_t t[16];
      kernel_->seal(it.key, it.nonce, it.aad1, it.aad1_len, it.aad2,
                    it.aad2_len, it.in, it.len, o.data(), t);
      ++g_cases;
      ASSERT_EQ(o, outs[i]) << "n=" << n << " i=" << i;
      ASSERT_EQ(Bytes(t, t + 16), tags[i]) << "n=" << n << " i=" << i;
    }
    // Open the batch back, with one forged tag when n > 1.
    std::vector<Bytes> back(n);
    std::vector<GcmBatchItem> open_items = items;
    const size_t forged = n > 1 ? Uniform(rng, 0, n - 1) : n;
    if (forged < n) tags[forged][3] ^= 0x10;
    for (size_t i = 0; i < n; ++i) {
      back[i].assign(pts[i].size(), 0x5a);
      open_items[i].in = outs[i].data();
      open_items[i].out = back[i].data();
    }
    std::vector<uint8_t> ok(n, 7);
    kernel_->open_batch(open_items.data(), n, ok.data());
    for (size_t i = 0; i < n; ++i) {
      ++g_cases;
      if (i == forged) {
        ASSERT_EQ(0, ok[i]);
        ASSERT_EQ(Bytes(pts[i].size(), 0), back[i]);
      } else {
        ASSERT_EQ(1, ok[i]) << "n=" << n << " i=" << i;
        ASSERT_EQ(pts[i], back[i]);
      }
    }
  }
}

// Same-size frames form the interleaved groups of the batch path; mix keys
// (including two AES-128 keys in one group), in place and out of place.
TEST_P(AesGcmKernelTest, BatchOfEqualFramesEqualsSingleCalls) {
  std::mt19937_64 rng(8);
  const GcmKernelKey keys[4] = {
      MakeKey(RandomBytes(rng, 16)), MakeKey(RandomBytes(rng, 16)),
      MakeKey(RandomBytes(rng, 32)), MakeKey(RandomBytes(rng, 16))};
  for (size_t len : {1, 16, 63, 64, 100, 112, 128, 160, 200, 256, 257}) {
    for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 64}) {
      const bool in_place = (n + len) % 2 == 1;
      std::vector<Bytes> nonces, aads, pts, bufs(n), tags(n);
      std::vector<GcmBatchItem> items(n);
      for (size_t i = 0; i < n; ++i) {
        nonces.push_back(RandomBytes(rng, 12));
        aads.push_back(RandomBytes(rng, Uniform(rng, 0, i % 5 ? 17 : 500)));
        pts.push_back(RandomBytes(rng, len));
        bufs[i] = in_place ? pts[i] : Bytes(len, 0);
        tags[i].assign(16, 0);
        const size_t split = Uniform(rng, 0, aads[i].size());
        items[i] = {&keys[Uniform(rng, 0, 3)],
                    nonces[i].data(),
                    aads[i].data(),
                    split,
                    aads[i].data() + split,
                    aads[i].size() - split,
                    in_place ? bufs[i].data() : pts[i].data(),
                    len,
                    bufs[i].data(),
                    tags[i].data()};
      }
      kernel_->seal_batch(items.data(), n);
      std::vector<GcmBatchItem> open_items = items;
      for (size_t i = 0; i < n; ++i) {
        const auto& it = items[i];
        Bytes o(len);
        uint8_t t[16];
        kernel_->seal(it.key, it.nonce, it.aad1, it.aad1_len, it.aad2,
                      it.aad2_len, pts[i].data(), len, o.data(), t);
        ++g_cases;
        ASSERT_EQ(o, bufs[i]) << "len=" << len << " n=" << n << " i=" << i;
        ASSERT_EQ(Bytes(t, t + 16), tags[i]) << "len=" << len << " i=" << i;
        open_items[i].in = bufs[i].data();
        open_items[i].out = bufs[i].data();
      }
      const size_t forged = Uniform(rng, 0, n);  // n: none
      if (forged < n) tags[forged][15] ^= 1;
      std::vector<uint8_t> ok(n, 7);
      kernel_->open_batch(open_items.data(), n, ok.data());
      for (size_t i = 0; i < n; ++i) {
        ++g_cases;
        ASSERT_EQ(i == forged ? 0 : 1, ok[i]) << "len=" << len << " i=" << i;
        ASSERT_EQ(i == forged ? Bytes(len, 0) : pts[i], bufs[i]);
      }
    }
  }
}

// Frames of many keys: the batch groups a class's frames by key (up to four
// keys waiting at a time), further keys' frames and lone leftovers in mixed
// groups, and runs a class's groups together (one key per group, or mixed
// keys). Keys assigned alternately, in runs, at random, all distinct and in
// pairs (every group one key, the next group another), with lengths of one
// vector count and mixed ones.
TEST_P(AesGcmKernelTest, BatchOfManyKeysEqualsSingleCalls) {
  std::mt19937_64 rng(9);
  std::vector<GcmKernelKey> keys;
  for (int k = 0; k < 11; ++k) {
    keys.push_back(MakeKey(RandomBytes(rng, k < 9 ? 16 : 32)));
  }
  for (int pattern = 0; pattern < 6; ++pattern) {
    for (size_t n : {5, 8, 13, 16, 31, 64, 70}) {
      std::vector<Bytes> nonces, aads, pts, outs(n), tags(n);
      std::vector<GcmBatchItem> items(n);
      for (size_t i = 0; i < n; ++i) {
        size_t k = 0;
        switch (pattern) {
          case 0:
            k = i % 2;
            break;  // two, alternating
          case 1:
            k = i % 7;
            break;  // seven in turn
          case 2:
            k = (i / 3) % 9;
            break;  // runs of three
          case 3:
            k = Uniform(rng, 0, 10);
            break;  // random
          case 4:
            k = i % 11;
            break;  // all different
          default:
            k = (i / 2) % 9;
            break;  // pairs
        }
        const size_t len = pattern == 3 && i % 4 == 0 ? Uniform(rng, 1, 300)
                                                      : (i % 2 ? 112 : 100);
        nonces.push_back(RandomBytes(rng, 12));
        aads.push_back(RandomBytes(rng, Uniform(rng, 0, 17)));
        pts.push_back(RandomBytes(rng, len));
        outs[i].assign(len, 0);
        tags[i].assign(16, 0);
        items[i] = {&keys[k],       nonces[i].data(),
                    aads[i].data(), aads[i].size(),
                    nullptr,        0,
                    pts[i].data(),  len,
                    outs[i].data(), tags[i].data()};
      }
      kernel_->seal_batch(items.data(), n);
      std::vector<GcmBatchItem> open_items = items;
      std::vector<Bytes> back(n);
      for (size_t i = 0; i < n; ++i) {
        const auto& it = items[i];
        Bytes o(it.len);
        uint8_t t[16];
        kernel_->seal(it.key, it.nonce, it.aad1, it.aad1_len, nullptr, 0, it.in,
                      it.len, o.data(), t);
        ++g_cases;
        ASSERT_EQ(o, outs[i])
            << "pattern " << pattern << " n=" << n << " i=" << i;
        ASSERT_EQ(Bytes(t, t + 16), tags[i]) << "pattern " << pattern;
        back[i].assign(it.len, 0x5a);
        open_items[i].in = outs[i].data();
        open_items[i].out = back[i].data();
      }
      const size_t forged = Uniform(rng, 0, n);  // n: none
      if (forged < n) tags[forged][0] ^= 2;
      std::vector<uint8_t> ok(n, 7);
      kernel_->open_batch(open_items.data(), n, ok.data());
      for (size_t i = 0; i < n; ++i) {
        ++g_cases;
        ASSERT_EQ(i == forged ? 0 : 1, ok[i]) << "pattern " << pattern;
        ASSERT_EQ(i == forged ? Bytes(pts[i].size(), 0) : pts[i], back[i]);
      }
    }
  }
}

// One key for the whole batch: groups whose frames share the key and the
// (AAD blocks, ciphertext blocks) shape take broadcast powers; same key with
// different shapes in one group gathers them. Runs of equal frames, runs of
// mixed lengths within one vector count, AAD in one or two spans or none.
TEST_P(AesGcmKernelTest, BatchOneKeyEqualsSingleCalls) {
  std::mt19937_64 rng(9);
  for (size_t key_len : {16, 32}) {
    const Bytes raw_key = RandomBytes(rng, key_len);
    const GcmKernelKey key = MakeKey(raw_key);
    for (int shape = 0; shape < 4; ++shape) {
      for (size_t n : {2, 3, 4, 5, 8, 13, 64}) {
        const size_t base_len = Uniform(rng, 1, 256);
        const size_t base_aad = Uniform(rng, 0, 20);
        std::vector<Bytes> nonces, aads, pts, bufs(n), tags(n);
        std::vector<GcmBatchItem> items(n);
        const bool in_place = (n + shape) % 2 == 0;
        for (size_t i = 0; i < n; ++i) {
          // shape 0: identical shapes; 1: lengths vary inside one 64-byte
          // vector count; 2: AAD lengths vary (0..64); 3: everything varies.
          size_t len = base_len, aad_len = base_aad;
          if (shape == 1 || shape == 3) {
            const size_t lo = (base_len - 1) / 64 * 64 + 1;
            len = Uniform(rng, lo, lo + 63);
          }
          if (shape == 2 || shape == 3) aad_len = Uniform(rng, 0, 64);
          nonces.push_back(RandomBytes(rng, 12));
          aads.push_back(RandomBytes(rng, aad_len));
          pts.push_back(RandomBytes(rng, len));
          bufs[i] = in_place ? pts[i] : Bytes(len, 0);
          tags[i].assign(16, 0);
          const size_t split = shape == 3 ? Uniform(rng, 0, aad_len) : aad_len;
          items[i] = {&key,
                      nonces[i].data(),
                      aad_len ? aads[i].data() : nullptr,
                      split,
                      aad_len ? aads[i].data() + split : nullptr,
                      aad_len - split,
                      in_place ? bufs[i].data() : pts[i].data(),
                      len,
                      bufs[i].data(),
                      tags[i].data()};
        }
        kernel_->seal_batch(items.data(), n);
        std::vector<GcmBatchItem> open_items = items;
        for (size_t i = 0; i < n; ++i) {
          const auto& it = items[i];
          Bytes o(it.len);
          uint8_t t[16];
          kernel_->seal(it.key, it.nonce, it.aad1, it.aad1_len, it.aad2,
                        it.aad2_len, pts[i].data(), it.len, o.data(), t);
          ++g_cases;
          ASSERT_EQ(o, bufs[i])
              << "shape=" << shape << " n=" << n << " i=" << i;
          ASSERT_EQ(Bytes(t, t + 16), tags[i])
              << "shape=" << shape << " n=" << n << " i=" << i;
          Bytes got = bufs[i];
          got.insert(got.end(), tags[i].begin(), tags[i].end());
          ASSERT_EQ(
              OracleSeal(raw_key, it.nonce, aads[i], pts[i].data(), it.len),
              got);
          open_items[i].in = bufs[i].data();
          open_items[i].out = bufs[i].data();
        }
        const size_t forged = Uniform(rng, 0, n);  // n: none
        if (forged < n) tags[forged][0] ^= 0x80;
        std::vector<uint8_t> ok(n, 7);
        kernel_->open_batch(open_items.data(), n, ok.data());
        for (size_t i = 0; i < n; ++i) {
          ++g_cases;
          ASSERT_EQ(i == forged ? 0 : 1, ok[i]) << "shape=" << shape;
          ASSERT_EQ(i == forged ? Bytes(pts[i].size(), 0) : pts[i], bufs[i]);
        }
      }
    }
  }
}

// Every lane length, as groups of frames sharing one key and one shape (the
// dispatcher's one-shape path), whether or not the frame's block count
// leaves a spare lane in its last vector. Seven frames per call: on AVX-512
// one full group (the uniform call's fast path) and a partial group of three
// (the general path), on AVX2 three groups and a lone frame; one forged tag
// per call.
TEST_P(AesGcmKernelTest, BatchOneShapeEveryLength) {
  std::mt19937_64 rng(10);
  constexpr size_t kFrames = 7;
  for (size_t key_len : {16, 32}) {
    const GcmKernelKey key = MakeKey(RandomBytes(rng, key_len));
    for (size_t len = 1; len <= 256; ++len) {
      const size_t aad_len = len % 18;  // an SFrame header: 0..17 bytes
      std::vector<Bytes> nonces, aads, pts, outs(kFrames), tags(kFrames);
      std::vector<GcmBatchItem> items(kFrames);
      for (size_t i = 0; i < kFrames; ++i) {
        nonces.push_back(RandomBytes(rng, 12));
        aads.push_back(RandomBytes(rng, aad_len));
        pts.push_back(RandomBytes(rng, len));
        outs[i].assign(len, 0);
        tags[i].assign(16, 0);
        items[i] = {&key,           nonces[i].data(),
                    aads[i].data(), aad_len,
                    nullptr,        0,
                    pts[i].data(),  len,
                    outs[i].data(), tags[i].data()};
      }
      kernel_->seal_batch(items.data(), kFrames);
      std::vector<GcmBatchItem> open_items = items;
      std::vector<Bytes> back(kFrames);
      for (size_t i = 0; i < kFrames; ++i) {
        Bytes o(len);
        uint8_t t[16];
        kernel_->seal(&key, nonces[i].data(), aads[i].data(), aad_len, nullptr,
                      0, pts[i].data(), len, o.data(), t);
        ++g_cases;
        ASSERT_EQ(o, outs[i]) << "len=" << len << " i=" << i;
        ASSERT_EQ(Bytes(t, t + 16), tags[i]) << "len=" << len << " i=" << i;
        back[i].assign(len, 0x5a);
        open_items[i].in = outs[i].data();
        open_items[i].out = back[i].data();
      }
      const size_t forged = len % kFrames;
      tags[forged][len % 16] ^= 0x04;
      std::vector<uint8_t> ok(kFrames, 7);
      kernel_->open_batch(open_items.data(), kFrames, ok.data());
      for (size_t i = 0; i < kFrames; ++i) {
        ++g_cases;
        ASSERT_EQ(i == forged ? 0 : 1, ok[i]) << "len=" << len << " i=" << i;
        ASSERT_EQ(i == forged ? Bytes(len, 0) : pts[i], back[i])
            << "len=" << len << " i=" << i;
      }
    }
  }
}

// The uniform calls (one key, one lane shape, one `aead`): a batch that is
// uniform but for one field of one item, at the start, around the first
// block of 8 items the uniform check reads, and at the end. The call must
// say no and write nothing unless every item matches; seal_batch and
// open_batch then give every frame its single-call result.
TEST_P(AesGcmKernelTest, UniformBatchComparesEveryField) {
  std::mt19937_64 rng(12);
  const Bytes k1 = RandomBytes(rng, 16), k2 = RandomBytes(rng, 16);
  const GcmKernelKey key1 = MakeKey(k1), key2 = MakeKey(k2);
  constexpr size_t kLen = 112, kAad1 = 4, kAad2 = 3;
  int marker = 0;  // `aead` values: compared, never dereferenced
  Aead* const other_aead = reinterpret_cast<Aead*>(&marker);
  enum Field { kNone, kKey, kAadSplit, kLength, kAeadField, kFields };
  for (size_t n : {4, 5, 8, 9, 12, 64, 70}) {
    for (size_t at :
         {size_t{1}, size_t{3}, size_t{7}, size_t{8}, size_t{9}, n - 1}) {
      if (at >= n) continue;
      for (int field = kNone; field < kFields; ++field) {
        SCOPED_TRACE(testing::Message()
                     << "n=" << n << " at=" << at << " field=" << field);
        std::vector<Bytes> nonces, aads, pts, outs(n), tags(n);
        std::vector<GcmBatchItem> items(n);
        for (size_t i = 0; i < n; ++i) {
          const bool odd = i == at;
          const size_t len = odd && field == kLength ? kLen - 1 : kLen;
          const size_t aad1 = odd && field == kAadSplit ? kAad1 + 1 : kAad1;
          nonces.push_back(RandomBytes(rng, 12));
          aads.push_back(RandomBytes(rng, kAad1 + kAad2));
          pts.push_back(RandomBytes(rng, len));
          outs[i].assign(len, 0x5a);
          tags[i].assign(16, 0x5a);
          items[i] = {odd && field == kKey ? &key2 : &key1,
                      nonces[i].data(),
                      aads[i].data(),
                      aad1,
                      aads[i].data() + aad1,
                      kAad1 + kAad2 - aad1,
                      pts[i].data(),
                      len,
                      outs[i].data(),
                      tags[i].data()};
          if (odd && field == kAeadField) items[i].aead = other_aead;
        }
        const bool uniform = field == kNone;
        ASSERT_EQ(uniform, kernel_->seal_uniform_batch(items.data(), n));
        if (!uniform) {
          for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(Bytes(items[i].len, 0x5a), outs[i]) << "i=" << i;
            ASSERT_EQ(Bytes(16, 0x5a), tags[i]) << "i=" << i;
          }
          kernel_->seal_batch(items.data(), n);
        }
        std::vector<GcmBatchItem> open_items = items;
        std::vector<Bytes> back(n);
        for (size_t i = 0; i < n; ++i) {
          const GcmBatchItem& it = items[i];
          ++g_cases;
          Bytes want = OracleSeal(it.key == &key2 ? k2 : k1, it.nonce, aads[i],
                                  pts[i].data(), it.len);
          Bytes got = outs[i];
          got.insert(got.end(), tags[i].begin(), tags[i].end());
          ASSERT_EQ(want, got) << "i=" << i;
          back[i].assign(it.len, 0x5a);
          open_items[i].in = outs[i].data();
          open_items[i].out = back[i].data();
        }
        const size_t forged = (at + n / 2) % n;
        tags[forged][5] ^= 0x20;
        std::vector<uint8_t> ok(n, 7);
        ASSERT_EQ(uniform,
                  kernel_->open_uniform_batch(open_items.data(), n, ok.data()));
        if (!uniform) {
          ASSERT_EQ(std::vector<uint8_t>(n, 7), ok);
          for (size_t i = 0; i < n; ++i) {
            ASSERT_EQ(Bytes(items[i].len, 0x5a), back[i]) << "i=" << i;
          }
          kernel_->open_batch(open_items.data(), n, ok.data());
        }
        for (size_t i = 0; i < n; ++i) {
          ++g_cases;
          ASSERT_EQ(i == forged ? 0 : 1, ok[i]) << "i=" << i;
          ASSERT_EQ(i == forged ? Bytes(items[i].len, 0) : pts[i], back[i])
              << "i=" << i;
        }
      }
    }
  }
}

TEST_P(AesGcmKernelTest, OracleAgreesWithItself) {
  // Guards against a broken oracle making every comparison vacuous.
  std::mt19937_64 rng(8);
  const Bytes k = RandomBytes(rng, 16), nonce = RandomBytes(rng, 12);
  const Bytes aad = RandomBytes(rng, 20), pt = RandomBytes(rng, 50);
  Bytes ct = OracleSeal(k, nonce.data(), aad, pt.data(), pt.size());
  EXPECT_TRUE(OracleOpen(k, nonce.data(), aad, ct));
  ct[0] ^= 1;
  EXPECT_FALSE(OracleOpen(k, nonce.data(), aad, ct));
}

INSTANTIATE_TEST_SUITE_P(
    Kernels, AesGcmKernelTest,
    testing::Values(
        KernelCase{"vaes_avx512_karatsuba", GcmKernelVaesAvx512,
                   GcmBulkGhash::kKaratsuba, GcmMixedKeys::kGroups},
        KernelCase{"vaes_avx512_schoolbook", GcmKernelVaesAvx512,
                   GcmBulkGhash::kSchoolbook, GcmMixedKeys::kSingles},
        KernelCase{"vaes_avx2_karatsuba", GcmKernelVaesAvx2,
                   GcmBulkGhash::kKaratsuba, GcmMixedKeys::kSingles},
        KernelCase{"vaes_avx2_schoolbook", GcmKernelVaesAvx2,
                   GcmBulkGhash::kSchoolbook, GcmMixedKeys::kGroups},
        // The AVX-512 kernel's algorithm (4-frame lane groups) on AVX2, so
        // that CPUs without AVX-512 test it too.
        KernelCase{"emulated_avx512_karatsuba", GcmKernelEmulatedAvx512,
                   GcmBulkGhash::kKaratsuba, GcmMixedKeys::kGroups},
        KernelCase{"emulated_avx512_schoolbook", GcmKernelEmulatedAvx512,
                   GcmBulkGhash::kSchoolbook, GcmMixedKeys::kSingles}),
    [](const testing::TestParamInfo<KernelCase>& info) {
      return std::string(info.param.name);
    });

class CaseCountReporter : public testing::EmptyTestEventListener {
  void OnTestProgramEnd(const testing::UnitTest&) override {
    printf("[ kernel cases ] %zu seal/open comparisons\n", g_cases);
  }
};

const bool kRegistered = [] {
  testing::UnitTest::GetInstance()->listeners().Append(new CaseCountReporter);
  return true;
}();

}  // namespace
}  // namespace internal
}  // namespace sframe
