// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §4.4.3 (encrypt) and §4.4.4 (decrypt).

#include "sframe/sframe.h"

#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "src/core/header_internal.h"
#include "src/core/key_schedule.h"
#include "src/crypto/secret.h"

namespace sframe {
namespace {

using internal::KeyContext;

void Zero(absl::Span<uint8_t> out) {
  internal::ZeroOut(out.data(), out.size());
}

// Code-only statuses: Abseil stores them inline, without allocating.
absl::Status DataLoss() {
  return absl::Status(absl::StatusCode::kDataLoss, "");
}

absl::Status Code(absl::StatusCode code) { return absl::Status(code, ""); }

}  // namespace

using internal::ReceiveKey;

// ---------------------------------------------------------------- Encryptor

Encryptor::Encryptor(CipherSuite suite, KeyId key_id, const Options& options,
                     std::unique_ptr<KeyContext> key)
    : suite_(suite),
      key_id_(key_id),
      next_counter_(options.first_counter),
      key_(std::move(key)),
      reserve_counters_(options.reserve_counters),
      reservation_block_(options.reservation_block) {
  EncodeNextHeader();
}

void Encryptor::EncodeNextHeader() {
  static_assert(sizeof(next_header_) == internal::kHeaderScratchSize);
  next_header_size_ =
      internal::EncodeHeaderTo({key_id_, next_counter_}, next_header_);
  // The counters after this one whose header differs from it only in the
  // counter bytes: same (explicit) counter length, whole header in one word
  // (the common case). Encrypt then writes the next header as one word
  // instead of encoding it (EncodeHeaderTo left bytes 8..15 zero).
  const size_t kid_len = internal::HeaderFieldSize(key_id_);
  const size_t ctr_len = internal::HeaderFieldSize(next_counter_);
  header_word_limit_ = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (ctr_len != 0 && 1 + kid_len + ctr_len <= 8) {
    const uint64_t config =
        (kid_len == 0 ? key_id_ << 4 : 0x80 | ((kid_len - 1) << 4)) | 0x08 |
        (ctr_len - 1);
    header_word_prefix_ =
        (config << 56) | (kid_len == 0 ? 0 : key_id_ << (56 - 8 * kid_len));
    header_word_shift_ = static_cast<int>(56 - 8 * (kid_len + ctr_len));
    header_word_limit_ = Counter{1} << (8 * ctr_len);
  }
#endif
}

// Written out so that the moved-from object reads as exhausted: its Encrypt
// then fails (kFailedPrecondition, see there) without a per-frame check of
// the key pointer.
Encryptor::Encryptor(Encryptor&& other) noexcept
    : suite_(other.suite_),
      key_id_(other.key_id_),
      next_counter_(other.next_counter_),
      exhausted_(std::exchange(other.exhausted_, true)),
      key_(std::move(other.key_)),
      reserve_counters_(std::move(other.reserve_counters_)),
      reservation_block_(other.reservation_block_),
      has_reservation_(other.has_reservation_),
      reserved_last_(other.reserved_last_),
      next_header_size_(other.next_header_size_),
      header_word_limit_(other.header_word_limit_),
      header_word_prefix_(other.header_word_prefix_),
      header_word_shift_(other.header_word_shift_) {
  memcpy(next_header_, other.next_header_, sizeof(next_header_));
}

Encryptor& Encryptor::operator=(Encryptor&& other) noexcept {
  if (this != &other) {
    suite_ = other.suite_;
    key_id_ = other.key_id_;
    next_counter_ = other.next_counter_;
    exhausted_ = std::exchange(other.exhausted_, true);
    key_ = std::move(other.key_);
    reserve_counters_ = std::move(other.reserve_counters_);
    reservation_block_ = other.reservation_block_;
    has_reservation_ = other.has_reservation_;
    reserved_last_ = other.reserved_last_;
    memcpy(next_header_, other.next_header_, sizeof(next_header_));
    next_header_size_ = other.next_header_size_;
    header_word_limit_ = other.header_word_limit_;
    header_word_prefix_ = other.header_word_prefix_;
    header_word_shift_ = other.header_word_shift_;
  }
  return *this;
}

Encryptor::~Encryptor() = default;

absl::StatusOr<Encryptor> Encryptor::Create(
    CipherSuite suite, KeyId key_id, absl::Span<const uint8_t> base_key) {
  return Create(suite, key_id, base_key, Options());
}

absl::StatusOr<Encryptor> Encryptor::Create(CipherSuite suite, KeyId key_id,
                                            absl::Span<const uint8_t> base_key,
                                            const Options& options) {
  absl::StatusOr<CipherSuite> checked =
      CipherSuiteFromId(static_cast<uint16_t>(suite));
  if (!checked.ok()) return checked.status();
  if (options.reserve_counters && options.reservation_block == 0) {
    return absl::InvalidArgumentError("reservation_block must be >= 1");
  }
  absl::StatusOr<std::unique_ptr<KeyContext>> key =
      KeyContext::Create(suite, key_id, base_key);
  if (!key.ok()) return key.status();
  return Encryptor(suite, key_id, options, *std::move(key));
}

// RFC 9605 §9.1: the block holding the next counter is reported (and
// persisted by the application) before that counter is used.
absl::Status Encryptor::Reserve() {
  constexpr Counter kMax = std::numeric_limits<Counter>::max();
  const Counter first = next_counter_;
  const Counter last = kMax - first < reservation_block_ - 1
                           ? kMax
                           : first + (reservation_block_ - 1);
  absl::Status s = reserve_counters_(key_id_, first, last);
  if (!s.ok()) return s;
  has_reservation_ = true;
  reserved_last_ = last;
  return absl::OkStatus();
}

size_t Encryptor::CiphertextSize(size_t plaintext_size) const {
  return internal::AddSaturating(
      plaintext_size,
      internal::HeaderSize({key_id_, next_counter_}) + TagSize(suite_));
}

absl::StatusOr<absl::Span<uint8_t>> Encryptor::Encrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
    absl::Span<uint8_t> out) {
  if (ABSL_PREDICT_FALSE(exhausted_)) {
    return Code(key_ == nullptr ? absl::StatusCode::kFailedPrecondition
                                : absl::StatusCode::kResourceExhausted);
  }
  const size_t n = plaintext.size();
  const Counter counter = next_counter_;
  const uint8_t(&header_bytes)[internal::kHeaderScratchSize] = next_header_;
  const size_t header_size = next_header_size_;
  const size_t size = header_size + n + TagSize(suite_);
  const bool in_place = n != 0 && plaintext.data() == out.data();
  if (ABSL_PREDICT_FALSE(out.size() < size || n > kMaxPayloadSize ||
                         internal::BadEncryptOverlap(metadata, plaintext,
                                                     out.data(), out.size()))) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  // RFC 9605 §9.1: the block holding this counter is persisted before the
  // counter is used. The common case (already reserved, or no hook) is two
  // inline compares.
  if (ABSL_PREDICT_FALSE(NeedsReservation())) {
    if (absl::Status reserved = Reserve(); !reserved.ok()) return reserved;
  }
  uint8_t* const ct = out.data() + header_size;
  if (in_place) memmove(ct, plaintext.data(), n);
  const uint8_t* const body = in_place ? ct : plaintext.data();
  internal::CopyHeader(out.data(), header_bytes, header_size);
  const auto nonce = key_->Nonce(counter);
  if (ABSL_PREDICT_FALSE(!key_->Seal(nonce.data(), {header_bytes, header_size},
                                     metadata, {body, n}, ct, ct + n))) {
    Zero(out.first(size));
    return Code(absl::StatusCode::kInternal);
  }
  // Advance only after a successful encryption; never wrap (RFC 9605 §9.3).
  if (ABSL_PREDICT_FALSE(counter == std::numeric_limits<Counter>::max())) {
    exhausted_ = true;
  } else {
    next_counter_ = counter + 1;
    UpdateNextHeader();
  }
  return out.first(size);
}

