// Copyright 2026 The sframecpp Authors.
//
// Branch-light header encoding for the per-frame path (RFC 9605 §4.3).

#ifndef SFRAME_SRC_CORE_HEADER_INTERNAL_H_
#define SFRAME_SRC_CORE_HEADER_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "sframe/header.h"
#include "sframe/sframe.h"

namespace sframe {
namespace internal {

// Bytes of an extended field for v (0 when v is carried inline, v < 8).
inline size_t HeaderFieldSize(uint64_t v) {
  const size_t significant =
      static_cast<size_t>((64 - __builtin_clzll(v | 1) + 7) / 8);
  return v < 8 ? 0 : significant;
}

inline size_t HeaderSize(const Header& h) {
  return 1 + HeaderFieldSize(h.key_id) + HeaderFieldSize(h.counter);
}

// A scratch buffer for EncodeHeaderTo: the header plus 8 bytes of slack for
// the whole-word stores.
inline constexpr size_t kHeaderScratchSize = kMaxHeaderSize + 8;

// Writes the minimal encoding of `h` to the front of `scratch` and returns
// its size (1..17). Bytes past the size are unspecified (zero for headers
// of up to 16 bytes).
//
// The header is assembled big-endian in a 128-bit register and written as
// two 8-byte stores, not byte by byte: the AEAD reads it back at once as
// AAD, and a load that spans several narrower stores cannot be forwarded
// from them (it stalls until they reach the cache).
inline size_t EncodeHeaderTo(const Header& h,
                             uint8_t (&scratch)[kHeaderScratchSize]) {
  const size_t kid_len = HeaderFieldSize(h.key_id);
  const size_t ctr_len = HeaderFieldSize(h.counter);
  const uint64_t config =
      (kid_len == 0 ? h.key_id << 4 : 0x80 | ((kid_len - 1) << 4)) |
      (ctr_len == 0 ? h.counter : 0x08 | (ctr_len - 1));
  const size_t size = 1 + kid_len + ctr_len;
#if defined(__SIZEOF_INT128__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (size <= 8) {
    // The common case (KID and CTR fit in 7 bytes together): one word.
    const uint64_t kid_bits = kid_len == 0 ? 0 : h.key_id << (56 - 8 * kid_len);
    const uint64_t ctr_bits =
        ctr_len == 0 ? 0 : h.counter << (56 - 8 * (kid_len + ctr_len));
    const uint64_t word =
        __builtin_bswap64((config << 56) | kid_bits | ctr_bits);
    const uint64_t zero = 0;
    memcpy(scratch, &word, 8);
    memcpy(scratch + 8, &zero, 8);
    return size;
  }
  if (size <= 16) {
    using U128 = unsigned __int128;
    U128 v = static_cast<U128>(config) << 120;
    if (kid_len != 0) v |= static_cast<U128>(h.key_id) << (120 - 8 * kid_len);
    if (ctr_len != 0) {
      v |= static_cast<U128>(h.counter) << (120 - 8 * (kid_len + ctr_len));
    }
    const uint64_t hi = __builtin_bswap64(static_cast<uint64_t>(v >> 64));
    const uint64_t lo = __builtin_bswap64(static_cast<uint64_t>(v));
    memcpy(scratch, &hi, 8);
    memcpy(scratch + 8, &lo, 8);
    return size;
  }
#endif
  scratch[0] = static_cast<uint8_t>(config);
  // Shift the value to the top of a word and store it big-endian: its
  // first `len` bytes are the field. The next store overwrites the rest.
  auto put = [&scratch](size_t pos, uint64_t v, size_t len) {
    uint8_t word[8];
    const uint64_t top = len == 0 ? 0 : v << (8 * (8 - len));
    for (int i = 0; i < 8; ++i) {
      word[i] = static_cast<uint8_t>(top >> (56 - 8 * i));
    }
    memcpy(scratch + pos, word, 8);
  };
  put(1, h.key_id, kid_len);
  put(1 + kid_len, h.counter, ctr_len);
  return size;
}

// The one-word header of `counter` in the form Encryptor keeps for a run of
// counters of one field size (header_word_prefix_, header_word_shift_; see
// Encryptor::EncodeNextHeader): the header bytes in memory order in a
// little-endian word, the bytes past the header zero.
inline uint64_t HeaderWord(uint64_t prefix, int shift, Counter counter) {
  return __builtin_bswap64(prefix | counter << shift);
}

// Copies the `n` (1..17) header bytes EncodeHeaderTo left in `src` to
// `dst` with a few fixed-size moves instead of a call to memcpy. `src` is
// read as the two whole words EncodeHeaderTo stored, so the loads forward
// from those stores even right after it; smaller loads at other offsets
// would wait for the stores to reach the cache (measured: the top stall of
// the batch encrypt loop). The bytes are then stored from registers.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
// Stores bytes [0, k) of the little-endian word `w` (1 <= k <= 8) to `p`
// as two overlapping stores, without touching p[k..].
inline void StoreWordPrefix(uint8_t* p, uint64_t w, size_t k) {
  if (k >= 4) {
    const uint32_t a = static_cast<uint32_t>(w);
    const uint32_t b = static_cast<uint32_t>(w >> (8 * (k - 4)));
    memcpy(p, &a, 4);
    memcpy(p + k - 4, &b, 4);
  } else if (k >= 2) {
    const uint16_t a = static_cast<uint16_t>(w);
    const uint16_t b = static_cast<uint16_t>(w >> (8 * (k - 2)));
    memcpy(p, &a, 2);
    memcpy(p + k - 2, &b, 2);
  } else {
    p[0] = static_cast<uint8_t>(w);
  }
}
#endif

inline void CopyHeader(uint8_t* dst, const uint8_t (&src)[kHeaderScratchSize],
                       size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t w0, w1;
  memcpy(&w0, src, 8);
  memcpy(&w1, src + 8, 8);
  if (n <= 8) {
    StoreWordPrefix(dst, w0, n);
    return;
  }
  memcpy(dst, &w0, 8);
  if (n <= 16) {
    StoreWordPrefix(dst + 8, w1, n - 8);
    return;
  }
  memcpy(dst + 8, &w1, 8);
  dst[16] = src[16];
#else
  if (n >= 8) {
    memcpy(dst, src, 8);
    if (n > 16) {
      memcpy(dst + 8, src + 8, 8);
      dst[16] = src[16];
    } else {
      memcpy(dst + n - 8, src + n - 8, 8);
    }
  } else if (n >= 4) {
    memcpy(dst, src, 4);
    memcpy(dst + n - 4, src + n - 4, 4);
  } else {
    dst[0] = src[0];
    dst[n / 2] = src[n / 2];
    dst[n - 1] = src[n - 1];
  }
#endif
}

// Reads one header field (RFC 9605 §4.3) of `frame[0..size)`: the 3-bit
// value `bits` itself, or, when `extended`, the `bits + 1` big-endian bytes
// at `*pos`, moving `*pos` past them. False if the bytes end first. No
// minimal-length check: ParseHeaderTo adds it, PeekKeyId does without.
inline bool ReadHeaderField(const uint8_t* frame, size_t size, size_t* pos,
                            bool extended, unsigned bits, uint64_t* value) {
  if (!extended) {
    *value = bits;
    return true;
  }
  const size_t len = static_cast<size_t>(bits) + 1;
  if (size - *pos < len) return false;
  uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (size - *pos >= 8) {
    // One big-endian word load, cut to the field (every received frame is
    // parsed; a frame has a tag after its header, so this is the case for
    // all but the shortest).
    uint64_t w;
    memcpy(&w, frame + *pos, 8);
    v = __builtin_bswap64(w) >> (64 - 8 * len);
  } else
#endif
  {
    for (size_t i = 0; i < len; ++i) v = (v << 8) | frame[*pos + i];
  }
  *pos += len;
  *value = v;
  return true;
}

// Parses the header at the front of `frame[0..size)` strictly, exactly as
// ParseHeader (RFC 9605 §4.3: an extended value must be >= 8 and use the
// minimal number of bytes). Returns the header size (1..17) with `*h` set,
// or 0 if the header is malformed or truncated. Inline, with no status
// object, because it runs on every received frame.
inline size_t ParseHeaderTo(const uint8_t* frame, size_t size, Header* h) {
  if (size == 0) return 0;
  const unsigned config = frame[0];
  size_t pos = 1;
  auto field = [&](bool extended, unsigned bits, uint64_t* value) {
    const size_t start = pos;
    if (!ReadHeaderField(frame, size, &pos, extended, bits, value)) {
      return false;
    }
    // HeaderFieldSize is 0 for a value below 8, so this also rejects those.
    return !extended || HeaderFieldSize(*value) == pos - start;
  };
  if (!field((config & 0x80) != 0, (config >> 4) & 0x07, &h->key_id) ||
      !field((config & 0x08) != 0, config & 0x07, &h->counter)) {
    return 0;
  }
  return pos;
}

// The KID of the header at the front of `frame[0..size)` as ParseHeaderTo
// reads it, without its checks: a hint (DecryptBatch's, on whether a frame's
// sender changes at the next frame), never a parse; every frame is parsed
// strictly later. False when the bytes end before the KID does.
inline bool PeekKeyId(const uint8_t* frame, size_t size, KeyId* kid) {
  if (size == 0) return false;
  size_t pos = 1;
  return ReadHeaderField(frame, size, &pos, (frame[0] & 0x80) != 0,
                         (frame[0] >> 4) & 0x07, kid);
}

// The shape of a header whose counter field is extended and which fits in 8
// bytes: its config byte and KID bytes, for parsing the frames that follow
// it from the same sender (HeaderTemplate::Parse) with one word load, a
// compare and a shift instead of ParseHeaderTo's field by field work. Empty
// (size 0) when the header has no such shape.
struct HeaderTemplate {
  uint64_t mask = 0;    // the config and KID bytes of the first word (LE)
  uint64_t prefix = 0;  // their value
  int drop = 0;         // bits of the big-endian word above the counter
  int keep = 64;        // 64 - bits of the counter field
  Counter min_counter = 0;
  KeyId key_id = 0;
  size_t size = 0;  // header bytes; 0: empty template

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // The template of the headers shaped like `h` (its minimal encoding,
  // which is the only one ParseHeaderTo accepts).
  static HeaderTemplate Of(const Header& h) {
    HeaderTemplate t;
    const size_t kid_len = HeaderFieldSize(h.key_id);
    const size_t ctr_len = HeaderFieldSize(h.counter);
    const size_t header_size = 1 + kid_len + ctr_len;
    if (ctr_len == 0 || header_size > 8) return t;
    uint8_t scratch[kHeaderScratchSize];
    EncodeHeaderTo(h, scratch);
    uint64_t w;
    memcpy(&w, scratch, 8);
    t.mask = (uint64_t{1} << (8 * (1 + kid_len))) - 1;  // kid_len <= 6
    t.prefix = w & t.mask;
    t.drop = static_cast<int>(8 * (1 + kid_len));
    t.keep = static_cast<int>(64 - 8 * ctr_len);
    t.min_counter = ctr_len == 1 ? 8 : Counter{1} << (8 * (ctr_len - 1));
    t.key_id = h.key_id;
    t.size = header_size;
    return t;
  }

