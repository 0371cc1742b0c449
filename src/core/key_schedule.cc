// Copyright 2026 The sframecpp Authors.

#include "src/core/key_schedule.h"

#include <cstring>
#include <utility>

#include "src/crypto/hkdf.h"

namespace sframe {
namespace internal {
namespace {

constexpr char kKeyPrefix[] = "SFrame 1.0 Secret key ";    // trailing space
constexpr char kSaltPrefix[] = "SFrame 1.0 Secret salt ";  // trailing space

template <size_t N>
std::array<uint8_t, N> Label(const char* prefix, size_t prefix_len,
                             KeyId key_id, CipherSuite suite) {
  static_assert(N >= 10);
  std::array<uint8_t, N> label{};
  memcpy(label.data(), prefix, prefix_len);
  uint8_t* p = label.data() + prefix_len;
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<uint8_t>(key_id >> (56 - 8 * i));
  const uint16_t id = static_cast<uint16_t>(suite);
  p[8] = static_cast<uint8_t>(id >> 8);
  p[9] = static_cast<uint8_t>(id);
  return label;
}

}  // namespace

std::array<uint8_t, 32> SframeKeyLabel(KeyId key_id, CipherSuite suite) {
  static_assert(sizeof(kKeyPrefix) - 1 == 22);
  return Label<32>(kKeyPrefix, sizeof(kKeyPrefix) - 1, key_id, suite);
}

std::array<uint8_t, 33> SframeSaltLabel(KeyId key_id, CipherSuite suite) {
  static_assert(sizeof(kSaltPrefix) - 1 == 23);
  return Label<33>(kSaltPrefix, sizeof(kSaltPrefix) - 1, key_id, suite);
}

absl::StatusOr<DerivedKey> DeriveKeySalt(CipherSuite suite, KeyId key_id,
                                         absl::Span<const uint8_t> base_key) {
  if (base_key.empty()) {
    return absl::InvalidArgumentError("base_key must not be empty");
  }
  DerivedKey out(SecretBuffer(HashSize(suite)), SecretBuffer(KeySize(suite)));
  absl::Status s = HkdfExtract(suite, {}, base_key, out.sframe_secret.span());
  if (!s.ok()) return s;
  const auto key_label = SframeKeyLabel(key_id, suite);
  const auto salt_label = SframeSaltLabel(key_id, suite);
  s = HkdfExpand(suite, out.sframe_secret.span(), key_label,
                 out.sframe_key.span());
  if (!s.ok()) return s;
  s = HkdfExpand(suite, out.sframe_secret.span(), salt_label,
                 absl::MakeSpan(out.sframe_salt));
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::unique_ptr<KeyContext>> KeyContext::Create(
    CipherSuite suite, KeyId key_id, absl::Span<const uint8_t> base_key) {
  absl::StatusOr<DerivedKey> derived = DeriveKeySalt(suite, key_id, base_key);
  if (!derived.ok()) return derived.status();
  absl::StatusOr<std::unique_ptr<Aead>> aead =
      Aead::Create(suite, derived->sframe_key.span());
  if (!aead.ok()) return aead.status();
  // (`derived`'s destructor wipes its copies of the secrets and salt.)
  return std::unique_ptr<KeyContext>(
      new KeyContext(derived->sframe_salt, *std::move(aead)));
}

KeyContext::~KeyContext() {
  WipeSecret(salt_.data(), salt_.size());
  aead_.reset();
}

}  // namespace internal
}  // namespace sframe
