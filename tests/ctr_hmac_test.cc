// Copyright 2026 The sframecpp Authors.
//
// Differential tests of our AES-CTR-HMAC path (VAES AES-CTR + SHA-NI
// HMAC-SHA-256, src/crypto/sha256_x86_64_shani.cc and the kernels' ctr32)
// against BoringSSL's AES and HMAC. Implementations this CPU lacks are
// skipped. Randomness is a fixed-seed std::mt19937_64, so failures reproduce.
//
// Also: the multi-stream HMAC (HmacSha256ShaniMulti) against the single-stream
// one and BoringSSL, and the batch path (Aead::SealBatch / OpenBatch, which
// runs FastCtrHmac frames through it) against single Seal / Open. This binary
// counts operator new calls (tests/counting_new.h) to check that the batch
// path allocates nothing.

#include <openssl/aes.h>
#include <openssl/digest.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sframe/cipher_suite.h"
#include "src/crypto/aead.h"
#include "src/crypto/aes_gcm_kernel.h"
#include "src/crypto/cpu_x86.h"
#include "src/crypto/sha256_x86_64_shani.h"

// The replacement operator new/delete pair malloc with free on purpose.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include "tests/counting_new.h"

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

// Splits `msg` into 1 to 5 parts at random points; parts may be empty.
std::vector<absl::Span<const uint8_t>> RandomSplit(std::mt19937_64& rng,
                                                   const Bytes& msg) {
  std::vector<size_t> cuts(Uniform(rng, 0, 4));
  for (size_t& c : cuts) c = Uniform(rng, 0, msg.size());
  if (Uniform(rng, 0, 3) == 0) cuts.push_back(cuts.empty() ? 0 : cuts[0]);
  std::sort(cuts.begin(), cuts.end());
  std::vector<absl::Span<const uint8_t>> parts;
  const absl::Span<const uint8_t> all(msg);
  size_t from = 0;
  for (size_t c : cuts) {
    parts.push_back(all.subspan(from, c - from));
    from = c;
  }
  parts.push_back(all.subspan(from));
  return parts;
}

// Messages for HmacSha256ShaniMulti with their keys, parts and expected MACs
// (from BoringSSL, checked against the single-stream HmacSha256Shani).
struct MultiCase {
  std::deque<Bytes> raw_keys;  // deques: stable addresses
  std::deque<HmacSha256Key> keys;
  std::deque<Bytes> msgs;
  std::deque<std::vector<absl::Span<const uint8_t>>> parts;
  std::vector<Bytes> want;
  std::vector<size_t> key_of;

  // Three keys of different lengths, shared at random by the messages.
  void AddKeys(std::mt19937_64& rng) {
    for (size_t len :
         {Uniform(rng, 0, 16), Uniform(rng, 17, 48), Uniform(rng, 49, 64)}) {
      raw_keys.push_back(RandomBytes(rng, len));
      keys.emplace_back();
      HmacSha256ShaniInit(&keys.back(), raw_keys.back().data(), len);
    }
  }

  void AddMessage(std::mt19937_64& rng, size_t len) {
    msgs.push_back(RandomBytes(rng, len));
    parts.push_back(RandomSplit(rng, msgs.back()));
    key_of.push_back(Uniform(rng, 0, keys.size() - 1));
    want.push_back(OracleHmac(raw_keys[key_of.back()], msgs.back()));
    uint8_t single[32];
    HmacSha256Shani(keys[key_of.back()], parts.back(), single);
    EXPECT_EQ(Bytes(single, single + 32), want.back()) << "len=" << len;
  }

  std::vector<HmacSha256Job> Jobs(std::vector<Bytes>* macs) const {
    macs->assign(msgs.size(), Bytes(32, 0));
    std::vector<HmacSha256Job> jobs;
    for (size_t i = 0; i < msgs.size(); ++i) {
      jobs.push_back({&keys[key_of[i]], parts[i], (*macs)[i].data()});
    }
    return jobs;
  }
};

TEST(HmacSha256ShaniMultiTest, MatchesSingleStreamAndBoringSsl) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(20);
  for (int lanes = 1; lanes <= 4; ++lanes) {
    for (size_t len = 0; len <= 300; ++len) {
      // Message 0 has length `len`; the others (0 to 8 of them, so lanes
      // run full, partly idle and refill) have random lengths, a few long.
      MultiCase c;
      c.AddKeys(rng);
      c.AddMessage(rng, len);
      const size_t others = len % 9;
      for (size_t i = 0; i < others; ++i) {
        c.AddMessage(rng, Uniform(rng, 0, 7) == 0 ? Uniform(rng, 301, 1500)
                                                  : Uniform(rng, 0, 300));
      }
      std::vector<Bytes> macs;
      const std::vector<HmacSha256Job> jobs = c.Jobs(&macs);
      HmacSha256ShaniMulti(jobs, nullptr, lanes);
      for (size_t i = 0; i < jobs.size(); ++i) {
        ASSERT_EQ(macs[i], c.want[i])
            << "lanes=" << lanes << " len=" << len << " job " << i << " of "
            << jobs.size() << " length " << c.msgs[i].size();
      }
    }
  }
}