// ---------------------------------------------------------------- Decryptor

Decryptor::Decryptor(CipherSuite suite, size_t replay_window)
    : suite_(suite), replay_window_(replay_window) {}
// Written out so that the key cache never points into another object's
// keys.
Decryptor::Decryptor(Decryptor&& other) noexcept
    : suite_(other.suite_),
      replay_window_(other.replay_window_),
      unknown_key_ids_(other.unknown_key_ids_),
      malformed_frames_(other.malformed_frames_),
      keys_(std::move(other.keys_)),
      cached_kid_(other.cached_kid_),
      cached_key_(std::exchange(other.cached_key_, nullptr)) {
  other.keys_.clear();
}

Decryptor& Decryptor::operator=(Decryptor&& other) noexcept {
  if (this != &other) {
    suite_ = other.suite_;
    replay_window_ = other.replay_window_;
    unknown_key_ids_ = other.unknown_key_ids_;
    malformed_frames_ = other.malformed_frames_;
    keys_ = std::move(other.keys_);
    other.keys_.clear();
    cached_kid_ = other.cached_kid_;
    cached_key_ = std::exchange(other.cached_key_, nullptr);
  }
  return *this;
}

internal::ReceiveKey* Decryptor::FindKeySlow(KeyId key_id) {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return nullptr;
  cached_kid_ = key_id;
  cached_key_ = it->second.get();
  return cached_key_;
}
Decryptor::~Decryptor() = default;

