// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §4.4.3 (encrypt) and §4.4.4 (decrypt).

#include "sframe/sframe.h"

#include <cstring>
#include <limits>
#include <utility>

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

}  // namespace

// ---------------------------------------------------------------- Encryptor

Encryptor::Encryptor(CipherSuite suite, KeyId key_id, Counter first_counter,
                     std::unique_ptr<KeyContext> key)
    : suite_(suite),
      key_id_(key_id),
      next_counter_(first_counter),
      key_(std::move(key)) {}

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
  absl::StatusOr<std::unique_ptr<KeyContext>> key =
      KeyContext::Create(suite, key_id, base_key);
  if (!key.ok()) return key.status();
  return Encryptor(suite, key_id, options.first_counter, *std::move(key));
}

size_t Encryptor::CiphertextSize(size_t plaintext_size) const {
  return EncodedHeaderSize({key_id_, next_counter_}) + plaintext_size +
         TagSize(suite_);
}

absl::StatusOr<absl::Span<uint8_t>> Encryptor::Encrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
    absl::Span<uint8_t> out) {
  if (exhausted_) {
    return absl::Status(absl::StatusCode::kResourceExhausted, "");
  }
  const size_t n = plaintext.size();
  const size_t size = CiphertextSize(n);
  const bool in_place = n != 0 && plaintext.data() == out.data();
  if (out.size() < size ||
      (!in_place && Overlaps(plaintext.data(), n, out.data(), out.size()))) {
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  const Header header{key_id_, next_counter_};
  uint8_t* const ct = out.data() + EncodedHeaderSize(header);
  if (in_place) memmove(ct, plaintext.data(), n);
  absl::Span<const uint8_t> body =
      in_place ? absl::Span<const uint8_t>(ct, n) : plaintext;
  absl::StatusOr<absl::Span<uint8_t>> encoded = EncodeHeader(header, out);
  const auto nonce = key_->Nonce(header.counter);
  if (!encoded.ok() ||
      !key_->aead().Seal(nonce.data(), *encoded, metadata, body, ct, ct + n)) {
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

Decryptor::Decryptor(CipherSuite suite) : suite_(suite) {}
Decryptor::Decryptor(Decryptor&&) noexcept = default;
Decryptor& Decryptor::operator=(Decryptor&&) noexcept = default;
Decryptor::~Decryptor() = default;

absl::StatusOr<Decryptor> Decryptor::Create(CipherSuite suite) {
  absl::StatusOr<CipherSuite> checked =
      CipherSuiteFromId(static_cast<uint16_t>(suite));
  if (!checked.ok()) return checked.status();
  return Decryptor(suite);
}

absl::Status Decryptor::AddKey(KeyId key_id,
                               absl::Span<const uint8_t> base_key) {
  if (keys_.contains(key_id)) {
    return absl::AlreadyExistsError("a key is already installed for this KID");
  }
  absl::StatusOr<std::unique_ptr<KeyContext>> key =
      KeyContext::Create(suite_, key_id, base_key);
  if (!key.ok()) return key.status();
  keys_.emplace(key_id, *std::move(key));
  return absl::OkStatus();
}

absl::Status Decryptor::RemoveKey(KeyId key_id) {
  if (keys_.erase(key_id) == 0) {
    return absl::NotFoundError("no key for this KID");
  }
  return absl::OkStatus();
}

bool Decryptor::HasKey(KeyId key_id) const { return keys_.contains(key_id); }

absl::StatusOr<size_t> Decryptor::PlaintextSize(
    absl::Span<const uint8_t> ciphertext) const {
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(ciphertext);
  if (!parsed.ok()) return parsed.status();
  if (parsed->payload.size() < TagSize(suite_)) return DataLoss();
  return parsed->payload.size() - TagSize(suite_);
}

absl::StatusOr<absl::Span<uint8_t>> Decryptor::Decrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
    absl::Span<uint8_t> out) {
  const bool in_place = !ciphertext.empty() && ciphertext.data() == out.data();
  if (!in_place &&
      Overlaps(ciphertext.data(), ciphertext.size(), out.data(), out.size())) {
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(ciphertext);
  const size_t tag_size = TagSize(suite_);
  if (!parsed.ok() || parsed->payload.size() < tag_size) {
    Zero(out);
    return DataLoss();
  }
  auto it = keys_.find(parsed->header.key_id);
  if (it == keys_.end()) {
    Zero(out);
    return absl::Status(absl::StatusCode::kNotFound, "");
  }
  const size_t n = parsed->payload.size() - tag_size;
  if (out.size() < n) {
    Zero(out);
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  KeyContext& key = *it->second;
  const auto nonce = key.Nonce(parsed->header.counter);
  const uint8_t* tag = parsed->payload.data() + n;
  bool ok;
  if (in_place) {
    // The plaintext moves to the front, over the header: keep a copy of the
    // header for the AAD. The tag lies beyond the moved bytes.
    uint8_t header[kMaxHeaderSize];
    const size_t header_size = parsed->bytes.size();
    memcpy(header, parsed->bytes.data(), header_size);
    memmove(out.data(), parsed->payload.data(), n);
    ok = key.aead().Open(nonce.data(), {header, header_size}, metadata,
                         {out.data(), n}, tag, out.data());
  } else {
    ok = key.aead().Open(nonce.data(), parsed->bytes, metadata,
                         parsed->payload.first(n), tag, out.data());
  }
  if (!ok) {
    Zero(out);
    return DataLoss();
  }
  return out.first(n);
}

}  // namespace sframe
