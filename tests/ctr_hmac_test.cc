// Copyright 2026 The sframecpp Authors.
//
// Differential tests of our AES-CTR-HMAC path (VAES AES-CTR + SHA-NI
// HMAC-SHA-256, src/crypto/sha256_x86_64_shani.cc and the kernels' ctr32)
// against BoringSSL's AES and HMAC. Implementations this CPU lacks are
// skipped. Randomness is a fixed-seed std::mt19937_64, so failures reproduce.

#include <openssl/aes.h>
#include <openssl/digest.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/cipher_suite.h"
#include "src/crypto/aead.h"
#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/sha256_x86_64_shani.h"

namespace sframe {
namespace internal {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

size_t Uniform(std::mt19937_64& rng, size_t lo, size_t hi) {  // [lo, hi]
  return std::uniform_int_distribution<size_t>(lo, hi)(rng);
}

Bytes OracleHmac(const Bytes& key, const Bytes& msg) {
  Bytes out(32);
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), key.size(), msg.data(), msg.size(), out.data(),
       &len);
  return out;
}

// RFC 9605 §4.5.1 from BoringSSL primitives, independent of aead.cc.
void OracleSeal(CipherSuite suite, const Bytes& key, const uint8_t* nonce,
                const Bytes& aad, const Bytes& pt, Bytes* ct, Bytes* tag) {
  const size_t nka = AesKeySize(suite);
  AES_KEY aes;
  AES_set_encrypt_key(key.data(), static_cast<unsigned>(nka * 8), &aes);
  ct->assign(pt.size(), 0);
  uint8_t ivec[16] = {0}, ecount[16] = {0};
  memcpy(ivec, nonce, 12);
  unsigned num = 0;
  if (!pt.empty()) {
    AES_ctr128_encrypt(pt.data(), ct->data(), pt.size(), &aes, ivec, ecount,
                       &num);
  }
  Bytes mac_in(36 + aad.size() + ct->size());
  const uint64_t lens[3] = {aad.size(), pt.size(), TagSize(suite)};
  for (int f = 0; f < 3; ++f) {
    for (int i = 0; i < 8; ++i) {
      mac_in[8 * f + 7 - i] = static_cast<uint8_t>(lens[f] >> (8 * i));
    }
  }
  for (size_t i = 0; i < 12; ++i) mac_in[24 + i] = nonce[i];
  for (size_t i = 0; i < aad.size(); ++i) mac_in[36 + i] = aad[i];
  for (size_t i = 0; i < ct->size(); ++i) {
    mac_in[36 + aad.size() + i] = (*ct)[i];
  }
  const Bytes full = OracleHmac(Bytes(key.begin() + nka, key.end()), mac_in);
  tag->assign(full.begin(), full.begin() + TagSize(suite));
}

// The fast implementations this CPU runs (empty without SHA-NI).
std::vector<AeadImplementation> FastImplementations() {
  std::vector<AeadImplementation> out;
  if (!Sha256ShaniSupported()) return out;
  for (auto impl :
       {AeadImplementation::kVaesAvx512, AeadImplementation::kVaesAvx2}) {
    if (IsAeadImplementationSupported(impl)) out.push_back(impl);
  }
  return out;
}

TEST(HmacSha256ShaniTest, MatchesBoringSslForSplitMessages) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(1);
  for (size_t key_len : {0, 1, 16, 32, 55, 63, 64}) {
    const Bytes key = RandomBytes(rng, key_len);
    HmacSha256Key k;
    HmacSha256ShaniInit(&k, key.data(), key.size());
    for (size_t len = 0; len <= 300; ++len) {
      const Bytes msg = RandomBytes(rng, len);
      // Up to four parts, some possibly empty.
      size_t cut[3] = {Uniform(rng, 0, len), Uniform(rng, 0, len),
                       Uniform(rng, 0, len)};
      std::sort(cut, cut + 3);
      const absl::Span<const uint8_t> all(msg);
      const absl::Span<const uint8_t> parts[] = {
          all.subspan(0, cut[0]), all.subspan(cut[0], cut[1] - cut[0]),
          all.subspan(cut[1], cut[2] - cut[1]), all.subspan(cut[2])};
      uint8_t mac[32];
      HmacSha256Shani(k, parts, mac);
      ASSERT_EQ(Bytes(mac, mac + 32), OracleHmac(key, msg))
          << "key_len=" << key_len << " len=" << len;
    }
  }
}

