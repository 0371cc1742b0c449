// Copyright 2026 The sframecpp Authors.
//
// HMAC-SHA-256 on SHA-NI.
//
// CONTRACT
//
// Requires: SHA-NI, SSSE3 and SSE4.1. Sha256ShaniSupported() checks this
//   once; nothing else here may run unless it returned true.
// Computes: the SHA-256 compression function (FIPS 180-4 §6.2.2) and
//   HMAC-SHA-256 (RFC 2104) over a list of byte spans hashed as one stream.
// Preconditions: HMAC keys of at most 64 bytes. Buffers need no alignment.
// Side effects: none; stack temporaries that held key-equivalent chaining
//   values are wiped before return.
//
// HOW IT WORKS
//
// SHA-NI keeps the eight working variables in two registers, ABEF and CDGH
// (A in the top dword). One `sha256rnds2` does two rounds given W+K for them
// in the low qword, so four rounds are two `sha256rnds2` with the W+K vector
// shifted down by 8 bytes in between; the roles of the two state registers
// swap after every instruction. The message schedule for rounds 16..63 is
// `sha256msg1` (adds sigma0 of the next-older words), plus W[t-7..t-4] (an
// `alignr` of the two middle groups), then `sha256msg2` (adds sigma1 of the
// newest words). The chain of 32 dependent `sha256rnds2` per block is the
// cost (about 2 cycles/byte single-stream); the schedule runs beside it.
//
// HMAC: the chaining values after the (key ^ ipad) and (key ^ opad) blocks
// are computed at key setup, so per message the work is the message blocks,
// the padded last inner block(s) and one outer block.
//
// SEVERAL MESSAGES
//
// One message keeps the core waiting on that rnds2 chain, with the SHA unit
// mostly idle (latency 4 cycles, a new rnds2 every 2 cycles, on Zen 5).
// HmacSha256ShaniMulti gives each of up to four "lanes" its own message and
// runs one compression per busy lane per step, the rounds of the lanes
// interleaved (group g of lane 0, 1, ..., then group g + 1), so the chains
// overlap: four lanes reach about 75 cycles per block against 135 for one
// (Zen 5). On Zen 3, where sha256msg2 also takes the SHA unit, two lanes do
// better than four (HmacSha256Lanes picks the count by CPU).
// A lane feeds its inner blocks, then its outer block, then takes the next
// message, so lanes stay busy when lengths differ; when fewer lanes are busy
// the step runs with fewer. The padded message is produced block by block:
// blocks inside one part are read in place, blocks that straddle parts or
// carry the padding are assembled in a 64-byte buffer per lane. That work,
// and the caller's per-message hooks, is done in small slices between the
// rounds of the previous step (see Scheduler): issued in one burst between
// steps it stalls the SHA unit instead of overlapping it.
//
// MESSAGES OF ONE LENGTH, OR OF LENGTHS THAT DIFFER A LITTLE
//
// HmacSha256ShaniMultiEqual and HmacSha256ShaniLockstep skip that planning:
// see "EQUAL LENGTHS" and "LENGTHS THAT DIFFER A LITTLE" below.

#include "src/crypto/sha256_x86_64_shani.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <type_traits>

#include "absl/base/optimization.h"
#include "src/crypto/cpu_x86.h"

namespace sframe {
namespace internal {
namespace {

// AVX is enabled so everything but the SHA instructions is VEX-encoded:
// legacy-SSE code after AVX code with dirty upper register halves ran about
// 2x slower on this machine (measured, Zen 5).
#define SFRAME_SHA_TARGET __attribute__((target("sha,ssse3,sse4.1,avx,avx2")))

alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

alignas(16) constexpr uint32_t kInitialState[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// Keeps the compiler from dropping the wipe of a dead stack object.
inline void Clobber(void* p) { __asm__ __volatile__("" : : "r"(p) : "memory"); }

template <class T>
inline void WipeLocal(T* p) {
  memset(p, 0, sizeof(*p));
  Clobber(p);
}

// The working state in SHA-NI's layout: ABEF (A in dword 3, F in dword 0)
// and CDGH. Kept in registers across blocks; HmacSha256Key stores it in this
// layout too, so no conversion happens per message.
struct State {
  __m128i abef;
  __m128i cdgh;
};

// Zeroes K working states with vector stores: a memset of a few State
// (WipeLocal) compiled to `rep stos`, whose start-up cost showed in each
// lockstep group's profile.
template <int K>
SFRAME_SHA_TARGET inline void WipeStates(State (&st)[K]) {
  const __m128i zero = _mm_setzero_si128();
  for (State& x : st) {
    _mm_store_si128(&x.abef, zero);
    _mm_store_si128(&x.cdgh, zero);
  }
  Clobber(st);
}

// Big-endian words: reverse the bytes of each dword.
SFRAME_SHA_TARGET inline __m128i WordSwap() {
  return _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
}

SFRAME_SHA_TARGET inline __m128i LoadWords(const uint8_t* p) {
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)),
                          WordSwap());
}

// [A,B,C,D] / [E,F,G,H] (dword 0 first) <-> ABEF / CDGH.
SFRAME_SHA_TARGET inline State FromWords(__m128i abcd, __m128i efgh) {
  const __m128i dcba = _mm_shuffle_epi32(abcd, 0x1b);
  const __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1b);
  return {_mm_unpackhi_epi64(hgfe, dcba), _mm_unpacklo_epi64(hgfe, dcba)};
}
SFRAME_SHA_TARGET inline __m128i WordsAbcd(const State& s) {
  return _mm_shuffle_epi32(_mm_unpackhi_epi64(s.cdgh, s.abef), 0x1b);
}
SFRAME_SHA_TARGET inline __m128i WordsEfgh(const State& s) {
  return _mm_shuffle_epi32(_mm_unpacklo_epi64(s.cdgh, s.abef), 0x1b);
}

