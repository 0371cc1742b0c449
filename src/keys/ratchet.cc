// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §5.1 (ratchet, sender-key KIDs) and §5.2 (MLS KIDs).

#include "src/keys/ratchet.h"

#include <atomic>
#include <cstring>

#include "src/crypto/hkdf.h"
#include "src/crypto/secret.h"

namespace sframe {
namespace internal {
namespace {

std::atomic<uint64_t> g_ratchet_derivations{0};

// "SFrame 1.0 Ratchet": 18 bytes, no trailing space (RFC 9605 §5.1).
constexpr char kRatchetLabel[] = "SFrame 1.0 Ratchet";
static_assert(sizeof(kRatchetLabel) - 1 == 18);

}  // namespace

uint64_t RatchetDerivationsForTesting() {
  return g_ratchet_derivations.load(std::memory_order_relaxed);
}

}  // namespace internal

absl::StatusOr<KeyId> SenderKeyId(int ratchet_bits, uint64_t generation,
                                  uint64_t step) {
  if (ratchet_bits < 0 || ratchet_bits > 63) {
    return absl::InvalidArgumentError("ratchet_bits must be in [0, 63]");
  }
  if (ratchet_bits > 0 && generation >> (64 - ratchet_bits) != 0) {
    return absl::InvalidArgumentError(
        "the generation does not fit in 64 - ratchet_bits bits");
  }
  const uint64_t mask = (uint64_t{1} << ratchet_bits) - 1;
  return (generation << ratchet_bits) | (step & mask);
}

namespace {

absl::Status CheckLayout(const MlsKeyIdLayout& layout) {
  // (E + S is not computed: it could overflow an int.)
  if (layout.epoch_bits < 0 || layout.sender_bits < 0 ||
      layout.epoch_bits > 64 || layout.sender_bits > 64 - layout.epoch_bits) {
    return absl::InvalidArgumentError(
        "MLS layout needs E >= 0, S >= 0 and E + S <= 64");
  }
  return absl::OkStatus();
}

// The low `bits` bits of all ones; `bits` in [0, 64].
uint64_t LowMask(int bits) {
  return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
}

// x << bits, 0 when bits == 64 (the caller checked that nothing is lost).
uint64_t ShiftLeft(uint64_t x, int bits) { return bits >= 64 ? 0 : x << bits; }
uint64_t ShiftRight(uint64_t x, int bits) { return bits >= 64 ? 0 : x >> bits; }

}  // namespace

absl::StatusOr<KeyId> MlsKeyId(const MlsKeyIdLayout& layout, uint64_t epoch,
                               uint64_t sender_index, uint64_t context) {
  if (absl::Status s = CheckLayout(layout); !s.ok()) return s;
  const int e = layout.epoch_bits;
  const int se = layout.epoch_bits + layout.sender_bits;
  if ((sender_index & ~LowMask(layout.sender_bits)) != 0) {
    return absl::InvalidArgumentError("sender_index does not fit in S bits");
  }
  if ((context & ~LowMask(64 - se)) != 0) {
    return absl::InvalidArgumentError(
        "context does not fit in 64 - S - E bits");
  }
  return ShiftLeft(context, se) | ShiftLeft(sender_index, e) |
         (epoch & LowMask(e));
}

absl::StatusOr<MlsKeyIdParts> ParseMlsKeyId(const MlsKeyIdLayout& layout,
                                            KeyId key_id) {
  if (absl::Status s = CheckLayout(layout); !s.ok()) return s;
  const int e = layout.epoch_bits;
  const int se = layout.epoch_bits + layout.sender_bits;
  MlsKeyIdParts parts;
  parts.epoch_low_bits = key_id & LowMask(e);
  parts.sender_index = ShiftRight(key_id, e) & LowMask(layout.sender_bits);
  parts.context = ShiftRight(key_id, se);
  return parts;
}

absl::Status RatchetBaseKey(CipherSuite suite,
                            absl::Span<const uint8_t> base_key,
                            absl::Span<uint8_t> out) {
  const size_t nh = HashSize(suite);
  if (!CipherSuiteFromId(static_cast<uint16_t>(suite)).ok() ||
      base_key.empty() || out.size() != nh) {
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  const auto a = reinterpret_cast<uintptr_t>(base_key.data());
  const auto b = reinterpret_cast<uintptr_t>(out.data());
  if (a != b && a < b + out.size() && b < a + base_key.size()) {
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  // The PRK lives on the stack and is wiped; extracting first makes
  // in-place operation safe.
  uint8_t prk[64];
  absl::Status s = internal::HkdfExtract(suite, {}, base_key, {prk, nh});
  if (s.ok()) {
    s = internal::HkdfExpand(
        suite, {prk, nh},
        {reinterpret_cast<const uint8_t*>(internal::kRatchetLabel),
         sizeof(internal::kRatchetLabel) - 1},
        out);
  }
  internal::WipeSecret(prk, sizeof(prk));
  if (!s.ok()) {
    internal::WipeSecret(out.data(), out.size());
    return absl::Status(absl::StatusCode::kInternal, "");
  }
  internal::g_ratchet_derivations.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

}  // namespace sframe
