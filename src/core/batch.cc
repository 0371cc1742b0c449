// Copyright 2026 The sframecpp Authors.
//
// Batch encryption and decryption (sframe/batch.h): the per-frame checks of
// Encryptor::Encrypt and Decryptor::Decrypt (RFC 9605 §4.4.3, §4.4.4), run
// frame by frame in order, with the AEAD work of a chunk of frames handed to
// internal::Aead::SealBatch / OpenBatch at once so the kernels can
// interleave them.

#include "sframe/batch.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/base/optimization.h"
#include "src/core/header_internal.h"
#include "src/core/key_schedule.h"
#include "src/crypto/aead.h"
#include "src/crypto/aes_gcm_kernel.h"

namespace sframe {
namespace internal {
namespace {

// Frames per AEAD batch call. The state of a chunk lives on the stack
// (about 3 KiB); the kernels interleave at most a few frames at a time, so
// a larger chunk would only cost stack.
constexpr size_t kChunk = 16;

// Code-only: Abseil stores it inline, without allocating.
absl::Status Code(absl::StatusCode code) { return absl::Status(code, ""); }

// Queues a frame of a chunk as the item that both the VAES GCM kernels'
// batch entry points and Aead::SealBatch / OpenBatch take.
void QueueFrame(KeyContext& key, const uint8_t* nonce,
                absl::Span<const uint8_t> aad1, absl::Span<const uint8_t> aad2,
                absl::Span<const uint8_t> in, uint8_t* out, uint8_t* tag,
                AeadBatchItem* item) {
  SetAeadBatchItem(item, &key.aead(), key.gcm_key(), nonce, aad1, aad2, in, out,
                   tag);
}

// True when no header size (1..kMaxHeaderSize bytes) could make a frame of
// `size` bytes with `metadata` bytes of metadata one that `key`'s batch
// path speeds up (KeyContext::BatchPays): its payload would be too long
// whatever the header, or its AAD too long even with the shortest header.
bool NeverPays(const KeyContext& key, size_t size, size_t metadata,
               size_t tag_size) {
  const size_t overhead = tag_size + kMaxHeaderSize;
  return (size > overhead && size - overhead > key.batch_max_len()) ||
         metadata >= key.batch_max_aad();
}

// The item's status and result from a single-frame call; counts a success.
template <typename Item>
void TakeResult(Item& item, absl::StatusOr<absl::Span<uint8_t>> got,
                size_t* succeeded) {
  if (ABSL_PREDICT_TRUE(got.ok())) {
    item.result = *got;
    item.status = absl::OkStatus();
    ++*succeeded;
  } else {
    item.result = {};
    item.status = std::move(got).status();
  }
}

}  // namespace

// Friend of Encryptor and Decryptor (see sframe/sframe.h).
class BatchAccess {
 public:
  static size_t Encrypt(absl::Span<EncryptBatchItem> items);
  static size_t Decrypt(Decryptor& decryptor,
                        absl::Span<DecryptBatchItem> items);