// Writes the constant second half of an outer block: 0x80, zeros and the
// big-endian bit length of (opad block || inner hash).
SFRAME_SHA_TARGET inline void OuterPadding(uint8_t* block) {
  constexpr uint32_t kOuterBits = (kSha256BlockSize + kSha256DigestSize) * 8;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(block + 32),
                   _mm_set_epi32(0, 0, 0, 0x80));
  _mm_storeu_si128(
      reinterpret_cast<__m128i*>(block + 48),
      _mm_set_epi32(static_cast<int>(__builtin_bswap32(kOuterBits)), 0, 0, 0));
}

// The digest (big-endian words) of state `s` to out[0..32).
SFRAME_SHA_TARGET inline void StoreDigest(const State& s, uint8_t* out) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm_shuffle_epi8(WordsAbcd(s), WordSwap()));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16),
                   _mm_shuffle_epi8(WordsEfgh(s), WordSwap()));
}

// One compression (FIPS 180-4 §6.2.2) of the message words m0..m3 (W0..W15,
// native dword order). The schedule for group g+1 is computed before the
// rounds of group g, so it is ready when they need it.
SFRAME_SHA_TARGET inline void Block(State& s, __m128i m0, __m128i m1,
                                    __m128i m2, __m128i m3) {
  __m128i m[4] = {m0, m1, m2, m3};
  __m128i abef = s.abef;
  __m128i cdgh = s.cdgh;
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    if (g + 1 >= 4 && g + 1 < 16) {
      // W[4g'..4g'+3] for g' = g + 1 from the four previous groups.
      const int n = g + 1;
      const __m128i t =
          _mm_add_epi32(_mm_sha256msg1_epu32(m[n % 4], m[(n + 1) % 4]),
                        _mm_alignr_epi8(m[(n + 3) % 4], m[(n + 2) % 4], 4));
      m[n % 4] = _mm_sha256msg2_epu32(t, m[(n + 3) % 4]);
    }
    // g's words are still in m[g % 4]: group g + 1 overwrote slot
    // (g + 1) % 4, which held group g - 3.
    __m128i wk =
        _mm_add_epi32(m[g % 4], _mm_load_si128(reinterpret_cast<const __m128i*>(
                                    kRoundConstants + 4 * g)));
    cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
    wk = _mm_shuffle_epi32(wk, 0x0e);
    abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
  }
  s.abef = _mm_add_epi32(s.abef, abef);
  s.cdgh = _mm_add_epi32(s.cdgh, cdgh);
}

SFRAME_SHA_TARGET inline void BlockAt(State& s, const uint8_t* p) {
  Block(s, LoadWords(p), LoadWords(p + 16), LoadWords(p + 32),
        LoadWords(p + 48));
}

SFRAME_SHA_TARGET inline State LoadState(const uint32_t* words) {
  return {_mm_loadu_si128(reinterpret_cast<const __m128i*>(words)),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(words + 4))};
}
SFRAME_SHA_TARGET inline void StoreState(uint32_t* words, const State& s) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(words), s.abef);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(words + 4), s.cdgh);
}

// Copies n bytes, sizeof(Word) <= n <= 2 * sizeof(Word), as two possibly
// overlapping words: the first and the last sizeof(Word) bytes.
template <class Word>
inline void CopyEnds(uint8_t* dst, const uint8_t* src, size_t n) {
  Word head, tail;
  memcpy(&head, src, sizeof(Word));
  memcpy(&tail, src + n - sizeof(Word), sizeof(Word));
  memcpy(dst, &head, sizeof(Word));
  memcpy(dst + n - sizeof(Word), &tail, sizeof(Word));
}

// Copies n <= kSha256BlockSize bytes with a few fixed-size, possibly
// overlapping moves chosen by n alone: the block assembly below copies a
// handful of short, odd-sized pieces per message (an SFrame MAC input is a
// 36-byte prefix, a header of at most 17 bytes, then the ciphertext), and a
// library memcpy call per piece cost more than the piece. 16-byte moves only
// (VEX xmm), so no upper register halves are dirtied before the legacy-encoded
// SHA instructions.
SFRAME_SHA_TARGET inline void CopyShort(uint8_t* dst, const uint8_t* src,
                                        size_t n) {
  if (n >= 16) {
    const __m128i last =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16));
    for (size_t i = 0; i + 16 < n; i += 16) {
      _mm_storeu_si128(
          reinterpret_cast<__m128i*>(dst + i),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 16), last);
  } else if (n >= 8) {
    CopyEnds<uint64_t>(dst, src, n);
  } else if (n >= 4) {
    CopyEnds<uint32_t>(dst, src, n);
  } else if (n != 0) {
    const uint8_t b0 = src[0], b1 = src[n / 2], b2 = src[n - 1];
    dst[0] = b0;
    dst[n / 2] = b1;
    dst[n - 1] = b2;
  }
}

// The inner hash of HMAC: a stream of parts after the ipad block. Partial
// blocks gather in `buf`; whole blocks are hashed straight from the input.
struct Stream {
  State st;
  uint8_t buf[kSha256BlockSize];
  size_t used;
  uint64_t total;