TEST(HmacSha256ShaniTest, MatchesBoringSslForLongMessages) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(2);
  const Bytes key = RandomBytes(rng, 32);
  HmacSha256Key k;
  HmacSha256ShaniInit(&k, key.data(), key.size());
  for (int i = 0; i < 50; ++i) {
    const Bytes msg = RandomBytes(rng, Uniform(rng, 300, 5000));
    const absl::Span<const uint8_t> parts[] = {msg};
    uint8_t mac[32];
    HmacSha256Shani(k, parts, mac);
    ASSERT_EQ(Bytes(mac, mac + 32), OracleHmac(key, msg)) << msg.size();
  }
}

TEST(KernelCtr32Test, MatchesBlockwiseAesWithInc32) {
  std::mt19937_64 rng(3);
  for (const GcmKernel* kernel : {GcmKernelVaesAvx512(), GcmKernelVaesAvx2()}) {
    if (kernel == nullptr) continue;
    for (size_t key_len : {16, 32}) {
      const Bytes key = RandomBytes(rng, key_len);
      GcmKernelKey gk;
      kernel->init(&gk, key.data(), key.size());
      AES_KEY aes;
      AES_set_encrypt_key(key.data(), static_cast<unsigned>(key_len * 8), &aes);
      for (int i = 0; i < 200; ++i) {
        const size_t len =
            i < 100 ? static_cast<size_t>(i) * 7 : Uniform(rng, 0, 2000);
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
        kernel->ctr32(&gk, cb.data(), in.data(), len, out.data());
        ASSERT_EQ(out, expected) << kernel->name << " len=" << len;
        Bytes inplace = in;
        kernel->ctr32(&gk, cb.data(), inplace.data(), len, inplace.data());
        ASSERT_EQ(inplace, expected) << kernel->name << " in place";
      }
    }
  }
}

class CtrHmacAeadTest
    : public ::testing::TestWithParam<std::tuple<CipherSuite, int>> {};

