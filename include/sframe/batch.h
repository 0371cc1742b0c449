// Copyright 2026 The sframecpp Authors.
//
// batch.h: encrypt or decrypt many independent SFrame frames in one call.
//
// A batch is a span of items, one per frame. Frames may differ in length,
// metadata and key; each item gets its own status and output span. The
// results are byte-identical to calling Encryptor::Encrypt /
// Decryptor::Decrypt on each item in order, with the same statuses and the
// same state changes (counters, counter reservations, replay windows,
// statistics). What a batch adds is speed where the AEAD can use it: short
// AES-GCM frames (up to 256 bytes on AVX-512, 128 on AVX2) whose keys run on
// the same kernel are processed four (two) at a time in vector lanes, and
// the HMACs of CTR-HMAC frames several at a time. Other frames (longer ones,
// keys on BoringSSL, and AES-GCM frames whose sender changes at the next
// item, as when senders are interleaved frame by frame) take the
// single-frame call from inside the batch.
// docs/kernels.md and docs/performance.md have the measurements.
//
//   std::vector<sframe::EncryptBatchItem> items(packets.size());
//   for (size_t i = 0; i < packets.size(); ++i) {
//     items[i].encryptor = &enc;
//     items[i].plaintext = packets[i];
//     items[i].out = absl::MakeSpan(buffers[i]);
//   }
//   sframe::EncryptBatch(absl::MakeSpan(items));
//   for (const auto& item : items) {
//     if (item.status.ok()) Send(item.result);
//   }
//
//   std::vector<sframe::DecryptBatchItem> in(received.size());
//   ...  // ciphertext and out for each frame
//   sframe::DecryptBatch(dec, absl::MakeSpan(in));
//
// Allocation: none. Frames are processed in fixed-size chunks on the stack;
// every per-frame status is code-only (it carries no message), except a
// status returned by an Encryptor's `reserve_counters` hook, which is passed
// through unchanged, as by Encrypt.
//
// Aliasing: within one item the rules of Encrypt / Decrypt apply (the input
// and `out` either start at the same address or do not overlap; this is
// checked). Across items, no item's `out` may overlap any other item's
// inputs (metadata, plaintext or ciphertext) or `out`. This is a precondition
// that is NOT checked (it would cost a quadratic number of comparisons);
// breaking it gives unspecified output bytes, though every frame's tag is still
// verified before it is reported as decrypted.
//
// Thread safety: as for the single-frame calls. Every Encryptor named in an
// encrypt batch, and the Decryptor of a decrypt batch, must not be used by
// another thread during the call.

#ifndef SFRAME_BATCH_H_
#define SFRAME_BATCH_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "sframe/sframe.h"

namespace sframe {

// One frame of EncryptBatch. The caller fills the inputs; EncryptBatch fills
// `status` and `result`.
struct EncryptBatchItem {
  // Inputs.
  Encryptor* encryptor = nullptr;  // the frame's key; may repeat across items
  absl::Span<const uint8_t> metadata;
  absl::Span<const uint8_t> plaintext;
  // Room for Encryptor::CiphertextSize(plaintext.size()) bytes at the time
  // the frame is reached. MaxCiphertextSize(suite, plaintext.size()) always
  // suffices.
  absl::Span<uint8_t> out;

  // Outputs.
  absl::Status status;
  absl::Span<uint8_t> result;  // the written prefix of `out`; empty on error
};

// Encrypts every item as if by
//   item.encryptor->Encrypt(item.metadata, item.plaintext, item.out)
// called on the items in order: several items of one Encryptor get
// consecutive counters in item order, a counter reservation happens before
// the first item that needs a new block, and once an Encryptor's last
// counter is used its later items fail with kResourceExhausted.
//
// Per-item errors (in `status`) are those of Encrypt: kInvalidArgument for
// a null encryptor, an `out` too small, a bad overlap or a plaintext longer
// than kMaxPayloadSize (nothing written); kResourceExhausted and, for a
// moved-from encryptor, kFailedPrecondition (nothing written); the
// reservation hook's status
// (nothing written); kInternal if the AEAD failed internally (only
// BoringSSL can), in which case every item of the failing chunk reports
// kInternal with `out` zeroed and the counters those items took are burnt
// (never reused). An error in one item does not affect the others.
//
// Returns the number of items whose status is OK.
size_t EncryptBatch(absl::Span<EncryptBatchItem> items);

// One frame of DecryptBatch. The caller fills the inputs; DecryptBatch fills
// `status` and `result`.
struct DecryptBatchItem {
  // Inputs.
  absl::Span<const uint8_t> metadata;
  absl::Span<const uint8_t> ciphertext;
  // Room for the plaintext: Decryptor::MaxPlaintextSize(ciphertext.size())
  // bytes always suffice.
  absl::Span<uint8_t> out;

  // Outputs.
  absl::Status status;
  absl::Span<uint8_t> result;  // the written prefix of `out`; empty on error
};

// Decrypts every item with `decryptor` as if by
//   decryptor.Decrypt(item.metadata, item.ciphertext, item.out)
// called on the items in order, with the same guarantees: each tag is
// verified (in constant time) before the frame is reported OK; on every
// error all of that item's `out` is zeroed (except for a bad overlap, where
// nothing is written); the replay windows and statistics end up exactly as
// after the sequential calls. In particular two items with the same KID and
// counter in one batch: only the first can succeed, the second fails with
// kAlreadyExists; and a window moves only for frames whose tag verified.
//
// Per-item errors (in `status`): kDataLoss (malformed header, truncated
// frame, tag mismatch), kNotFound (no key for the KID), kAlreadyExists
// (replayed counter), kInvalidArgument (`out` too small or badly
// overlapping).
//
// Implementation note: the frames of a chunk are checked against the replay
// window as it stood at the start of the chunk, opened together, and then
// committed in order; a frame that an earlier frame of the same chunk made a
// replay is then refused with kAlreadyExists and its `out` zeroed before
// DecryptBatch returns, so no plaintext of a refused frame is ever released.
//
// Returns the number of items whose status is OK.
size_t DecryptBatch(Decryptor& decryptor, absl::Span<DecryptBatchItem> items);

}  // namespace sframe

#endif  // SFRAME_BATCH_H_