  SFRAME_SHA_TARGET inline void Update(const uint8_t* p, size_t n) {
    total += n;
    if (used != 0) {
      const size_t room = kSha256BlockSize - used;
      const size_t take = n < room ? n : room;
      CopyShort(buf + used, p, take);
      used += take;
      p += take;
      n -= take;
      if (used < kSha256BlockSize) return;
      BlockAt(st, buf);
      used = 0;
    }
    for (; n >= kSha256BlockSize; n -= kSha256BlockSize) {
      BlockAt(st, p);
      p += kSha256BlockSize;
    }
    if (n != 0) {
      CopyShort(buf, p, n);
      used = n;
    }
  }

  // FIPS 180-4 §5.1.1 padding. The 64-bit length goes into the last block's
  // words in registers (no byte stores to reload).
  SFRAME_SHA_TARGET inline void Finish() {
    const uint64_t bits = total * 8;
    buf[used] = 0x80;
    memset(buf + used + 1, 0, kSha256BlockSize - used - 1);
    if (used + 1 > kSha256BlockSize - 8) {
      BlockAt(st, buf);
      memset(buf, 0, kSha256BlockSize);
    }
    const __m128i len = _mm_set_epi32(static_cast<int>(bits),
                                      static_cast<int>(bits >> 32), 0, 0);
    Block(st, LoadWords(buf), LoadWords(buf + 16), LoadWords(buf + 32),
          _mm_or_si128(LoadWords(buf + 48), len));
  }
};

// AVX2 (with the OS saving ymm state, which GetX86Features checks) implies
// SSSE3, SSE4.1 and AVX.
bool CpuSupported() {
  const X86Features& f = GetX86Features();
  return f.sha && f.avx2;
}

SFRAME_SHA_TARGET void InitImpl(HmacSha256Key* key, const uint8_t* raw,
                                size_t raw_len) {
  uint8_t block[kSha256BlockSize];
  memset(block, 0, sizeof(block));
  if (raw_len != 0) memcpy(block, raw, raw_len);
  const State iv = FromWords(
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(kInitialState)),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(kInitialState + 4)));
  for (uint8_t& b : block) b ^= 0x36;
  State s = iv;
  BlockAt(s, block);
  StoreState(key->inner, s);
  for (uint8_t& b : block) b ^= 0x36 ^ 0x5c;
  s = iv;
  BlockAt(s, block);
  StoreState(key->outer, s);
  WipeLocal(&block);
  WipeLocal(&s);
}

SFRAME_SHA_TARGET void MacImpl(
    const HmacSha256Key& key, absl::Span<const absl::Span<const uint8_t>> parts,
    uint8_t* mac) {
  Stream s;
  s.st = LoadState(key.inner);
  s.used = 0;
  s.total = kSha256BlockSize;
  for (absl::Span<const uint8_t> part : parts) {
    if (!part.empty()) s.Update(part.data(), part.size());
  }
  s.Finish();
  // The outer block is the inner digest (its words are the state words,
  // already in native order), 0x80, zeros and the length 64 + 32 bytes, all
  // built in registers.
  State o = LoadState(key.outer);
  Block(o, WordsAbcd(s.st), WordsEfgh(s.st), _mm_set_epi32(0, 0, 0, INT32_MIN),
        _mm_set_epi32((kSha256BlockSize + kSha256DigestSize) * 8, 0, 0, 0));
  StoreDigest(o, mac);
  WipeLocal(&s);
  WipeLocal(&o);
}

// One compression for each of K independent states: the same 4-round group
// is issued for lane 0, 1, ..., K - 1 before the next group, so the K
// dependency chains run side by side. Lane k's block is the 64 bytes at
// p[k], with tail[k] ORed into its last four words (the length field).
// hook.Slice(g) runs before group g: the caller's scalar work for the next
// step, spread thinly between the rounds (the SHA unit is the bottleneck, so
// work issued in small pieces while its queue is full is nearly free).
//
// Not inlined: inside the caller's loop the compiler allocates the 16 xmm
// registers (all sha256rnds2 can use) worse, measured ~15% slower.
template <int K, class Hook>
__attribute__((noinline)) SFRAME_SHA_TARGET void Blocks(State* const* s,
                                                        const uint8_t* const* p,
                                                        const __m128i* tail,
                                                        Hook& hook) {
  __m128i m[K][4];
  __m128i abef[K];
  __m128i cdgh[K];
#pragma GCC unroll 4
  for (int k = 0; k < K; ++k) {
    m[k][0] = LoadWords(p[k]);
    m[k][1] = LoadWords(p[k] + 16);
    m[k][2] = LoadWords(p[k] + 32);
    m[k][3] = _mm_or_si128(LoadWords(p[k] + 48), tail[k]);
    abef[k] = s[k]->abef;
    cdgh[k] = s[k]->cdgh;
  }
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    hook.Slice(g);
    const __m128i rc = _mm_load_si128(
        reinterpret_cast<const __m128i*>(kRoundConstants + 4 * g));
    __m128i wk[K];
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) {
      if (g + 1 >= 4 && g + 1 < 16) {
        const int n = g + 1;
        const __m128i t = _mm_add_epi32(
            _mm_sha256msg1_epu32(m[k][n % 4], m[k][(n + 1) % 4]),
            _mm_alignr_epi8(m[k][(n + 3) % 4], m[k][(n + 2) % 4], 4));
        m[k][n % 4] = _mm_sha256msg2_epu32(t, m[k][(n + 3) % 4]);
      }
      wk[k] = _mm_add_epi32(m[k][g % 4], rc);
    }
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) {
      cdgh[k] = _mm_sha256rnds2_epu32(cdgh[k], abef[k], wk[k]);
    }
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) {
      abef[k] = _mm_sha256rnds2_epu32(abef[k], cdgh[k],
                                      _mm_shuffle_epi32(wk[k], 0x0e));
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < K; ++k) {
    s[k]->abef = _mm_add_epi32(s[k]->abef, abef[k]);
    s[k]->cdgh = _mm_add_epi32(s[k]->cdgh, cdgh[k]);
  }
}