TEST(HmacSha256ShaniMultiTest, EqualLengthsAndEmptyInput) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(21);
  HmacSha256ShaniMulti({}, nullptr);  // nothing to do
  // All lanes in lockstep, including at block boundaries (55, 56, 64, ...).
  for (size_t len : {0, 1, 55, 56, 63, 64, 119, 120, 128, 200, 1000}) {
    MultiCase c;
    c.AddKeys(rng);
    for (int i = 0; i < 13; ++i) c.AddMessage(rng, len);
    std::vector<Bytes> macs;
    HmacSha256ShaniMulti(c.Jobs(&macs));
    for (size_t i = 0; i < macs.size(); ++i) {
      ASSERT_EQ(macs[i], c.want[i]) << "len=" << len << " job " << i;
    }
  }
}

// Hooks that produce each job (its bytes and the job entry itself) in
// BeforeMac, so reading any of it earlier gives a wrong MAC, and check in
// AfterMac that the MAC is final.
class ProducingHooks final : public HmacSha256MultiHooks {
 public:
  ProducingHooks(const MultiCase& c, std::vector<HmacSha256Job>* jobs,
                 std::vector<Bytes>* macs)
      : c_(c),
        jobs_(*jobs),
        macs_(*macs),
        before_(jobs->size(), 0),
        after_(jobs->size(), 0) {
    // Until BeforeMac, the messages are garbage and the jobs empty.
    for (size_t i = 0; i < c_.msgs.size(); ++i) {
      buffers_.push_back(Bytes(c_.msgs[i].size(), 0xee));
    }
    for (HmacSha256Job& j : jobs_) j = {};
  }

  void BeforeMac(size_t i) override {
    ASSERT_LT(i, jobs_.size());
    ++before_[i];
    EXPECT_EQ(after_[i], 0) << i;
    if (!buffers_[i].empty()) {
      memcpy(buffers_[i].data(), c_.msgs[i].data(), buffers_[i].size());
    }
    // The parts of the stored split, moved onto the produced buffer.
    produced_parts_.emplace_back();
    for (absl::Span<const uint8_t> p : c_.parts[i]) {
      const size_t off = p.empty() ? 0 : p.data() - c_.msgs[i].data();
      produced_parts_.back().push_back(
          absl::MakeConstSpan(buffers_[i]).subspan(off, p.size()));
    }
    jobs_[i] = {&c_.keys[c_.key_of[i]], produced_parts_.back(),
                macs_[i].data()};
  }

  void AfterMac(size_t i) override {
    ASSERT_LT(i, jobs_.size());
    ++after_[i];
    EXPECT_EQ(before_[i], 1) << i;
    EXPECT_EQ(macs_[i], c_.want[i]) << "job " << i << " at AfterMac";
  }

  void ExpectEachCalledOnce() const {
    for (size_t i = 0; i < jobs_.size(); ++i) {
      EXPECT_EQ(before_[i], 1) << i;
      EXPECT_EQ(after_[i], 1) << i;
    }
  }

 private:
  const MultiCase& c_;
  std::vector<HmacSha256Job>& jobs_;
  std::vector<Bytes>& macs_;
  std::vector<int> before_, after_;
  std::deque<Bytes> buffers_;
  std::deque<std::vector<absl::Span<const uint8_t>>> produced_parts_;
};

// HmacSha256ShaniMultiEqual: messages of one length, on every lane count and
// job count (full and partial lane groups), at the padding boundaries (55,
// 56, 64, ...) and the longest length it takes, each split at random.
TEST(HmacSha256ShaniMultiEqualTest, MatchesSingleStreamAndBoringSsl) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(23);
  for (int lanes = 1; lanes <= 4; ++lanes) {
    for (size_t len : {size_t{0}, size_t{1}, size_t{55}, size_t{56}, size_t{63},
                       size_t{64}, size_t{119}, size_t{120}, size_t{200},
                       size_t{1000}, kSha256EqualMaxLen}) {
      for (size_t n : {1, 2, 3, 4, 5, 7, 9, 13}) {
        MultiCase c;
        c.AddKeys(rng);
        for (size_t i = 0; i < n; ++i) c.AddMessage(rng, len);
        std::vector<Bytes> macs;
        HmacSha256ShaniMultiEqual(c.Jobs(&macs), len, nullptr, lanes);
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(macs[i], c.want[i]) << "lanes=" << lanes << " len=" << len
                                        << " job " << i << " of " << n;
        }
      }
    }
  }
}