  // *out = Of(h), out of line: the per-frame paths call it only when a
  // header missed the template, and inlined it cost them registers.
  ABSL_ATTRIBUTE_NOINLINE static void Learn(const Header& h,
                                            HeaderTemplate* out) {
    *out = Of(h);
  }

  // If `frame` (frame_size bytes) starts with this template's config and
  // KID bytes and a minimally encoded counter, sets *h and returns the
  // header size: exactly what ParseHeaderTo would return and set. Else 0,
  // and the caller parses the frame in full (a different header shape is
  // not an error).
  size_t Parse(const uint8_t* frame, size_t frame_size, Header* h) const {
    if (size == 0 || frame_size < 8) return 0;
    uint64_t w;
    memcpy(&w, frame, 8);
    if ((w & mask) != prefix) return 0;
    const Counter counter = (__builtin_bswap64(w) << drop) >> keep;
    if (counter < min_counter) return 0;  // not minimal: ParseHeaderTo's job
    h->key_id = key_id;
    h->counter = counter;
    return size;
  }
#else
  static HeaderTemplate Of(const Header&) { return HeaderTemplate(); }
  static void Learn(const Header&, HeaderTemplate* out) {
    *out = HeaderTemplate();
  }
  size_t Parse(const uint8_t*, size_t, Header*) const { return 0; }
#endif
};

// The template a run of headers is parsed through, and when to change it. A
// header that missed it (and parsed in full) becomes the template when there
// is none yet, when it comes from the template's own sender (its counter
// grew a byte), or when it is the second one in a row from one other sender
// (the frames moved on to that sender). Headers of senders interleaved frame
// by frame just miss: adopting each in turn would cost more than it saves.
struct HeaderShapes {
  HeaderTemplate current;
  KeyId missed_kid = 0;
  bool missed = false;  // the last header missed `current`