// The padded inner message of one HMAC (FIPS 180-4 §5.1.1), one block at a
// time. A block that lies inside one part is returned in place; one that
// straddles parts or holds padding is assembled in the caller's buffer. The
// 64-bit length is not written: the caller puts it into the last block's
// words.
struct Feeder {
  const absl::Span<const uint8_t>* part;  // the part being read
  size_t off;                             // bytes of *part already fed
  size_t left;                            // message bytes not yet fed
  size_t blocks;  // blocks not yet returned, padding included
  bool padded;    // the 0x80 byte is placed
  uint64_t bits;  // the length field: ipad block plus message, in bits

  SFRAME_SHA_TARGET void Start(
      absl::Span<const absl::Span<const uint8_t>> parts) {
    size_t len = 0;
    for (absl::Span<const uint8_t> p : parts) len += p.size();
    // The compiler may vectorise the sum with ymm registers; clear their
    // upper halves before the legacy-encoded SHA instructions (see
    // SFRAME_SHA_TARGET).
    _mm256_zeroupper();
    part = parts.data();
    off = 0;
    left = len;
    // The message, the 0x80 byte and the 8-byte length, rounded up.
    blocks = (len + 1 + 8 + kSha256BlockSize - 1) / kSha256BlockSize;
    padded = false;
    bits = (uint64_t{kSha256BlockSize} + len) * 8;
  }

  // Returns the next block: in place, or assembled in `buf` (64 bytes). The
  // last block always comes from `buf`, with its final 8 bytes zero. The
  // cursor lives in locals meanwhile, so the copy loop runs in registers.
  SFRAME_SHA_TARGET const uint8_t* Next(uint8_t* buf) {
    --blocks;
    const absl::Span<const uint8_t>* pt = part;
    size_t o = off;
    size_t rem = left;
    while (rem != 0 && o == pt->size()) {
      ++pt;
      o = 0;
    }
    if (rem != 0 && pt->size() - o >= kSha256BlockSize) {
      part = pt;
      off = o + kSha256BlockSize;
      left = rem - kSha256BlockSize;
      return pt->data() + o;
    }
    // Zeros first (the padding), then the message bytes over them.
    const __m128i zero = _mm_setzero_si128();
    for (int i = 0; i < 4; ++i) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(buf + 16 * i), zero);
    }
    size_t n = 0;
    while (rem != 0 && n < kSha256BlockSize) {
      if (o == pt->size()) {
        ++pt;
        o = 0;
        continue;
      }
      const size_t take = std::min(kSha256BlockSize - n, pt->size() - o);
      CopyShort(buf + n, pt->data() + o, take);
      n += take;
      o += take;
      rem -= take;
    }
    if (n < kSha256BlockSize && !padded) {
      buf[n] = 0x80;
      padded = true;
    }
    part = pt;
    off = o;
    left = rem;
    return buf;
  }
};

// What a lane of MultiImpl does in one step.
enum class Role : uint8_t { kIdle, kInner, kOuter };

// One lane of MultiImpl: a message in flight.
struct Lane {
  Feeder in;                      // its inner message
  State st;                       // inner chaining value, then the outer one
  const HmacSha256Job* job;       // the job `st` belongs to
  const HmacSha256Job* next_job;  // the job it takes after its outer block,
                                  // or nullptr
  Role role;                      // in the current step
  Role next_role;                 // in the step after it
  // Assembled inner blocks, alternating between steps: a block is read one
  // step after it was written, while the next one is assembled.
  uint8_t buf[2][kSha256BlockSize];
  // The outer block: the inner hash, then constant padding and length.
  uint8_t outer[kSha256BlockSize];
};

// The inputs of one step of MultiImpl: per busy lane its state, block and
// length words.
template <int N>
struct Step {
  State* s[N];
  const uint8_t* p[N];
  __m128i tail[N];
  int c;  // busy lanes
};

// The bookkeeping of MultiImpl, most of it done as the Blocks hook, in
// slices between the rounds of the current step i (the SHA unit is the
// bottleneck; scalar work issued in small pieces while its queue is full
// overlaps it, a burst between two steps stalls it):
// - Which block each lane hashes in step i + 1 depends only on lengths, so
//   lane k is planned (its block located or assembled) before round group
//   1 + 16k/N.
// - The caller's hooks: one AfterMac (finished jobs wait in a small queue)
//   before group 4 and one BeforeMac (up to N jobs ahead of the lanes)
//   before group 12, per step, unless the lanes need more.
template <int N>
struct Scheduler {
  absl::Span<const HmacSha256Job> jobs;
  HmacSha256MultiHooks* hooks;  // may be null
  Lane lanes[N];
  Step<N> steps[2];
  Step<N>* step;    // the step being planned
  int t;            // its buffer parity
  size_t next;      // the first job no lane has taken
  size_t prepared;  // jobs [0, prepared) had BeforeMac
  static constexpr int kQueue = 2 * N;
  size_t done[kQueue];  // finished jobs waiting for AfterMac, oldest first
  int done_head;
  int done_count;