// Outside the contract, the damage stays contained: a length over the limit
// takes the general path (right MACs), and parts that do not sum to `len`
// are hashed as their first `len` bytes, zero-filled, without touching
// memory beyond the buffers.
TEST(HmacSha256ShaniMultiEqualTest, ContainsCallerErrors) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(25);
  MultiCase c;
  c.AddKeys(rng);
  for (int i = 0; i < 5; ++i) c.AddMessage(rng, kSha256EqualMaxLen + 100);
  std::vector<Bytes> macs;
  HmacSha256ShaniMultiEqual(c.Jobs(&macs), kSha256EqualMaxLen + 100);
  for (size_t i = 0; i < macs.size(); ++i) EXPECT_EQ(macs[i], c.want[i]) << i;

  for (size_t claimed : {90, 110}) {
    MultiCase d;
    d.AddKeys(rng);
    for (int i = 0; i < 5; ++i) d.AddMessage(rng, 100);
    HmacSha256ShaniMultiEqual(d.Jobs(&macs), claimed);
    for (size_t i = 0; i < macs.size(); ++i) {
      Bytes hashed = d.msgs[i];
      hashed.resize(claimed, 0);
      EXPECT_EQ(macs[i], OracleHmac(d.raw_keys[d.key_of[i]], hashed))
          << "claimed " << claimed << " job " << i;
    }
  }
}

TEST(HmacSha256ShaniMultiEqualTest, HooksRunOncePerJobAroundItsMac) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(24);
  HmacSha256ShaniMultiEqual({}, 0);  // nothing to do
  for (int lanes = 1; lanes <= 4; ++lanes) {
    for (int round = 0; round < 20; ++round) {
      MultiCase c;
      c.AddKeys(rng);
      const size_t n = Uniform(rng, 1, 40);
      const size_t len = round % 2 == 0 ? 200 : Uniform(rng, 0, 700);
      for (size_t i = 0; i < n; ++i) c.AddMessage(rng, len);
      std::vector<Bytes> macs;
      std::vector<HmacSha256Job> jobs = c.Jobs(&macs);
      ProducingHooks hooks(c, &jobs, &macs);
      HmacSha256ShaniMultiEqual(jobs, len, &hooks, lanes);
      hooks.ExpectEachCalledOnce();
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(macs[i], c.want[i]) << "lanes=" << lanes << " job " << i;
      }
    }
  }
}

// Lengths that differ a little, which HmacSha256ShaniLockstep runs in
// lockstep: per-packet video (packets of one length, a shorter last one),
// lengths within one block of each other in any order, and packet runs of
// several frames (an occasional shorter packet among full ones). lens[i] is
// message i's length.
MultiCase CloseLengthsCase(std::mt19937_64& rng, size_t n, int shape,
                           std::vector<size_t>* lens) {
  MultiCase c;
  c.AddKeys(rng);
  lens->clear();
  const size_t top = Uniform(rng, 640, kSha256EqualMaxLen);
  for (size_t i = 0; i < n; ++i) {
    size_t len;
    if (shape == 0) {
      len = i + 1 < n ? kSha256EqualMaxLen - 7 : Uniform(rng, 0, 1000);
    } else if (shape == 1) {
      len = Uniform(rng, top - 63, top);
    } else {
      len = Uniform(rng, 0, 11) == 0 ? Uniform(rng, 0, 1240) : 1240;
    }
    lens->push_back(len);
    c.AddMessage(rng, len);
  }
  return c;
}

// HmacSha256ShaniLockstep: lanes ordered within their group and dropping
// out as their messages end, on every lane count and job count, with and
// without hooks.
TEST(HmacSha256ShaniLockstepTest, MatchesBoringSslWithAndWithoutHooks) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(26);
  for (int lanes = 1; lanes <= 4; ++lanes) {
    for (size_t n : {1, 2, 3, 4, 5, 7, 9, 13, 21, 40}) {
      for (int round = 0; round < 6; ++round) {
        std::vector<size_t> lens;
        const MultiCase c = CloseLengthsCase(rng, n, round % 3, &lens);
        std::vector<Bytes> macs;
        std::vector<HmacSha256Job> jobs = c.Jobs(&macs);
        if (round < 3) {
          HmacSha256ShaniLockstep(jobs, lens.data(), nullptr, lanes);
        } else {
          ProducingHooks hooks(c, &jobs, &macs);
          HmacSha256ShaniLockstep(jobs, lens.data(), &hooks, lanes);
          hooks.ExpectEachCalledOnce();
        }
        for (size_t i = 0; i < n; ++i) {
          ASSERT_EQ(macs[i], c.want[i])
              << "lanes=" << lanes << " round " << round << " job " << i
              << " of " << n << " length " << lens[i];
        }
      }
    }
  }
}