  void Hit() { missed = false; }
  void Missed(const Header& h, size_t header_size) {
    const bool adopt = current.size == 0 || h.key_id == current.key_id ||
                       (missed && h.key_id == missed_kid);
    if (adopt && header_size <= 8 && h.counter >= 8) {
      HeaderTemplate::Learn(h, &current);
      missed = false;
    } else {
      missed = true;
      missed_kid = h.key_id;
    }
  }
};

// True if [a, a + a_len) and [b, b + b_len) share a byte.
inline bool Overlaps(const uint8_t* a, size_t a_len, const uint8_t* b,
                     size_t b_len) {
  if (a_len == 0 || b_len == 0) return false;
  const auto pa = reinterpret_cast<uintptr_t>(a);
  const auto pb = reinterpret_cast<uintptr_t>(b);
  return pa < pb + b_len && pb < pa + a_len;
}

inline void ZeroOut(uint8_t* p, size_t n) {
  if (n != 0) memset(p, 0, n);
}

// A received frame after the checks every decryption makes before a key is
// chosen (PrepareFrame).
struct FrameView {
  Header header;
  size_t header_size;  // bytes of the header at the front of the frame
  size_t size;         // plaintext (= AEAD ciphertext) bytes
  bool in_place;       // the frame and the output start at the same address
  bool by_template;    // the header was parsed through a HeaderTemplate
};

// True if an encryption of `plaintext` into `out` with `metadata` breaks the
// overlap rule: the plaintext and the output either do not overlap or start
// at the same address (in place), and the metadata never overlaps the output
// (the header is written before the AAD is hashed).
inline bool BadEncryptOverlap(absl::Span<const uint8_t> metadata,
                              absl::Span<const uint8_t> plaintext,
                              const uint8_t* out, size_t out_size) {
  const bool in_place = !plaintext.empty() && plaintext.data() == out;
  return (!in_place &&
          Overlaps(plaintext.data(), plaintext.size(), out, out_size)) ||
         Overlaps(metadata.data(), metadata.size(), out, out_size);
}

// True if a decryption of `frame` into `out` with `metadata` breaks the
// overlap rule: the frame and the output either do not overlap or start at
// the same address (in place), and the metadata never overlaps the output
// (an in-place open moves the plaintext before the AAD is hashed).
inline bool BadDecryptOverlap(const uint8_t* metadata, size_t metadata_size,
                              const uint8_t* frame, size_t frame_size,
                              const uint8_t* out, size_t out_size) {
  const bool in_place = frame_size != 0 && frame == out;
  return (!in_place && Overlaps(frame, frame_size, out, out_size)) ||
         Overlaps(metadata, metadata_size, out, out_size);
}

// The checks shared by every decrypt path: the overlap rule
// (BadDecryptOverlap), the header (RFC 9605 §4.3) and the lengths. Returns
// kOk with `*view` set, or the error code: kDataLoss for a malformed or
// truncated frame, or one whose payload exceeds kMaxPayloadSize;
// kInvalidArgument for an output too small or a bad overlap (then
// `*bad_overlap` is true, and the caller must not write to `out`). Writes
// nothing; the caller zeroes `out` on the other errors.
//
// With `shape` (may be null), a header of that shape is parsed through it
// (HeaderTemplate), which view->by_template tells.
inline absl::StatusCode PrepareFrame(size_t tag_size,
                                     absl::Span<const uint8_t> metadata,
                                     const uint8_t* frame, size_t frame_size,
                                     const uint8_t* out, size_t out_size,
                                     FrameView* view, bool* bad_overlap,
                                     const HeaderTemplate* shape = nullptr) {
  view->in_place = frame_size != 0 && frame == out;
  *bad_overlap = BadDecryptOverlap(metadata.data(), metadata.size(), frame,
                                   frame_size, out, out_size);
  if (*bad_overlap) return absl::StatusCode::kInvalidArgument;
  view->header_size =
      shape == nullptr ? 0 : shape->Parse(frame, frame_size, &view->header);
  view->by_template = view->header_size != 0;
  if (!view->by_template) {
    view->header_size = ParseHeaderTo(frame, frame_size, &view->header);
  }
  if (view->header_size == 0 || frame_size - view->header_size < tag_size) {
    return absl::StatusCode::kDataLoss;
  }
  view->size = frame_size - view->header_size - tag_size;
  if (view->size > kMaxPayloadSize) return absl::StatusCode::kDataLoss;
  if (out_size < view->size) return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kOk;
}

}  // namespace internal

inline void Encryptor::UpdateNextHeader() {
  if (ABSL_PREDICT_TRUE(next_counter_ < header_word_limit_)) {
    // EncodeNextHeader() for a header of the same size: one word.
    const uint64_t word = internal::HeaderWord(
        header_word_prefix_, header_word_shift_, next_counter_);
    memcpy(next_header_, &word, sizeof(word));
  } else {
    EncodeNextHeader();
  }
}

}  // namespace sframe

#endif  // SFRAME_SRC_CORE_HEADER_INTERNAL_H_