  // The next job for a lane, announced to the hooks; nullptr if none left.
  const HmacSha256Job* TakeJob() {
    if (next == jobs.size()) return nullptr;
    while (prepared <= next) hooks->BeforeMac(prepared++);
    return &jobs[next++];
  }

  void PopDone() {
    hooks->AfterMac(done[done_head]);
    done_head = (done_head + 1) % kQueue;
    --done_count;
  }

  void PushDone(const HmacSha256Job* job) {
    if (done_count == kQueue) PopDone();
    done[(done_head + done_count++) % kQueue] =
        static_cast<size_t>(job - jobs.data());
  }

  SFRAME_SHA_TARGET inline void AddInner(Lane& l) {
    const int i = step->c++;
    step->p[i] = l.in.Next(l.buf[t]);
    step->tail[i] = _mm_setzero_si128();
    if (l.in.blocks == 0) {
      step->tail[i] = _mm_set_epi32(static_cast<int>(l.in.bits),
                                    static_cast<int>(l.in.bits >> 32), 0, 0);
    }
    step->s[i] = &l.st;
  }

  SFRAME_SHA_TARGET inline void Plan(Lane& l) {
    l.next_role = Role::kIdle;
    if (l.role == Role::kInner) {
      l.next_role = l.in.blocks != 0 ? Role::kInner : Role::kOuter;
    } else if (l.role == Role::kOuter && l.next_job != nullptr) {
      // The lane's feeder is free already; its state is not until the
      // outer block is done.
      l.in.Start(l.next_job->parts);
      l.next_role = Role::kInner;
    }
    if (l.next_role == Role::kInner) {
      AddInner(l);
    } else if (l.next_role == Role::kOuter) {
      const int i = step->c++;
      step->p[i] = l.outer;
      step->tail[i] = _mm_setzero_si128();
      step->s[i] = &l.st;
    }
  }

  SFRAME_SHA_TARGET inline void Slice(int g) {
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) {
      if (g == 1 + 16 * k / N) Plan(lanes[k]);
    }
    if (hooks == nullptr) return;
    if (g == 4 && done_count != 0) PopDone();
    if (g == 12 && prepared < jobs.size() && prepared < next + N) {
      hooks->BeforeMac(prepared++);
    }
  }
};

// Runs Blocks with the lane count st.c (1..N) known at compile time.
template <int N, class Hook>
SFRAME_SHA_TARGET inline void BlocksFor(const Step<N>& st, Hook& hook) {
  if constexpr (N >= 4) {
    if (st.c == 4) return Blocks<4>(st.s, st.p, st.tail, hook);
  }
  if constexpr (N >= 3) {
    if (st.c == 3) return Blocks<3>(st.s, st.p, st.tail, hook);
  }
  if constexpr (N >= 2) {
    if (st.c == 2) return Blocks<2>(st.s, st.p, st.tail, hook);
  }
  Blocks<1>(st.s, st.p, st.tail, hook);
}

// HMACs of `jobs` on N lanes, in steps of one compression per busy lane. A
// lane hashes its inner blocks, then its outer block, then takes the next
// job. Step i + 1 is planned during step i (Scheduler); what needs step i's
// result is done after it: the inner hash goes into the outer block, a MAC
// is stored, a lane that changes phase or job loads its new chaining value.
template <int N>
SFRAME_SHA_TARGET void MultiImpl(absl::Span<const HmacSha256Job> jobs,
                                 HmacSha256MultiHooks* hooks) {
  Scheduler<N> sc;
  sc.jobs = jobs;
  sc.hooks = hooks;
  sc.step = &sc.steps[0];
  sc.t = 0;
  sc.next = 0;
  sc.prepared = hooks == nullptr ? jobs.size() : 0;
  sc.done_head = 0;
  sc.done_count = 0;
  sc.steps[0].c = 0;
  for (Lane& l : sc.lanes) {
    OuterPadding(l.outer);
    l.next_job = nullptr;
    l.role = Role::kIdle;
    l.job = sc.TakeJob();
    if (l.job == nullptr) continue;
    l.in.Start(l.job->parts);
    l.st = LoadState(l.job->key->inner);
    l.role = Role::kInner;
    sc.AddInner(l);
  }
  int cur = 0;
  while (sc.steps[cur].c != 0) {
    const int nxt = cur ^ 1;
    sc.steps[nxt].c = 0;
    sc.step = &sc.steps[nxt];
    sc.t = nxt;
    BlocksFor<N>(sc.steps[cur], sc);
    for (Lane& l : sc.lanes) {
      if (l.role == Role::kOuter) {
        StoreDigest(l.st, l.job->mac);
        if (hooks != nullptr) sc.PushDone(l.job);
        if (l.next_role == Role::kInner) {
          l.job = l.next_job;
          l.next_job = nullptr;
          l.st = LoadState(l.job->key->inner);
        }
      } else if (l.next_role == Role::kOuter) {
        StoreDigest(l.st, l.outer);
        l.st = LoadState(l.job->key->outer);
        // The lane's next job, started while its outer block runs.
        l.next_job = sc.TakeJob();
      }
      l.role = l.next_role;
    }
    cur = nxt;
  }
  while (sc.done_count != 0) sc.PopDone();
  WipeLocal(&sc.lanes);
}

// EQUAL LENGTHS
//
// When every message has the same length (a batch of equal frames), no lane
// ever waits for another: groups of K messages run all their blocks
// together, with none of the per-step planning above. Each message is first
// copied, padded, into a contiguous buffer (24 blocks at most), so its
// blocks are plain pointers. On Zen 3 this runs 4 lanes at about 0.9 of the
// scheduled path's time per MAC (2 lanes there; docs/kernels.md).