// Lengths that would leave many lanes idle, or exceed the limit, take the
// general path; lengths that rise within a group are ordered (right MACs
// either way). Parts that fall short of their length are hashed
// zero-filled, and nothing beyond the buffers is touched.
TEST(HmacSha256ShaniLockstepTest, OtherLengthsAndCallerErrors) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(27);
  HmacSha256ShaniLockstep({}, nullptr);  // nothing to do
  for (const std::vector<size_t>& lens :
       {std::vector<size_t>{100, 200, 50}, std::vector<size_t>{0, 1},
        std::vector<size_t>{1000, 1020, 990, 1010, 5},
        std::vector<size_t>{kSha256EqualMaxLen + 1, 10, 5},
        std::vector<size_t>{900, 800, 700, 2000}}) {
    MultiCase c;
    c.AddKeys(rng);
    for (size_t len : lens) c.AddMessage(rng, len);
    std::vector<Bytes> macs;
    std::vector<HmacSha256Job> jobs = c.Jobs(&macs);
    ProducingHooks hooks(c, &jobs, &macs);
    HmacSha256ShaniLockstep(jobs, lens.data(), &hooks);
    hooks.ExpectEachCalledOnce();
    for (size_t i = 0; i < macs.size(); ++i) EXPECT_EQ(macs[i], c.want[i]) << i;
  }
  MultiCase d;
  d.AddKeys(rng);
  // Claimed lengths the lockstep path takes (5 blocks each, no lane idle);
  // the general path would ignore them.
  const std::vector<size_t> real = {300, 300, 290, 280, 250};
  const std::vector<size_t> claimed = {310, 290, 300, 270, 240};
  for (size_t len : real) d.AddMessage(rng, len);
  std::vector<Bytes> macs;
  HmacSha256ShaniLockstep(d.Jobs(&macs), claimed.data());
  for (size_t i = 0; i < macs.size(); ++i) {
    Bytes hashed = d.msgs[i];
    hashed.resize(claimed[i], 0);
    EXPECT_EQ(macs[i], OracleHmac(d.raw_keys[d.key_of[i]], hashed)) << i;
  }
}

// The default lane count follows the CPU (2 on AMD without AVX-512, else
// 4); the test hook overrides it, and 0 and out-of-range values restore it.
TEST(HmacSha256ShaniMultiTest, LaneCountFollowsTheCpuUnlessForced) {
  const X86Features& f = GetX86Features();
  const int want = f.amd && !f.avx512f ? 2 : 4;
  if (std::getenv("SFRAME_HMAC_LANES") == nullptr) {
    EXPECT_EQ(HmacSha256Lanes(), want);
  }
  for (int lanes = 1; lanes <= 4; ++lanes) {
    SetHmacSha256LanesForTesting(lanes);
    EXPECT_EQ(HmacSha256Lanes(), lanes);
  }
  SetHmacSha256LanesForTesting(7);
  const int restored = HmacSha256Lanes();
  EXPECT_GE(restored, 1);
  EXPECT_LE(restored, 4);
  SetHmacSha256LanesForTesting(0);
  EXPECT_EQ(HmacSha256Lanes(), restored);
}

// The equal-length MACs use 4 lanes on every CPU unless forced; the same
// hook forces them.
TEST(HmacSha256ShaniMultiEqualTest, LaneCountIsFourUnlessForced) {
  if (std::getenv("SFRAME_HMAC_LANES") == nullptr) {
    EXPECT_EQ(HmacSha256EqualLanes(), 4);
  }
  for (int lanes = 1; lanes <= 4; ++lanes) {
    SetHmacSha256LanesForTesting(lanes);
    EXPECT_EQ(HmacSha256EqualLanes(), lanes);
  }
  SetHmacSha256LanesForTesting(0);
}

TEST(HmacSha256ShaniMultiTest, HooksRunOncePerJobAroundItsMac) {
  if (!Sha256ShaniSupported()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(22);
  for (int lanes = 1; lanes <= 4; ++lanes) {
    for (int round = 0; round < 40; ++round) {
      MultiCase c;
      c.AddKeys(rng);
      const size_t n = Uniform(rng, 1, 40);
      for (size_t i = 0; i < n; ++i) {
        c.AddMessage(rng, round % 2 == 0 ? 200 : Uniform(rng, 0, 700));
      }
      std::vector<Bytes> macs;
      std::vector<HmacSha256Job> jobs = c.Jobs(&macs);
      ProducingHooks hooks(c, &jobs, &macs);
      HmacSha256ShaniMulti(jobs, &hooks, lanes);
      hooks.ExpectEachCalledOnce();
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(macs[i], c.want[i]) << "lanes=" << lanes << " job " << i;
      }
    }
  }
}

