// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §4.4.3 (encrypt) and §4.4.4 (decrypt).

#include "sframe/sframe.h"

#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "src/core/header_internal.h"
#include "src/core/key_schedule.h"
#include "src/crypto/secret.h"

namespace sframe {
namespace {

using internal::KeyContext;

bool Overlaps(const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len) {
  if (a_len == 0 || b_len == 0) return false;
  const auto pa = reinterpret_cast<uintptr_t>(a);
  const auto pb = reinterpret_cast<uintptr_t>(b);
  return pa < pb + b_len && pb < pa + a_len;
}

void Zero(absl::Span<uint8_t> out) {
  if (!out.empty()) memset(out.data(), 0, out.size());
}

// Code-only statuses: Abseil stores them inline, without allocating.
absl::Status DataLoss() {
  return absl::Status(absl::StatusCode::kDataLoss, "");
}

absl::Status Code(absl::StatusCode code) { return absl::Status(code, ""); }

}  // namespace

namespace internal {

// The anti-replay window of one KID (RFC 3711 §3.3.2, with the bitmap kept
// as a ring of 64-bit words as in RFC 6479 so that moving the window costs
// at most one pass over the words, never a shift of the whole bitmap).
// `size` counters are tracked: with `top` the highest accepted counter,
// counters in [top - size + 1, top] are remembered, older ones are refused.
class ReplayWindow {
 public:
  ReplayWindow() = default;
  explicit ReplayWindow(size_t size)
      : size_(size), words_(size == 0 ? 0 : (size + 63) / 64 + 1, 0) {}

  // True if `counter` may be accepted: it is newer than every accepted
  // counter, or inside the window and not yet seen. Changes nothing.
  bool Check(Counter counter) const {
    if (size_ == 0 || !any_ || counter > top_) return true;
    if (top_ - counter >= size_) return false;
    return (Word(counter) & Bit(counter)) == 0;
  }

  // Records `counter`, which passed Check and whose tag verified.
  void Commit(Counter counter) {
    if (size_ == 0) return;
    const uint64_t n = words_.size();
    if (!any_ || counter > top_) {
      const uint64_t old_block = top_ / 64;
      const uint64_t new_block = counter / 64;
      if (!any_ || new_block - old_block >= n) {
        for (uint64_t& w : words_) w = 0;
      } else {
        for (uint64_t b = old_block + 1; b <= new_block; ++b) {
          words_[b % n] = 0;
        }
      }
      top_ = counter;
      any_ = true;
    }
    Word(counter) |= Bit(counter);
  }

 private:
  static uint64_t Bit(Counter counter) { return uint64_t{1} << (counter % 64); }
  uint64_t& Word(Counter counter) {
    return words_[(counter / 64) % words_.size()];
  }
  const uint64_t& Word(Counter counter) const {
    return words_[(counter / 64) % words_.size()];
  }