absl::StatusOr<Decryptor> Decryptor::Create(CipherSuite suite) {
  return Create(suite, Options());
}

absl::StatusOr<Decryptor> Decryptor::Create(CipherSuite suite,
                                            const Options& options) {
  absl::StatusOr<CipherSuite> checked =
      CipherSuiteFromId(static_cast<uint16_t>(suite));
  if (!checked.ok()) return checked.status();
  if (options.replay_window > kMaxReplayWindow) {
    return absl::InvalidArgumentError("replay_window is too large");
  }
  return Decryptor(suite, options.replay_window);
}

absl::Status Decryptor::AddKey(KeyId key_id,
                               absl::Span<const uint8_t> base_key) {
  if (keys_.contains(key_id)) {
    return absl::AlreadyExistsError("a key is already installed for this KID");
  }
  absl::StatusOr<std::unique_ptr<KeyContext>> key =
      KeyContext::Create(suite_, key_id, base_key);
  if (!key.ok()) return key.status();
  keys_.emplace(key_id,
                std::make_unique<ReceiveKey>(*std::move(key), replay_window_));
  return absl::OkStatus();
}

absl::Status Decryptor::RemoveKey(KeyId key_id) {
  cached_key_ = nullptr;
  if (keys_.erase(key_id) == 0) {
    return absl::NotFoundError("no key for this KID");
  }
  return absl::OkStatus();
}

bool Decryptor::HasKey(KeyId key_id) const { return keys_.contains(key_id); }

std::optional<KeyStats> Decryptor::GetKeyStats(KeyId key_id) const {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return std::nullopt;
  return it->second->stats;
}

absl::StatusOr<size_t> Decryptor::PlaintextSize(
    absl::Span<const uint8_t> ciphertext) const {
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(ciphertext);
  if (!parsed.ok()) return parsed.status();
  if (parsed->payload.size() < TagSize(suite_)) return DataLoss();
  return parsed->payload.size() - TagSize(suite_);
}

namespace {

// Verifies and decrypts the frame `view` of `frame` with `key`; returns
// false (with `out` zeroed) on a tag mismatch. `out` has room for the
// plaintext.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool Open(
    KeyContext& key, const internal::FrameView& view, const uint8_t* frame,
    absl::Span<const uint8_t> metadata, absl::Span<uint8_t> out) {
  const size_t n = view.size;
  const auto nonce = key.Nonce(view.header.counter);
  const uint8_t* const payload = frame + view.header_size;
  const uint8_t* const tag = payload + n;
  bool ok;
  if (view.in_place) {
    // The plaintext moves to the front, over the header: keep a copy of the
    // header for the AAD. The tag lies beyond the moved bytes.
    uint8_t header[kMaxHeaderSize];
    memcpy(header, frame, view.header_size);
    memmove(out.data(), payload, n);
    ok = key.Open(nonce.data(), {header, view.header_size}, metadata,
                  {out.data(), n}, tag, out.data());
  } else {
    ok = key.Open(nonce.data(), {frame, view.header_size}, metadata,
                  {payload, n}, tag, out.data());
  }
  if (ABSL_PREDICT_FALSE(!ok)) Zero(out);
  return ok;
}