TEST_P(CtrHmacAeadTest, MatchesBoringSslConstruction) {
  const CipherSuite suite = std::get<0>(GetParam());
  const std::vector<AeadImplementation> impls = FastImplementations();
  const size_t which = static_cast<size_t>(std::get<1>(GetParam()));
  if (which >= impls.size()) GTEST_SKIP() << "implementation not supported";
  std::mt19937_64 rng(10 + static_cast<int>(suite) * 3 + which);
  const Bytes key = RandomBytes(rng, KeySize(suite));
  auto aead = Aead::Create(suite, key, impls[which]);
  ASSERT_TRUE(aead.ok()) << aead.status();
  EXPECT_NE((*aead)->implementation_name(), "ctr_hmac");
  const size_t nt = TagSize(suite);
  for (int i = 0; i < 300; ++i) {
    const size_t len = i < 100 ? static_cast<size_t>(i) : Uniform(rng, 0, 4096);
    const Bytes aad = RandomBytes(rng, Uniform(rng, 0, i % 4 == 0 ? 600 : 40));
    const size_t split = Uniform(rng, 0, aad.size());
    const absl::Span<const uint8_t> aad1(aad.data(), split);
    const absl::Span<const uint8_t> aad2(aad.data() + split,
                                         aad.size() - split);
    const Bytes nonce = RandomBytes(rng, 12);
    const Bytes pt = RandomBytes(rng, len);
    Bytes want_ct, want_tag;
    OracleSeal(suite, key, nonce.data(), aad, pt, &want_ct, &want_tag);

    const bool in_place = i % 2 == 1;
    const size_t offset = Uniform(rng, 0, 15);  // unaligned buffers
    Bytes buf(len + offset + 1);
    uint8_t* out = buf.data() + offset;
    Bytes src_buf(len + 1);
    if (len != 0) memcpy(src_buf.data() + 1, pt.data(), len);
    const uint8_t* src = src_buf.data() + 1;
    if (in_place) {
      memcpy(out, pt.data(), len);
      src = out;
    }
    uint8_t tag[16];
    ASSERT_TRUE((*aead)->Seal(nonce.data(), aad1, aad2, {src, len}, out, tag));
    ASSERT_EQ(Bytes(out, out + len), want_ct) << "len=" << len;
    ASSERT_EQ(Bytes(tag, tag + nt), want_tag) << "len=" << len;

    // Open (in place or not) restores the plaintext.
    Bytes ct = want_ct;
    Bytes back(len + 1);
    uint8_t* dst = in_place ? ct.data() : back.data();
    ASSERT_TRUE(
        (*aead)->Open(nonce.data(), aad1, aad2, {ct.data(), len}, tag, dst));
    ASSERT_EQ(Bytes(dst, dst + len), pt) << "len=" << len;

    // A flipped tag, ciphertext or AAD bit fails with zeroed output.
    Bytes bad_tag(tag, tag + nt);
    Bytes bad_ct = want_ct;
    Bytes bad_aad = aad;
    const int what = static_cast<int>(Uniform(rng, 0, 2));
    if (what == 0 || (what == 1 && len == 0) || (what == 2 && aad.empty())) {
      bad_tag[Uniform(rng, 0, nt - 1)] ^= 1 << Uniform(rng, 0, 7);
    } else if (what == 1) {
      bad_ct[Uniform(rng, 0, len - 1)] ^= 1 << Uniform(rng, 0, 7);
    } else {
      bad_aad[Uniform(rng, 0, aad.size() - 1)] ^= 1 << Uniform(rng, 0, 7);
    }
    Bytes junk(len, 0xaa);
    EXPECT_FALSE((*aead)->Open(
        nonce.data(), absl::MakeConstSpan(bad_aad.data(), split),
        absl::MakeConstSpan(bad_aad.data() + split, bad_aad.size() - split),
        bad_ct, bad_tag.data(), junk.data()))
        << "len=" << len;
    EXPECT_EQ(junk, Bytes(len, 0)) << "len=" << len;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Suites, CtrHmacAeadTest,
    ::testing::Combine(::testing::Values(CipherSuite::kAes128CtrHmacSha256_80,
                                         CipherSuite::kAes128CtrHmacSha256_64,
                                         CipherSuite::kAes128CtrHmacSha256_32),
                       ::testing::Values(0, 1)),
    [](const auto& info) {
      return std::string(CipherSuiteShortName(std::get<0>(info.param))) +
             (std::get<1>(info.param) == 0 ? "_first" : "_second");
    });

TEST(CtrHmacSelectionTest, BoringSslIsForcedAndSha512SuitesStayOnIt) {
  const Bytes key(KeySize(CipherSuite::kAes128CtrHmacSha256_80), 7);
  auto forced = Aead::Create(CipherSuite::kAes128CtrHmacSha256_80, key,
                             AeadImplementation::kBoringSsl);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ((*forced)->implementation_name(), "ctr_hmac");
  const Bytes key512(KeySize(CipherSuite::kAes256CtrHmacSha512_80), 7);
  auto sha512 = Aead::Create(CipherSuite::kAes256CtrHmacSha512_80, key512);
  ASSERT_TRUE(sha512.ok());
  EXPECT_EQ((*sha512)->implementation_name(), "ctr_hmac");
  auto automatic = Aead::Create(CipherSuite::kAes128CtrHmacSha256_80, key);
  ASSERT_TRUE(automatic.ok());
  if (!FastImplementations().empty()) {
    EXPECT_NE((*automatic)->implementation_name(), "ctr_hmac");
  }
}

}  // namespace
}  // namespace internal
}  // namespace sframe