  size_t size_ = 0;
  std::vector<uint64_t> words_;
  bool any_ = false;
  Counter top_ = 0;
};

// One receive key: its cipher state, replay window and statistics.
class ReceiveKey {
 public:
  ReceiveKey(std::unique_ptr<KeyContext> key, size_t window)
      : key(std::move(key)), window(window) {}
  std::unique_ptr<KeyContext> key;
  ReplayWindow window;
  KeyStats stats;
};

}  // namespace internal

using internal::ReceiveKey;

// ---------------------------------------------------------------- Encryptor

Encryptor::Encryptor(CipherSuite suite, KeyId key_id, const Options& options,
                     std::unique_ptr<KeyContext> key)
    : suite_(suite),
      key_id_(key_id),
      next_counter_(options.first_counter),
      key_(std::move(key)),
      reserve_counters_(options.reserve_counters),
      reservation_block_(options.reservation_block) {}

Encryptor::Encryptor(Encryptor&&) noexcept = default;
Encryptor& Encryptor::operator=(Encryptor&&) noexcept = default;
Encryptor::~Encryptor() = default;

absl::StatusOr<Encryptor> Encryptor::Create(
    CipherSuite suite, KeyId key_id, absl::Span<const uint8_t> base_key) {
  return Create(suite, key_id, base_key, Options());
}

absl::StatusOr<Encryptor> Encryptor::Create(CipherSuite suite, KeyId key_id,
                                            absl::Span<const uint8_t> base_key,
                                            const Options& options) {
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
  if (!reserve_counters_ ||
      (has_reservation_ && next_counter_ <= reserved_last_)) {
    return absl::OkStatus();
  }
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
  return internal::HeaderSize({key_id_, next_counter_}) + plaintext_size +
         TagSize(suite_);
}

absl::StatusOr<absl::Span<uint8_t>> Encryptor::Encrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
    absl::Span<uint8_t> out) {
  if (exhausted_) {
    return absl::Status(absl::StatusCode::kResourceExhausted, "");
  }
  const size_t n = plaintext.size();
  const Header header{key_id_, next_counter_};
  uint8_t header_bytes[internal::kHeaderScratchSize];
  const size_t header_size = internal::EncodeHeaderTo(header, header_bytes);
  const size_t size = header_size + n + TagSize(suite_);
  const bool in_place = n != 0 && plaintext.data() == out.data();
  if (out.size() < size ||
      (!in_place && Overlaps(plaintext.data(), n, out.data(), out.size()))) {
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  if (absl::Status reserved = Reserve(); !reserved.ok()) return reserved;
  uint8_t* const ct = out.data() + header_size;
  if (in_place) memmove(ct, plaintext.data(), n);
  absl::Span<const uint8_t> body =
      in_place ? absl::Span<const uint8_t>(ct, n) : plaintext;
  memcpy(out.data(), header_bytes, header_size);
  const auto nonce = key_->Nonce(header.counter);
  if (!key_->aead().Seal(nonce.data(), {header_bytes, header_size}, metadata,
                         body, ct, ct + n)) {
    Zero(out.first(size));
    return absl::Status(absl::StatusCode::kInternal, "");
  }
  // Advance only after a successful encryption; never wrap (RFC 9605 §9.3).
  if (next_counter_ == std::numeric_limits<Counter>::max()) {
    exhausted_ = true;
  } else {
    ++next_counter_;
  }
  return out.first(size);
}

// ---------------------------------------------------------------- Decryptor

Decryptor::Decryptor(CipherSuite suite, size_t replay_window)
    : suite_(suite), replay_window_(replay_window) {}
Decryptor::Decryptor(Decryptor&&) noexcept = default;
Decryptor& Decryptor::operator=(Decryptor&&) noexcept = default;
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

// The checks shared by Decrypt and DecryptWithCandidateKey, before a key is
// chosen. On error `out` is zeroed (or untouched for a bad overlap).
absl::Status Prepare(CipherSuite suite, absl::Span<const uint8_t> ciphertext,
                     absl::Span<uint8_t> out, ParsedHeader* parsed,
                     bool* in_place, uint64_t* malformed) {
  *in_place = !ciphertext.empty() && ciphertext.data() == out.data();
  if (!*in_place &&
      Overlaps(ciphertext.data(), ciphertext.size(), out.data(), out.size())) {
    return Code(absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<ParsedHeader> p = ParseHeader(ciphertext);
  if (!p.ok() || p->payload.size() < TagSize(suite)) {
    ++*malformed;
    Zero(out);
    return DataLoss();
  }
  if (out.size() < p->payload.size() - TagSize(suite)) {
    Zero(out);
    return Code(absl::StatusCode::kInvalidArgument);
  }
  *parsed = *p;
  return absl::OkStatus();
}

// Verifies and decrypts with `key`; returns false (with `out` zeroed) on a
// tag mismatch. `out` has room for the plaintext.
bool Open(KeyContext& key, const ParsedHeader& parsed, bool in_place,
          absl::Span<const uint8_t> metadata, absl::Span<uint8_t> out) {
  const size_t n = parsed.payload.size() - key.tag_size();
  const auto nonce = key.Nonce(parsed.header.counter);
  const uint8_t* tag = parsed.payload.data() + n;
  bool ok;
  if (in_place) {
    // The plaintext moves to the front, over the header: keep a copy of the
    // header for the AAD. The tag lies beyond the moved bytes.
    uint8_t header[kMaxHeaderSize];
    const size_t header_size = parsed.bytes.size();
    memcpy(header, parsed.bytes.data(), header_size);
    memmove(out.data(), parsed.payload.data(), n);
    ok = key.aead().Open(nonce.data(), {header, header_size}, metadata,
                         {out.data(), n}, tag, out.data());
  } else {
    ok = key.aead().Open(nonce.data(), parsed.bytes, metadata,
                         parsed.payload.first(n), tag, out.data());
  }
  if (!ok) Zero(out);
  return ok;
}

}  // namespace

absl::StatusOr<absl::Span<uint8_t>> Decryptor::Decrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
    absl::Span<uint8_t> out) {
  ParsedHeader parsed;
  bool in_place;
  absl::Status prepared =
      Prepare(suite_, ciphertext, out, &parsed, &in_place, &malformed_frames_);
  if (!prepared.ok()) return prepared;
  auto it = keys_.find(parsed.header.key_id);
  if (it == keys_.end()) {
    ++unknown_key_ids_;
    Zero(out);
    return Code(absl::StatusCode::kNotFound);
  }
  ReceiveKey& key = *it->second;
  // RFC 9605 §9.3 anti-replay: refuse before spending an AEAD on it; the
  // window itself moves only after the tag verifies (invariant 3).
  if (!key.window.Check(parsed.header.counter)) {
    ++key.stats.replays;
    Zero(out);
    return Code(absl::StatusCode::kAlreadyExists);
  }
  if (!Open(*key.key, parsed, in_place, metadata, out)) {
    ++key.stats.authentication_failures;
    return DataLoss();
  }
  key.window.Commit(parsed.header.counter);
  ++key.stats.decrypted;
  return out.first(parsed.payload.size() - TagSize(suite_));
}

absl::StatusOr<absl::Span<uint8_t>> Decryptor::DecryptWithCandidateKey(
    absl::Span<const uint8_t> base_key, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> ciphertext, absl::Span<uint8_t> out) {
  ParsedHeader parsed;
  bool in_place;
  absl::Status prepared =
      Prepare(suite_, ciphertext, out, &parsed, &in_place, &malformed_frames_);
  if (!prepared.ok()) return prepared;
  if (keys_.contains(parsed.header.key_id)) {
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
      KeyContext::Create(suite_, parsed.header.key_id, base_key);
  if (!candidate.ok()) {
    Zero(out);
    return Code(absl::StatusCode::kInternal);
  }
  if (!Open(**candidate, parsed, in_place, metadata, out)) return DataLoss();
  auto key =
      std::make_unique<ReceiveKey>(*std::move(candidate), replay_window_);
  key->window.Commit(parsed.header.counter);
  ++key->stats.decrypted;
  keys_.emplace(parsed.header.key_id, std::move(key));
  return out.first(parsed.payload.size() - TagSize(suite_));
}

}  // namespace sframe