// The checks shared by Decrypt and DecryptWithCandidateKey, before a key is
// chosen. On error `out` is zeroed (or untouched for a bad overlap).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline absl::StatusCode Prepare(
    CipherSuite suite, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> ciphertext, absl::Span<uint8_t> out,
    internal::FrameView* view, uint64_t* malformed) {
  bool bad_overlap;
  const absl::StatusCode code = internal::PrepareFrame(
      TagSize(suite), metadata, ciphertext.data(), ciphertext.size(),
      out.data(), out.size(), view, &bad_overlap);
  if (ABSL_PREDICT_FALSE(code != absl::StatusCode::kOk)) {
    if (code == absl::StatusCode::kDataLoss) ++*malformed;
    if (!bad_overlap) Zero(out);
  }
  return code;
}

}  // namespace

absl::StatusOr<absl::Span<uint8_t>> Decryptor::Decrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
    absl::Span<uint8_t> out) {
  internal::FrameView view;
  const absl::StatusCode prepared =
      Prepare(suite_, metadata, ciphertext, out, &view, &malformed_frames_);
  if (ABSL_PREDICT_FALSE(prepared != absl::StatusCode::kOk)) {
    return Code(prepared);
  }
  ReceiveKey* const key = FindKey(view.header.key_id);
  if (ABSL_PREDICT_FALSE(key == nullptr)) {
    ++unknown_key_ids_;
    Zero(out);
    return Code(absl::StatusCode::kNotFound);
  }
  // RFC 9605 §9.3 anti-replay: refuse before spending an AEAD on it; the
  // window itself moves only after the tag verifies (invariant 3).
  if (ABSL_PREDICT_FALSE(!key->window.Check(view.header.counter))) {
    ++key->stats.replays;
    Zero(out);
    return Code(absl::StatusCode::kAlreadyExists);
  }
  if (ABSL_PREDICT_FALSE(
          !Open(*key->key, view, ciphertext.data(), metadata, out))) {
    ++key->stats.authentication_failures;
    return DataLoss();
  }
  key->window.Commit(view.header.counter);
  ++key->stats.decrypted;
  return out.first(view.size);
}

absl::StatusOr<absl::Span<uint8_t>> Decryptor::DecryptWithCandidateKey(
    absl::Span<const uint8_t> base_key, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> ciphertext, absl::Span<uint8_t> out) {
  internal::FrameView view;
  const absl::StatusCode prepared =
      Prepare(suite_, metadata, ciphertext, out, &view, &malformed_frames_);
  if (prepared != absl::StatusCode::kOk) return Code(prepared);
  if (keys_.contains(view.header.key_id)) {
    Zero(out);
    return Code(absl::StatusCode::kFailedPrecondition);
  }
  if (base_key.empty()) {
    Zero(out);
    return Code(absl::StatusCode::kInvalidArgument);
  }
  // The candidate lives only in this scope until its tag verifies: a forged
  // frame leaves no key, window or statistics behind (invariant 3), and the
  // derived key is wiped by its destructor.
  absl::StatusOr<std::unique_ptr<KeyContext>> candidate =
      KeyContext::Create(suite_, view.header.key_id, base_key);
  if (!candidate.ok()) {
    Zero(out);
    return Code(absl::StatusCode::kInternal);
  }
  if (!Open(**candidate, view, ciphertext.data(), metadata, out)) {
    return DataLoss();
  }
  auto key =
      std::make_unique<ReceiveKey>(*std::move(candidate), replay_window_);
  key->window.Commit(view.header.counter);
  ++key->stats.decrypted;
  keys_.emplace(view.header.key_id, std::move(key));
  return out.first(view.size);
}

}  // namespace sframe