// No work between the rounds (the hook parameter of Blocks).
struct NoSlices {
  SFRAME_SHA_TARGET inline void Slice(int) {}
};

// Room for a padded message of kSha256EqualMaxLen bytes.
constexpr size_t kUniformBuf = 24 * kSha256BlockSize;

// Copies the message `parts` (`len` bytes, `blocks` blocks once padded)
// into `dst` with its padding (FIPS 180-4 §5.1.1), except the 64-bit length
// in the last 8 bytes, which are left zero.
SFRAME_SHA_TARGET inline void PadInto(
    absl::Span<const absl::Span<const uint8_t>> parts, size_t len,
    size_t blocks, uint8_t* dst) {
  // Zeros first over the last one or two blocks, then the message bytes;
  // everything before them is covered by the copies.
  const __m128i zero = _mm_setzero_si128();
  for (size_t i = len / kSha256BlockSize * kSha256BlockSize;
       i < blocks * kSha256BlockSize; i += 16) {
    _mm_store_si128(reinterpret_cast<__m128i*>(dst + i), zero);
  }
  // `len` is the sum of the part sizes (the caller's precondition); the
  // copies stop at it regardless, and a shortfall is zeroed, so a caller's
  // error cannot overrun `dst` or hash what it held before.
  size_t at = 0;
  for (absl::Span<const uint8_t> p : parts) {
    const size_t n = std::min(p.size(), len - at);
    CopyShort(dst + at, p.data(), n);
    at += n;
  }
  if (ABSL_PREDICT_FALSE(at != len)) memset(dst + at, 0, len - at);
  dst[len] = 0x80;
}

// Blocks of a message of `len` bytes once padded: the message, the 0x80
// byte and the 8-byte length, rounded up.
constexpr size_t PaddedBlocks(size_t len) {
  return (len + 1 + 8 + kSha256BlockSize - 1) / kSha256BlockSize;
}

// How many of the `left` jobs the next group of at most `lanes` takes: the
// groups still to come are made as even as they can be (9 jobs on 4 lanes: 3,
// 3, 3), since a group of one is bound by the latency of its rounds.
constexpr size_t GroupSize(size_t left, size_t lanes) {
  const size_t groups = (left + lanes - 1) / lanes;
  // At most `lanes` (spelled out for the compiler's array bounds checks).
  return std::min(lanes, (left + groups - 1) / groups);
}

// Wipes the first block of each of the N padded-message buffers: after the
// MACs they hold the inner hashes, which are secret (with the opad state
// they give the MACs).
template <int N>
inline void WipeInnerHashes(uint8_t (&buf)[N][kUniformBuf]) {
  for (auto& b : buf) {
    memset(b, 0, kSha256BlockSize);
    Clobber(b);
  }
}

// The MACs of jobs[0..K), all of `len` bytes in `blocks` inner blocks, side
// by side. buf[k] receives job k's padded message, and then its outer block.
template <int K>
SFRAME_SHA_TARGET void UniformGroup(const HmacSha256Job* jobs, size_t len,
                                    size_t blocks,
                                    uint8_t (*buf)[kUniformBuf]) {
  State st[K];
  State* s[K];
  const uint8_t* p[K];
  __m128i tail[K];
  NoSlices none;
  // The length field: the ipad block and the message, in bits.
  const uint64_t bits = (uint64_t{kSha256BlockSize} + len) * 8;
  const __m128i length =
      _mm_set_epi32(static_cast<int>(bits), static_cast<int>(bits >> 32), 0, 0);
  for (int k = 0; k < K; ++k) {
    PadInto(jobs[k].parts, len, blocks, buf[k]);
    st[k] = LoadState(jobs[k].key->inner);
    s[k] = &st[k];
  }
  for (size_t b = 0; b < blocks; ++b) {
    for (int k = 0; k < K; ++k) {
      p[k] = buf[k] + kSha256BlockSize * b;
      tail[k] = b + 1 == blocks ? length : _mm_setzero_si128();
    }
    Blocks<K>(s, p, tail, none);
  }
  for (int k = 0; k < K; ++k) {
    StoreDigest(st[k], buf[k]);
    OuterPadding(buf[k]);
    st[k] = LoadState(jobs[k].key->outer);
    p[k] = buf[k];
    tail[k] = _mm_setzero_si128();
  }
  Blocks<K>(s, p, tail, none);
  for (int k = 0; k < K; ++k) StoreDigest(st[k], jobs[k].mac);
  WipeStates(st);
}

// HmacSha256ShaniMultiEqual on N lanes: groups of up to N jobs (GroupSize),
// each with its hooks around it (BeforeMac for all, the MACs, AfterMac for
// all). Spreading the hooks between the blocks of the previous and next groups
// instead was measured slower (1.04-1.07x the time on Zen 3): with N = 4 the
// SHA unit is the bottleneck, and work issued between its blocks delays them.
template <int N>
SFRAME_SHA_TARGET void UniformImpl(absl::Span<const HmacSha256Job> jobs,
                                   HmacSha256MultiHooks* hooks, size_t len) {
  const size_t blocks = PaddedBlocks(len);
  alignas(64) uint8_t buf[N][kUniformBuf];
  for (size_t i = 0, c = 0; i < jobs.size(); i += c) {
    c = GroupSize(jobs.size() - i, N);
    if (hooks != nullptr) {
      for (size_t k = 0; k < c; ++k) hooks->BeforeMac(i + k);
    }
    const HmacSha256Job* group = jobs.data() + i;
    if (c == N) {
      UniformGroup<N>(group, len, blocks, buf);
    } else if (N > 3 && c == 3) {
      UniformGroup<(N > 3 ? 3 : 1)>(group, len, blocks, buf);
    } else if (N > 2 && c == 2) {
      UniformGroup<(N > 2 ? 2 : 1)>(group, len, blocks, buf);
    } else {
      for (size_t k = 0; k < c; ++k) {
        UniformGroup<1>(group + k, len, blocks, buf);
      }
    }
    if (hooks != nullptr) {
      for (size_t k = 0; k < c; ++k) hooks->AfterMac(i + k);
    }
  }
  WipeInnerHashes(buf);
}