 private:
  static size_t QueueEncryptRun(Encryptor& enc, EncryptBatchItem* items,
                                size_t count, size_t first, AeadBatchItem* work,
                                std::array<uint8_t, kNonceSize>* nonces,
                                size_t* index);
  static size_t QueueDecryptRun(Decryptor& dec, DecryptBatchItem* items,
                                size_t count, size_t first, AeadBatchItem* work,
                                std::array<uint8_t, kNonceSize>* nonces,
                                ReceiveKey** keys, FrameView* views,
                                size_t* index, HeaderShapes* shapes);
};

// The common case of Encrypt, tried before its general per-item code: a run
// of consecutive items of one Encryptor whose key is on a VAES GCM kernel and
// whose counters stay below header_word_limit_, so that each header is one
// word of next_header_size_ bytes and no counter can be the last one (the
// limit is at most 2^56). Each item of the run passes the checks of
// Encryptor::Encrypt and is queued with the counter, the header word and the
// key's fields held in registers, instead of being re-read from the
// Encryptor and re-encoded per item (about half the batch's time went there).
// Stops at the first item that is not such a frame (another Encryptor, a
// failed check, a frame the lanes do not take, a counter outside the
// reserved block, the end of `count`), which the general code then takes
// from the start. Queues items[0..r) into work / nonces / index[0..r) and
// returns r.
size_t BatchAccess::QueueEncryptRun(Encryptor& enc, EncryptBatchItem* items,
                                    size_t count, size_t first,
                                    AeadBatchItem* work,
                                    std::array<uint8_t, kNonceSize>* nonces,
                                    size_t* index) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  Counter end = enc.header_word_limit_;  // 0 outside the one-word regime
  if (enc.reserve_counters_) {
    if (!enc.has_reservation_) return 0;
    if (enc.reserved_last_ < end) end = enc.reserved_last_ + 1;
  }
  KeyContext& key = *enc.key_;
  const GcmKernelKey* const gcm_key = key.gcm_key();
  Aead* const aead = &key.aead();
  const size_t header_size = enc.next_header_size_;
  const size_t tag_size = TagSize(enc.suite_);
  const uint64_t prefix = enc.header_word_prefix_;
  const int shift = enc.header_word_shift_;
  Counter counter = enc.next_counter_;
  size_t r = 0;
  for (; r < count && counter < end; ++r) {
    EncryptBatchItem& item = items[r];
    if (item.encryptor != &enc) break;
    // Every field is read once, before any store (which the compiler must
    // otherwise assume may change them).
    const absl::Span<const uint8_t> metadata = item.metadata;
    const uint8_t* const pt = item.plaintext.data();
    const size_t n = item.plaintext.size();
    uint8_t* const out = item.out.data();
    const size_t room = item.out.size();
    if (!key.BatchPays(n, header_size + metadata.size())) break;
    const size_t size = header_size + n + tag_size;
    const bool in_place = pt == out;  // (n != 0 here)
    if (room < size || BadEncryptOverlap(metadata, {pt, n}, out, room)) {
      break;
    }
    uint8_t* const ct = out + header_size;
    if (in_place) memmove(ct, out, n);
    StoreWordPrefix(out, HeaderWord(prefix, shift, counter), header_size);
    nonces[r] = key.Nonce(counter);
    SetAeadBatchItem(&work[r], aead, gcm_key, nonces[r].data(),
                     {out, header_size}, metadata, {in_place ? ct : pt, n}, ct,
                     ct + n);
    index[r] = first + r;
    item.result = absl::MakeSpan(out, size);
    ++counter;
  }
  enc.next_counter_ = counter;
  return r;
#else
  // Big-endian: header_word_limit_ is always 0 (no one-word headers).
  static_cast<void>(enc);
  static_cast<void>(items);
  static_cast<void>(count);
  static_cast<void>(first);
  static_cast<void>(work);
  static_cast<void>(nonces);
  static_cast<void>(index);
  return 0;
#endif
}

// Each item goes through the checks of Encryptor::Encrypt in order and, if
// they pass, takes its counter at once (so the next item of the same
// Encryptor gets the next counter, exactly as a sequential call would); its
// header is written and its AEAD work queued. A full chunk (or the end) is
// sealed in one call.
size_t BatchAccess::Encrypt(absl::Span<EncryptBatchItem> items) {
  // A chunk's AEAD work: for keys on one VAES GCM kernel, handed to its
  // batch entry point directly; otherwise to Aead::SealBatch.
  AeadBatchItem work[kChunk];
  std::array<uint8_t, kNonceSize> nonces[kChunk];
  size_t index[kChunk];
  size_t succeeded = 0;
  size_t pos = 0;
  while (pos < items.size()) {
    size_t m = 0;
    const GcmKernel* chunk_kernel = nullptr;  // set by the chunk's first item
    for (; pos < items.size() && m < kChunk; ++pos) {
      EncryptBatchItem& item = items[pos];
      Encryptor* const enc = item.encryptor;
      if (ABSL_PREDICT_FALSE(enc != nullptr && enc->key_ == nullptr)) {
        item.result = {};  // a moved-from Encryptor (see Encrypt)
        item.status = Code(absl::StatusCode::kFailedPrecondition);
        continue;
      }
      // A frame the batch would not speed up takes the single-frame call:
      // one the AEAD's batch path would not (KeyContext::BatchPays), or one
      // on a VAES GCM kernel that starts no run because its Encryptor's next
      // item is not the following one (senders interleaved frame by frame,
      // whose one-frame runs cost 1.2-1.5x Encrypt on the Intel host;
      // docs/kernels.md, eleventh session). It is taken at once unless frames
      // of its Encryptor wait in this chunk: their counters are taken but its
      // next header is not yet current, so they are sealed first and the
      // frame, nothing of which has happened yet, is taken again after them.
      // (next_header_size_ may be stale while frames of `enc` wait; then the
      // BatchPays choice is only less apt, never wrong: both paths give the
      // same result.)
      if (enc != nullptr &&
          (!enc->key_->BatchPays(
               item.plaintext.size(),
               enc->next_header_size_ + item.metadata.size()) ||
           (enc->key_->kernel() != nullptr &&
            (pos + 1 == items.size() || items[pos + 1].encryptor != enc)))) {
        bool waiting = false;
        for (size_t i = 0; i < m; ++i) {
          waiting = waiting || items[index[i]].encryptor == enc;
        }
        if (waiting) break;
        TakeResult(item, enc->Encrypt(item.metadata, item.plaintext, item.out),
                   &succeeded);
        continue;
      }
      // A frame on another kernel (or on none) starts the next chunk.
      if (enc != nullptr && m != 0 && enc->key_->kernel() != chunk_kernel) {
        break;
      }
      if (enc != nullptr && enc->key_->kernel() != nullptr) {
        const size_t run = QueueEncryptRun(
            *enc, &item, std::min(items.size() - pos, kChunk - m), pos,
            work + m, nonces + m, index + m);
        if (run != 0) {
          chunk_kernel = enc->key_->kernel();
          m += run;
          pos += run - 1;  // and the loop's ++pos
          continue;
        }
      }
      item.result = {};
      if (ABSL_PREDICT_FALSE(enc == nullptr)) {
        item.status = Code(absl::StatusCode::kInvalidArgument);
        continue;
      }
      if (ABSL_PREDICT_FALSE(enc->exhausted_)) {
        item.status = Code(absl::StatusCode::kResourceExhausted);
        continue;
      }
      const size_t n = item.plaintext.size();
      const Counter counter = enc->next_counter_;
      // Encoded here rather than read from next_header_, and next_header_
      // rewritten only once per chunk (below): a header stored for the next
      // item and loaded back by it would chain every frame of one
      // Encryptor through a store-forwarding round trip.
      uint8_t header_bytes[kHeaderScratchSize];
      const size_t header_size =
          EncodeHeaderTo({enc->key_id_, counter}, header_bytes);
      const size_t size = header_size + n + TagSize(enc->suite_);
      uint8_t* const out = item.out.data();
      const bool in_place = n != 0 && item.plaintext.data() == out;
      if (ABSL_PREDICT_FALSE(item.out.size() < size || n > kMaxPayloadSize ||
                             BadEncryptOverlap(item.metadata, item.plaintext,
                                               out, item.out.size()))) {
        item.status = Code(absl::StatusCode::kInvalidArgument);
        continue;
      }
      // RFC 9605 §9.1: the counter's block is persisted before it is used.
      if (ABSL_PREDICT_FALSE(enc->NeedsReservation())) {
        absl::Status reserved = enc->Reserve();
        if (!reserved.ok()) {
          item.status = std::move(reserved);
          continue;
        }
      }
      uint8_t* const ct = out + header_size;
      if (in_place) memmove(ct, item.plaintext.data(), n);
      CopyHeader(out, header_bytes, header_size);
      nonces[m] = enc->key_->Nonce(counter);
      // The AAD header is read from `out`, which only this item writes.
      if (m == 0) chunk_kernel = enc->key_->kernel();
      QueueFrame(*enc->key_, nonces[m].data(), {out, header_size},
                 item.metadata, {in_place ? ct : item.plaintext.data(), n}, ct,
                 ct + n, &work[m]);
      index[m] = pos;
      item.result = item.out.first(size);
      // The counter is taken now; it is never reused, even if the AEAD
      // fails below (RFC 9605 §9.3: never wrap).
      if (ABSL_PREDICT_FALSE(counter == std::numeric_limits<Counter>::max())) {
        enc->exhausted_ = true;
      } else {
        enc->next_counter_ = counter + 1;
      }
      ++m;
    }
    if (m == 0) continue;
    bool sealed = true;  // (the kernels cannot fail)
    if (chunk_kernel != nullptr) {
      chunk_kernel->seal_batch(work, m);
    } else {
      sealed = Aead::SealBatch({work, m});
    }
    for (size_t i = 0; i < m; ++i) {
      EncryptBatchItem& item = items[index[i]];
      // Every Encryptor that took a counter in this chunk has an item here;
      // bring its next_header_ up to date (once per run of items).
      if (i + 1 == m || items[index[i + 1]].encryptor != item.encryptor) {
        item.encryptor->UpdateNextHeader();
      }
      if (ABSL_PREDICT_TRUE(sealed)) {
        item.status = absl::OkStatus();
        ++succeeded;
      } else {
        // Only BoringSSL can fail, and SealBatch does not say which item:
        // fail them all, all-or-nothing per item.
        ZeroOut(item.result.data(), item.result.size());
        item.result = {};
        item.status = Code(absl::StatusCode::kInternal);
      }
    }
  }
  return succeeded;
}

// The common case of Decrypt, tried before its general per-item code once a
// chunk is under way on a VAES GCM kernel that the Decryptor's last key
// (its one-entry cache) runs on: a run of consecutive frames of that key
// which pass every check of Decryptor::Decrypt, go out of place and fit the
// kernel's lanes, queued with the key's fields held in registers. The
// general code takes the same frames the same way, with more loads and
// checks per frame. Stops at the first frame that is not such a frame
// (malformed, another KID, a replay, in place, too long for the lanes, the
// end of `count`), which the general code then takes from the start; the
// checks here change nothing (`shapes` only decides how headers are parsed,
// see PrepareFrame). Queues items[0..r) into work / nonces / keys / views /
// index[0..r) and returns r.
size_t BatchAccess::QueueDecryptRun(Decryptor& dec, DecryptBatchItem* items,
                                    size_t count, size_t first,
                                    AeadBatchItem* work,
                                    std::array<uint8_t, kNonceSize>* nonces,
                                    ReceiveKey** keys, FrameView* views,
                                    size_t* index, HeaderShapes* shapes) {
  ReceiveKey* const key = dec.cached_key_;
  const KeyId kid = dec.cached_kid_;
  KeyContext& context = *key->key;
  const GcmKernelKey* const gcm_key = context.gcm_key();
  Aead* const aead = &context.aead();
  const size_t tag_size = TagSize(dec.suite_);
  size_t r = 0;
  for (; r < count; ++r) {
    DecryptBatchItem& item = items[r];
    const absl::Span<const uint8_t> metadata = item.metadata;
    const uint8_t* const frame = item.ciphertext.data();
    uint8_t* const out = item.out.data();
    FrameView& view = views[r];
    bool bad_overlap;
    if (PrepareFrame(tag_size, metadata, frame, item.ciphertext.size(), out,
                     item.out.size(), &view, &bad_overlap,
                     &shapes->current) != absl::StatusCode::kOk ||
        view.in_place || view.header.key_id != kid ||
        !key->window.Check(view.header.counter) ||
        !context.BatchPays(view.size, view.header_size + metadata.size())) {
      break;
    }
    if (ABSL_PREDICT_TRUE(view.by_template)) {
      shapes->Hit();
    } else {
      shapes->Missed(view.header, view.header_size);
    }
    const uint8_t* const payload = frame + view.header_size;
    nonces[r] = context.Nonce(view.header.counter);
    SetAeadBatchItem(&work[r], aead, gcm_key, nonces[r].data(),
                     {frame, view.header_size}, metadata, {payload, view.size},
                     out, const_cast<uint8_t*>(payload + view.size));
    keys[r] = key;
    index[r] = first + r;
    item.result = {};
  }
  return r;
}

// Each item goes through the checks of Decryptor::Decrypt in order, the
// replay check against the window as it stood at the start of the chunk.
// The survivors are opened together, then committed in item order: the
// replay check is repeated against the window as the earlier items of the
// chunk left it, which gives exactly the sequential result, because a
// window only ever refuses more counters as it records more (a counter it
// refuses stays refused). A frame refused then is zeroed like any other
// error, before DecryptBatch returns.
size_t BatchAccess::Decrypt(Decryptor& dec,
                            absl::Span<DecryptBatchItem> items) {
  const size_t tag_size = TagSize(dec.suite_);
  // As in Encrypt: for keys on one VAES GCM kernel, handed to it directly.
  AeadBatchItem work[kChunk];
  std::array<uint8_t, kNonceSize> nonces[kChunk];
  uint8_t headers[kChunk][kMaxHeaderSize];  // AAD copies for in-place items
  ReceiveKey* keys[kChunk];
  FrameView views[kChunk];
  size_t index[kChunk];
  uint8_t verified[kChunk];
  // The template headers are parsed through (local to the call: what a
  // frame's bytes set here only decides how the next headers of this call
  // are parsed, never what they parse to).
  HeaderShapes shapes;
  bool try_run = true;  // see below
  size_t succeeded = 0;
  size_t pos = 0;
  while (pos < items.size()) {
    size_t m = 0;
    const GcmKernel* chunk_kernel = nullptr;  // set by the chunk's first item
    for (; pos < items.size() && m < kChunk; ++pos) {
      DecryptBatchItem& item = items[pos];
      if (try_run && m != 0 && chunk_kernel != nullptr &&
          dec.cached_key_ != nullptr &&
          dec.cached_key_->key->kernel() == chunk_kernel) {
        const size_t run = QueueDecryptRun(
            dec, &item, std::min(items.size() - pos, kChunk - m), pos, work + m,
            nonces + m, keys + m, views + m, index + m, &shapes);
        if (run != 0) {
          m += run;
          pos += run - 1;  // and the loop's ++pos
          continue;
        }
        // Not a frame of the last key (or not one the run takes): the
        // general code parses it again. Senders interleaved frame by frame
        // would pay that twice per frame, so the run waits until two frames
        // of one key follow each other.
        try_run = false;
      }
      // Before parsing, a frame the batch would not speed up takes the
      // single-frame call, without being parsed twice: one that no header
      // size could put in the lanes of the last key used (NeverPays: a
      // guess, since its own key is not looked up yet; the exact test
      // follows the parse below), or, while that key is on a VAES GCM kernel,
      // one whose next frame has another KID (senders interleaved frame by
      // frame, as in Encrypt: 1.3-1.5x Decrypt on the Intel host). The KIDs
      // are peeked, not parsed: a wrong guess only changes the path, and both
      // give the sequential result. The frame is taken at once unless frames
      // of its KID wait in this chunk (their windows are not yet committed):
      // then after them. (A frame whose KID cannot be peeked is malformed and
      // touches no window.)
      const auto waiting = [&](KeyId kid) {
        bool found = false;
        for (size_t i = 0; i < m; ++i) {
          found = found || views[i].header.key_id == kid;
        }
        return found;
      };
      if (dec.cached_key_ != nullptr) {
        const KeyContext& last = *dec.cached_key_->key;
        KeyId kid = 0, next_kid;
        const bool peeked =
            PeekKeyId(item.ciphertext.data(), item.ciphertext.size(), &kid);
        const bool alone =
            peeked && last.kernel() != nullptr &&
            (pos + 1 == items.size() ||
             !PeekKeyId(items[pos + 1].ciphertext.data(),
                        items[pos + 1].ciphertext.size(), &next_kid) ||
             next_kid != kid);
        if (alone || NeverPays(last, item.ciphertext.size(),
                               item.metadata.size(), tag_size)) {
          if (peeked && waiting(kid)) break;
          TakeResult(item,
                     dec.Decrypt(item.metadata, item.ciphertext, item.out),
                     &succeeded);
          continue;
        }
      }
      item.result = {};
      FrameView& view = views[m];
      bool bad_overlap;
      const absl::StatusCode code =
          PrepareFrame(tag_size, item.metadata, item.ciphertext.data(),
                       item.ciphertext.size(), item.out.data(), item.out.size(),
                       &view, &bad_overlap, &shapes.current);
      if (ABSL_PREDICT_FALSE(code != absl::StatusCode::kOk)) {
        if (code == absl::StatusCode::kDataLoss) ++dec.malformed_frames_;
        if (!bad_overlap) ZeroOut(item.out.data(), item.out.size());
        item.status = Code(code);
        continue;
      }
      if (ABSL_PREDICT_TRUE(view.by_template)) {
        shapes.Hit();
      } else {
        shapes.Missed(view.header, view.header_size);
      }
      ReceiveKey* const key = dec.FindKey(view.header.key_id);
      if (ABSL_PREDICT_FALSE(key == nullptr)) {
        ++dec.unknown_key_ids_;
        ZeroOut(item.out.data(), item.out.size());
        item.status = Code(absl::StatusCode::kNotFound);
        continue;
      }
      // RFC 9605 §9.3: refused before spending an AEAD on it.
      if (ABSL_PREDICT_FALSE(!key->window.Check(view.header.counter))) {
        ++key->stats.replays;
        ZeroOut(item.out.data(), item.out.size());
        item.status = Code(absl::StatusCode::kAlreadyExists);
        continue;
      }
      // As in Encrypt: a frame the batch path would not speed up takes the
      // single-frame call, after the frames of its KID waiting in this chunk
      // are committed (so it meets the window the sequential calls would).
      // The checks above changed nothing for it, so they are simply run
      // again.
      if (!key->key->BatchPays(view.size,
                               view.header_size + item.metadata.size())) {
        if (waiting(view.header.key_id)) break;
        TakeResult(item, dec.Decrypt(item.metadata, item.ciphertext, item.out),
                   &succeeded);
        continue;
      }
      // A frame on another kernel (or on none) starts the next chunk.
      if (m != 0 && key->key->kernel() != chunk_kernel) break;
      const uint8_t* const frame = item.ciphertext.data();
      const uint8_t* const payload = frame + view.header_size;
      nonces[m] = key->key->Nonce(view.header.counter);
      const uint8_t* aad = frame;
      const uint8_t* in = payload;
      if (view.in_place) {
        // As Decrypt: the plaintext moves to the front, over the header,
        // so the header is kept aside for the AAD.
        memcpy(headers[m], frame, view.header_size);
        memmove(item.out.data(), payload, view.size);
        aad = headers[m];
        in = item.out.data();
      }
      if (m == 0) chunk_kernel = key->key->kernel();
      QueueFrame(*key->key, nonces[m].data(), {aad, view.header_size},
                 item.metadata, {in, view.size}, item.out.data(),
                 const_cast<uint8_t*>(payload + view.size), &work[m]);
      try_run = m == 0 || keys[m - 1] == key;
      keys[m] = key;
      index[m] = pos;
      ++m;
    }
    if (m == 0) continue;
    if (chunk_kernel != nullptr) {
      chunk_kernel->open_batch(work, m, verified);
    } else {
      Aead::OpenBatch({work, m}, verified);
    }
    for (size_t i = 0; i < m; ++i) {
      DecryptBatchItem& item = items[index[i]];
      ReceiveKey& key = *keys[i];
      const Counter counter = views[i].header.counter;
      if (ABSL_PREDICT_FALSE(!key.window.Check(counter))) {
        // An earlier frame of this chunk, now committed, made it a replay.
        ++key.stats.replays;
        ZeroOut(item.out.data(), item.out.size());
        item.status = Code(absl::StatusCode::kAlreadyExists);
      } else if (ABSL_PREDICT_FALSE(verified[i] != 1)) {
        ++key.stats.authentication_failures;
        ZeroOut(item.out.data(), item.out.size());
        item.status = Code(absl::StatusCode::kDataLoss);
      } else {
        key.window.Commit(counter);
        ++key.stats.decrypted;
        item.result = item.out.first(views[i].size);
        item.status = absl::OkStatus();
        ++succeeded;
      }
    }
  }
  return succeeded;
}

}  // namespace internal

size_t EncryptBatch(absl::Span<EncryptBatchItem> items) {
  return internal::BatchAccess::Encrypt(items);
}

size_t DecryptBatch(Decryptor& decryptor, absl::Span<DecryptBatchItem> items) {
  return internal::BatchAccess::Decrypt(decryptor, items);
}

}  // namespace sframe