// One frame of the batch tests, with its expected single-call results.
struct BatchFrame {
  Aead* aead;
  Bytes nonce, aad, pt;
  size_t split;  // aad1 = aad[0, split), aad2 = the rest
  bool in_place;
  Bytes want_ct, want_tag;  // from a single Seal
  Bytes src, dst, tag;      // the batch's buffers (dst unused in place)

  absl::Span<const uint8_t> aad1() const { return {aad.data(), split}; }
  absl::Span<const uint8_t> aad2() const {
    return {aad.data() + split, aad.size() - split};
  }
  uint8_t* out() { return in_place ? src.data() : dst.data(); }
  // When set, the item's kernel key field is this instead of aead's own
  // (an item not made by MakeAeadBatchItem; the batch must ignore it).
  const GcmKernelKey* foreign_key = nullptr;
  AeadBatchItem Item() {
    AeadBatchItem item =
        MakeAeadBatchItem(aead, nonce.data(), aad1(), aad2(),
                          {src.data(), pt.size()}, out(), tag.data());
    if (foreign_key != nullptr) item.key = foreign_key;
    return item;
  }
};

struct BatchKey {
  std::unique_ptr<Aead> aead;
  Bytes raw;
};

// Keys for the batch tests on `impl`: two per AES-CTR-HMAC-SHA-256 suite on
// our kernels, plus (when `mixed`) keys the batch must loop over one by
// one: the same suites on BoringSSL and AES-GCM.
std::vector<BatchKey> BatchKeys(std::mt19937_64& rng, AeadImplementation impl,
                                bool mixed) {
  std::vector<BatchKey> keys;
  const auto add = [&](CipherSuite suite, AeadImplementation i) {
    Bytes raw = RandomBytes(rng, KeySize(suite));
    auto aead = Aead::Create(suite, raw, i);
    EXPECT_TRUE(aead.ok()) << aead.status();
    if (aead.ok()) keys.push_back({*std::move(aead), std::move(raw)});
  };
  for (int copy = 0; copy < 2; ++copy) {
    for (CipherSuite suite : {CipherSuite::kAes128CtrHmacSha256_80,
                              CipherSuite::kAes128CtrHmacSha256_64,
                              CipherSuite::kAes128CtrHmacSha256_32}) {
      add(suite, impl);
      EXPECT_NE(keys.back().aead->implementation_name(), "ctr_hmac");
    }
  }
  if (mixed) {
    add(CipherSuite::kAes128CtrHmacSha256_80, AeadImplementation::kBoringSsl);
    add(CipherSuite::kAes128CtrHmacSha256_32, AeadImplementation::kBoringSsl);
    add(CipherSuite::kAes128GcmSha256_128, impl);
  }
  return keys;
}

// `n` frames on random keys, lengths (`len`, or random up to 1500 when it
// is SIZE_MAX), AADs and buffer layouts; sealed once singly for reference
// (checked against the BoringSSL construction for the CTR-HMAC suites).
std::vector<BatchFrame> MakeFrames(std::mt19937_64& rng,
                                   const std::vector<BatchKey>& keys, size_t n,
                                   size_t len, size_t aad_len = SIZE_MAX) {
  std::vector<BatchFrame> frames(n);
  for (BatchFrame& f : frames) {
    const BatchKey& key = keys[Uniform(rng, 0, keys.size() - 1)];
    f.aead = key.aead.get();
    f.nonce = RandomBytes(rng, 12);
    f.aad = RandomBytes(rng, aad_len != SIZE_MAX       ? aad_len
                             : Uniform(rng, 0, 3) == 0 ? Uniform(rng, 0, 100)
                                                       : Uniform(rng, 0, 20));
    f.split = Uniform(rng, 0, f.aad.size());
    const size_t size = len != SIZE_MAX           ? len
                        : Uniform(rng, 0, 3) == 0 ? Uniform(rng, 0, 1500)
                                                  : Uniform(rng, 0, 300);
    f.pt = RandomBytes(rng, size);
    f.in_place = Uniform(rng, 0, 1) == 1;
    f.want_ct.assign(size, 0);
    f.want_tag.assign(f.aead->tag_size(), 0);
    EXPECT_TRUE(f.aead->Seal(f.nonce.data(), f.aad1(), f.aad2(), f.pt,
                             f.want_ct.data(), f.want_tag.data()));
    if (IsGcm(f.aead->suite())) continue;
    Bytes oracle_ct, oracle_tag;
    OracleSeal(f.aead->suite(), key.raw, f.nonce.data(), f.aad, f.pt,
               &oracle_ct, &oracle_tag);
    EXPECT_EQ(f.want_ct, oracle_ct);
    EXPECT_EQ(f.want_tag, oracle_tag);
  }
  return frames;
}