// LENGTHS THAT DIFFER A LITTLE
//
// A video frame in per-packet mode gives packets of one length and a shorter
// last one; several frames, or several senders' frames, give runs of such.
// HmacSha256ShaniLockstep runs them in groups like the above, each message
// in its own padded buffer with its own length field. A group is ordered by
// block count, most first, so the lanes still busy at any block are a
// prefix of it and a lane whose message has ended simply drops out (Blocks
// on fewer lanes). The equal case keeps its own code: one engine for both
// cost the equal batches 2-6% at 16-112 bytes (measured, Zen 3). Scattered
// lengths, which would leave many lanes idle, keep the scheduled path:
// sorted into groups of like lengths they ran no faster (docs/kernels.md).

// Inner blocks [from, to) of lanes 0..K, which all have at least `to`
// blocks; a lane whose message ends at `to` gets its length field ORed into
// its last block.
template <int K>
SFRAME_SHA_TARGET inline void LockstepBlocks(State* const* s,
                                             uint8_t (*buf)[kUniformBuf],
                                             const uint8_t* blocks,
                                             const __m128i* length, size_t from,
                                             size_t to) {
  const uint8_t* p[K];
  __m128i tail[K];
  __m128i last[K];
  NoSlices none;
  for (int k = 0; k < K; ++k) {
    last[k] = blocks[k] == to ? length[k] : _mm_setzero_si128();
  }
  for (size_t b = from; b < to; ++b) {
    for (int k = 0; k < K; ++k) {
      p[k] = buf[k] + kSha256BlockSize * b;
      tail[k] = b + 1 == to ? last[k] : _mm_setzero_si128();
    }
    Blocks<K>(s, p, tail, none);
  }
}

// The MACs of the c <= N jobs g[0..c), of len[k] bytes in blocks[k] inner
// blocks (non-increasing in k), side by side: all c lanes run up to the
// last lane's end, then the ones still busy, and so on. buf[k] receives
// job k's padded message, and then its outer block.
template <int N>
SFRAME_SHA_TARGET void LockstepGroup(const HmacSha256Job* const* g,
                                     const size_t* len, const uint8_t* blocks,
                                     int c, uint8_t (*buf)[kUniformBuf]) {
  State st[N];
  State* s[N];
  __m128i length[N];
  for (int k = 0; k < c; ++k) {
    PadInto(g[k]->parts, len[k], blocks[k], buf[k]);
    st[k] = LoadState(g[k]->key->inner);
    s[k] = &st[k];
    // The length field: the ipad block and the message, in bits.
    const uint64_t bits = (uint64_t{kSha256BlockSize} + len[k]) * 8;
    length[k] = _mm_set_epi32(static_cast<int>(bits),
                              static_cast<int>(bits >> 32), 0, 0);
  }
  size_t from = 0;
  for (int busy = c; busy > 0; --busy) {
    const size_t to = blocks[busy - 1];
    if (to == from) continue;  // ends with the lane after it
    if (N >= 4 && busy == 4) {
      LockstepBlocks<(N >= 4 ? 4 : 1)>(s, buf, blocks, length, from, to);
    } else if (N >= 3 && busy == 3) {
      LockstepBlocks<(N >= 3 ? 3 : 1)>(s, buf, blocks, length, from, to);
    } else if (N >= 2 && busy == 2) {
      LockstepBlocks<(N >= 2 ? 2 : 1)>(s, buf, blocks, length, from, to);
    } else {
      LockstepBlocks<1>(s, buf, blocks, length, from, to);
    }
    from = to;
  }
  Step<N> outer;
  for (int k = 0; k < c; ++k) {
    StoreDigest(st[k], buf[k]);
    OuterPadding(buf[k]);
    st[k] = LoadState(g[k]->key->outer);
    outer.s[k] = &st[k];
    outer.p[k] = buf[k];
    outer.tail[k] = _mm_setzero_si128();
  }
  outer.c = c;
  NoSlices none;
  BlocksFor<N>(outer, none);
  for (int k = 0; k < c; ++k) StoreDigest(st[k], g[k]->mac);
  WipeStates(st);
}