// Seals `frames` with SealBatch into fresh buffers (in place: over a copy of
// the plaintext) and checks byte equality with the single Seal results;
// then opens them with OpenBatch, with one bit of the tags of the frames in
// `forged` altered, and checks the plaintexts, the zeroed outputs and the ok
// bits.
void CheckBatch(std::vector<BatchFrame>& frames,
                const std::vector<size_t>& forged) {
  const size_t n = frames.size();
  std::vector<AeadBatchItem> items(n);
  for (size_t i = 0; i < n; ++i) {
    BatchFrame& f = frames[i];
    f.src = f.pt;
    f.dst.assign(f.pt.size(), 0xaa);
    f.tag.assign(f.aead->tag_size(), 0xaa);
    items[i] = f.Item();
  }
  const long before_seal = g_allocations.load();
  ASSERT_TRUE(Aead::SealBatch(items));
  EXPECT_EQ(g_allocations.load(), before_seal) << "SealBatch allocated";
  for (size_t i = 0; i < n; ++i) {
    BatchFrame& f = frames[i];
    ASSERT_EQ(Bytes(f.out(), f.out() + f.pt.size()), f.want_ct)
        << "frame " << i << " len " << f.pt.size() << " in_place " << f.in_place
        << " " << f.aead->implementation_name();
    ASSERT_EQ(f.tag, f.want_tag) << "frame " << i;
  }

  // Open: the ciphertext in `src` (in place) or `src` -> `dst`.
  for (size_t i = 0; i < n; ++i) {
    BatchFrame& f = frames[i];
    f.src = f.want_ct;
    f.dst.assign(f.pt.size(), 0xaa);
    f.tag = f.want_tag;
    items[i] = f.Item();
  }
  // The forged frames take turns at which tag byte is altered (the last,
  // the first, a middle one): the batch compares a tag as two words that
  // overlap when it is not 16 bytes long.
  for (size_t k = 0; k < forged.size(); ++k) {
    Bytes& tag = frames[forged[k]].tag;
    const size_t at[] = {tag.size() - 1, 0, tag.size() / 2};
    tag[at[k % 3]] ^= 0x40;
  }
  std::vector<uint8_t> ok(n, 7);
  const long before_open = g_allocations.load();
  Aead::OpenBatch(items, ok.data());
  EXPECT_EQ(g_allocations.load(), before_open) << "OpenBatch allocated";
  for (size_t i = 0; i < n; ++i) {
    BatchFrame& f = frames[i];
    const bool bad = std::find(forged.begin(), forged.end(), i) != forged.end();
    EXPECT_EQ(ok[i], bad ? 0 : 1) << "frame " << i;
    const Bytes got(f.out(), f.out() + f.pt.size());
    EXPECT_EQ(got, bad ? Bytes(f.pt.size(), 0) : f.pt)
        << "frame " << i << " len " << f.pt.size() << " forged " << bad;
    // The single Open agrees, bit and bytes.
    Bytes single(f.pt.size(), 0xaa);
    EXPECT_EQ(f.aead->Open(f.nonce.data(), f.aad1(), f.aad2(), f.want_ct,
                           f.tag.data(), single.data()),
              !bad)
        << "frame " << i;
    EXPECT_EQ(single, got) << "frame " << i;
  }
}

class CtrHmacBatchTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    const std::vector<AeadImplementation> impls = FastImplementations();
    if (impls.empty()) GTEST_SKIP() << "no SHA-NI";
    const size_t which = static_cast<size_t>(GetParam());
    if (which >= impls.size()) GTEST_SKIP() << "implementation not supported";
    impl_ = impls[which];
  }
  AeadImplementation impl_ = AeadImplementation::kAuto;
};

// The batch's MACs run on as many lanes as HmacSha256Lanes() says, which
// depends on the CPU: every count is forced in turn (0: this CPU's default).
class ForceHmacLanes {
 public:
  explicit ForceHmacLanes(int lanes) { SetHmacSha256LanesForTesting(lanes); }
  ~ForceHmacLanes() { SetHmacSha256LanesForTesting(0); }
};