// HmacSha256ShaniLockstep on N lanes: groups of up to N consecutive jobs
// (GroupSize), each ordered by block count, most first (so the busy lanes
// are a prefix), with their hooks around them as in UniformImpl.
template <int N>
SFRAME_SHA_TARGET void LockstepImpl(absl::Span<const HmacSha256Job> jobs,
                                    const size_t* lens,
                                    HmacSha256MultiHooks* hooks) {
  alignas(64) uint8_t buf[N][kUniformBuf];
  for (size_t i = 0; i < jobs.size();) {
    const int c = static_cast<int>(GroupSize(jobs.size() - i, N));
    // GroupSize's bounds, for the compiler's array-bounds analysis.
    if (c < 1 || c > N) __builtin_unreachable();
    size_t index[N];
    uint8_t blocks[N];
    for (int k = 0; k < c; ++k) {
      // Insertion into the ordered prefix; stable.
      const uint8_t b = static_cast<uint8_t>(PaddedBlocks(lens[i + k]));
      int at = k;
      for (; at > 0 && blocks[at - 1] < b; --at) {
        index[at] = index[at - 1];
        blocks[at] = blocks[at - 1];
      }
      index[at] = i + k;
      blocks[at] = b;
    }
    const HmacSha256Job* g[N];
    size_t len[N];
    for (int k = 0; k < c; ++k) {
      if (hooks != nullptr) hooks->BeforeMac(index[k]);
      g[k] = &jobs[index[k]];
      len[k] = lens[index[k]];
    }
    LockstepGroup<N>(g, len, blocks, c, buf);
    if (hooks != nullptr) {
      for (int k = 0; k < c; ++k) hooks->AfterMac(index[k]);
    }
    i += static_cast<size_t>(c);
  }
  WipeInnerHashes(buf);
}

// Calls f(std::integral_constant<int, N>()) for N = lanes (1 to 4; any
// other value means 4): the lane count as a template argument.
template <class F>
void ForLanes(int lanes, F&& f) {
  switch (lanes) {
    case 1:
      return f(std::integral_constant<int, 1>());
    case 2:
      return f(std::integral_constant<int, 2>());
    case 3:
      return f(std::integral_constant<int, 3>());
    default:
      return f(std::integral_constant<int, 4>());
  }
}

}  // namespace

// The exported functions carry no target attribute (a differing attribute on
// a redeclaration would make GCC treat them as function versions); they call
// the SHA-NI code above, which only runs after Sha256ShaniSupported().
bool Sha256ShaniSupported() {
  static const bool supported = CpuSupported();
  return supported;
}

void HmacSha256ShaniInit(HmacSha256Key* key, const uint8_t* raw,
                         size_t raw_len) {
  InitImpl(key, raw, raw_len);
}

void HmacSha256Shani(const HmacSha256Key& key,
                     absl::Span<const absl::Span<const uint8_t>> parts,
                     uint8_t* mac) {
  MacImpl(key, parts, mac);
}

namespace {
std::atomic<int> forced_lanes{0};
}  // namespace

int HmacSha256Lanes() {
  // The lane count is the choice's number.
  static const int from_env =
      TuningFromEnvironment("SFRAME_HMAC_LANES", {"1", "2", "3", "4"});
  const X86Features& f = GetX86Features();
  return Tuning(forced_lanes.load(), from_env, f.amd && !f.avx512f ? 2 : 4);
}

void SetHmacSha256LanesForTesting(int lanes) {
  forced_lanes.store(lanes >= 1 && lanes <= 4 ? lanes : 0);
}

int HmacSha256EqualLanes() {
  static const int from_env =
      TuningFromEnvironment("SFRAME_HMAC_LANES", {"1", "2", "3", "4"});
  return Tuning(forced_lanes.load(), from_env, 4);
}

void HmacSha256ShaniMultiEqual(absl::Span<const HmacSha256Job> jobs, size_t len,
                               HmacSha256MultiHooks* hooks, int lanes) {
  if (len > kSha256EqualMaxLen) {
    // Outside the contract; the general path takes any lengths.
    return HmacSha256ShaniMulti(jobs, hooks, lanes);
  }
  if (lanes < 1 || lanes > 4) lanes = HmacSha256EqualLanes();
  ForLanes(lanes,
           [&](auto n) { UniformImpl<decltype(n)::value>(jobs, hooks, len); });
}

void HmacSha256ShaniLockstep(absl::Span<const HmacSha256Job> jobs,
                             const size_t* lens, HmacSha256MultiHooks* hooks,
                             int lanes) {
  const int width = lanes >= 1 && lanes <= 4 ? lanes : HmacSha256EqualLanes();
  // A group runs until its longest message ends; the lanes of the shorter
  // ones idle meanwhile. More than one idle lane-block per 8 busy ones (as
  // with scattered lengths) and the scheduled engine, which refills a lane
  // as soon as its message ends, is taken instead.
  size_t busy = 0;
  size_t idle = 0;
  for (size_t i = 0, c = 0; i < jobs.size(); i += c) {
    c = GroupSize(jobs.size() - i, static_cast<size_t>(width));
    size_t most = 0;
    size_t sum = 0;
    for (size_t k = i; k < i + c; ++k) {
      if (lens[k] > kSha256EqualMaxLen) {
        return HmacSha256ShaniMulti(jobs, hooks, lanes);
      }
      const size_t b = PaddedBlocks(lens[k]);
      most = std::max(most, b);
      sum += b;
    }
    busy += sum;
    idle += c * most - sum;
  }
  if (idle * 8 > busy) return HmacSha256ShaniMulti(jobs, hooks, lanes);
  ForLanes(width, [&](auto n) {
    LockstepImpl<decltype(n)::value>(jobs, lens, hooks);
  });
}

void HmacSha256ShaniMulti(absl::Span<const HmacSha256Job> jobs,
                          HmacSha256MultiHooks* hooks, int lanes) {
  if (lanes < 1 || lanes > 4) lanes = HmacSha256Lanes();
  ForLanes(lanes, [&](auto n) { MultiImpl<decltype(n)::value>(jobs, hooks); });
}

}  // namespace internal
}  // namespace sframe