TEST_P(CtrHmacBatchTest, MixedFramesMatchSingleCalls) {
  std::mt19937_64 rng(30 + GetParam());
  for (int lanes : {0, 1, 2, 3, 4}) {
    const ForceHmacLanes force(lanes);
    for (bool mixed : {false, true}) {
      const auto keys = BatchKeys(rng, impl_, mixed);
      for (size_t n : {1, 2, 5, 31, 32, 33, 77}) {
        std::vector<BatchFrame> frames = MakeFrames(rng, keys, n, SIZE_MAX);
        CheckBatch(frames, {n / 2});
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(CtrHmacBatchTest, EqualLengthFramesMatchSingleCalls) {
  std::mt19937_64 rng(40 + GetParam());
  const auto keys = BatchKeys(rng, impl_, false);
  for (int lanes : {0, 1, 2, 3, 4}) {
    const ForceHmacLanes force(lanes);
    for (size_t len : {0, 1, 16, 24, 160, 1200, 1600}) {
      // Headers of one length too (the MACs in lockstep, up to
      // kSha256EqualMaxLen bytes; 1600 is beyond it), and of random lengths.
      for (size_t aad_len : {size_t{10}, size_t{60}, SIZE_MAX}) {
        std::vector<BatchFrame> frames =
            MakeFrames(rng, keys, 70, len, aad_len);
        // A forged tag in the middle, and the first and last frames.
        CheckBatch(frames, {0, 35, 69});
        if (HasFatalFailure()) return;
      }
    }
    // MAC inputs of one length, split differently between header and
    // payload: the MACs run in lockstep all the same.
    for (size_t total : {20, 170, 300}) {
      std::vector<BatchFrame> frames;
      for (int i = 0; i < 70; ++i) {
        const size_t aad_len = Uniform(rng, 0, 20);
        std::vector<BatchFrame> one =
            MakeFrames(rng, keys, 1, total - aad_len, aad_len);
        frames.push_back(std::move(one[0]));
      }
      CheckBatch(frames, {1, 34});
      if (HasFatalFailure()) return;
    }
  }
}

// A video frame in per-packet mode: packets of one length and a shorter
// last one (the MACs in lockstep, the last lane dropping out early), a few
// frames of them back to back (lengths that rise again within a group), and
// every lane count.
TEST_P(CtrHmacBatchTest, PacketRunsMatchSingleCalls) {
  std::mt19937_64 rng(45 + GetParam());
  const auto keys = BatchKeys(rng, impl_, false);
  for (int lanes : {0, 1, 2, 3, 4}) {
    const ForceHmacLanes force(lanes);
    for (size_t frame_bytes : {2500, 10000, 30000}) {
      for (int frames_per_call : {1, 3}) {
        std::vector<BatchFrame> frames;
        for (int f = 0; f < frames_per_call; ++f) {
          const size_t bytes = frame_bytes + Uniform(rng, 0, 1199);
          for (size_t at = 0; at < bytes; at += 1200) {
            std::vector<BatchFrame> one =
                MakeFrames(rng, keys, 1, std::min<size_t>(1200, bytes - at), 4);
            frames.push_back(std::move(one[0]));
          }
        }
        CheckBatch(frames, {frames.size() - 1, frames.size() / 2});
        if (HasFatalFailure()) return;
      }
    }
  }
}

// AES-GCM keys on the same kernel: Aead::SealBatch / OpenBatch hand the
// items to the kernel's batch entry point as they stand. Frames of random
// and of equal lengths (the kernel's lane groups), two key sizes; then the
// same with some items whose kernel key field names another key, which must
// not be used (those frames take the general path, on their own key).
TEST_P(CtrHmacBatchTest, GcmFramesGoToTheKernelAsTheyStand) {
  std::mt19937_64 rng(50 + GetParam());
  std::vector<BatchKey> keys;
  for (CipherSuite suite :
       {CipherSuite::kAes128GcmSha256_128, CipherSuite::kAes128GcmSha256_128,
        CipherSuite::kAes256GcmSha512_128}) {
    Bytes raw = RandomBytes(rng, KeySize(suite));
    auto aead = Aead::Create(suite, raw, impl_);
    ASSERT_TRUE(aead.ok()) << aead.status();
    ASSERT_NE((*aead)->gcm_kernel(), nullptr);
    keys.push_back({*std::move(aead), std::move(raw)});
  }
  for (bool foreign : {false, true}) {
    for (size_t len : {SIZE_MAX, size_t{112}, size_t{256}}) {
      std::vector<BatchFrame> frames = MakeFrames(rng, keys, 45, len);
      if (foreign) {
        for (size_t i = 0; i < frames.size(); i += 7) {
          frames[i].foreign_key = frames[i].aead == keys[0].aead.get()
                                      ? keys[1].aead->gcm_key()
                                      : keys[0].aead->gcm_key();
        }
      }
      CheckBatch(frames, {3, 22, 44});
      if (HasFatalFailure()) return;
    }
  }
}

// A batch of one Aead and one lane shape goes to the kernel's uniform call,
// which the Aead layer lets check every item's `key` and `aead` against the
// first item's. One item that breaks the pattern, early or late: its key
// field names the other Aead's key, or it belongs to the other Aead but its
// key field names the first's key. Either way it must be sealed and opened
// on its own Aead's key, and the others as before.
TEST_P(CtrHmacBatchTest, GcmUniformBatchChecksEveryItem) {
  std::mt19937_64 rng(60 + GetParam());
  std::vector<BatchKey> keys;
  for (int i = 0; i < 2; ++i) {
    Bytes raw = RandomBytes(rng, KeySize(CipherSuite::kAes128GcmSha256_128));
    auto aead = Aead::Create(CipherSuite::kAes128GcmSha256_128, raw, impl_);
    ASSERT_TRUE(aead.ok()) << aead.status();
    keys.push_back({*std::move(aead), std::move(raw)});
  }
  for (size_t n : {64, 70}) {
    for (size_t at : {size_t{1}, size_t{8}, size_t{9}, n - 1}) {
      for (int odd = 0; odd < 3; ++odd) {
        SCOPED_TRACE(testing::Message()
                     << "n=" << n << " at=" << at << " odd=" << odd);
        std::vector<BatchFrame> frames(n);
        for (size_t i = 0; i < n; ++i) {
          BatchFrame& f = frames[i];
          f.aead = keys[0].aead.get();
          if (i == at && odd == 1) {
            f.foreign_key = keys[1].aead->gcm_key();
          } else if (i == at && odd == 2) {
            f.aead = keys[1].aead.get();
            f.foreign_key = keys[0].aead->gcm_key();
          }
          f.nonce = RandomBytes(rng, 12);
          f.aad = RandomBytes(rng, 6);
          f.split = 4;
          f.pt = RandomBytes(rng, 112);
          f.in_place = i % 2 == 0;
          f.want_ct.assign(f.pt.size(), 0);
          f.want_tag.assign(f.aead->tag_size(), 0);
          ASSERT_TRUE(f.aead->Seal(f.nonce.data(), f.aad1(), f.aad2(), f.pt,
                                   f.want_ct.data(), f.want_tag.data()));
        }
        CheckBatch(frames, {0, at});
        if (HasFatalFailure()) return;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Implementations, CtrHmacBatchTest,
                         ::testing::Values(0, 1), [](const auto& info) {
                           return info.param == 0 ? std::string("first")
                                                  : std::string("second");
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

// The BoringSSL GCM fallback hands its input to EVP_CipherUpdate, whose
// length is an int, in pieces (2^30 bytes by default). Small pieces here:
// every way of cutting the AAD spans and the payload gives the whole-input
// result, and a frame with bytes appended past the authenticated length
// fails (a single int cast used to authenticate only length mod 2^32).
TEST(BoringSslGcmTest, InputInPiecesEqualsWholeInput) {
  std::mt19937_64 rng(17);
  for (CipherSuite suite :
       {CipherSuite::kAes128GcmSha256_128, CipherSuite::kAes256GcmSha512_128}) {
    const Bytes key = RandomBytes(rng, KeySize(suite));
    auto aead = Aead::Create(suite, key, AeadImplementation::kBoringSsl);
    ASSERT_TRUE(aead.ok());
    ASSERT_EQ((*aead)->implementation_name(), "boringssl");
    for (int i = 0; i < 300; ++i) {
      const Bytes nonce = RandomBytes(rng, kNonceSize);
      const Bytes aad1 = RandomBytes(rng, Uniform(rng, 0, 40));
      const Bytes aad2 = RandomBytes(rng, Uniform(rng, 0, 40));
      const Bytes pt = RandomBytes(rng, Uniform(rng, 0, 200));
      Bytes ct(pt.size() + 1), tag(16);
      SetBoringSslGcmPieceForTesting(0);
      ASSERT_TRUE(
          (*aead)->Seal(nonce.data(), aad1, aad2, pt, ct.data(), tag.data()));
      for (size_t piece : {size_t{1}, size_t{5}, size_t{16}, size_t{33}}) {
        SetBoringSslGcmPieceForTesting(piece);
        Bytes ct2(pt.size() + 1), tag2(16);
        ASSERT_TRUE((*aead)->Seal(nonce.data(), aad1, aad2, pt, ct2.data(),
                                  tag2.data()));
        EXPECT_EQ(ct2, ct) << piece;
        EXPECT_EQ(tag2, tag) << piece;
        Bytes back(pt.size() + 1);
        ASSERT_TRUE((*aead)->Open(nonce.data(), aad1, aad2,
                                  absl::MakeConstSpan(ct).first(pt.size()),
                                  tag.data(), back.data()));
        EXPECT_EQ(Bytes(back.begin(), back.begin() + pt.size()), pt);
        // Appended bytes are authenticated, and fail; the output is zeroed.
        Bytes longer(ct.begin(), ct.begin() + pt.size());
        longer.insert(longer.end(), piece, 0x4a);
        Bytes out(longer.size(), 0xee);
        EXPECT_FALSE((*aead)->Open(nonce.data(), aad1, aad2, longer, tag.data(),
                                   out.data()));
        EXPECT_EQ(out, Bytes(out.size(), 0));
      }
    }
  }
  SetBoringSslGcmPieceForTesting(0);
}

}  // namespace
}  // namespace internal
}  // namespace sframe
