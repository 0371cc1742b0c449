// Copyright 2026 The sframecpp Authors.
//
// Per-SSRC base keys (draft-ietf-avtcore-rtp-sframe-02, "SFrame 1.0 RTP
// Stream"). No published vectors: tests/data/sframe-ssrc-vectors.json holds
// ours, computed independently by tools/gen_ssrc_vectors.py.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "sframe/media.h"
#include "src/crypto/hkdf.h"
#include "src/crypto/secret.h"

namespace sframe {

absl::Status DeriveSsrcBaseKey(CipherSuite suite,
                               absl::Span<const uint8_t> base_key,
                               uint32_t ssrc, absl::Span<uint8_t> out) {
  const size_t nh = HashSize(suite);
  if (!CipherSuiteFromId(static_cast<uint16_t>(suite)).ok() ||
      base_key.empty() || out.size() != nh) {
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  const uint8_t salt[4] = {
      static_cast<uint8_t>(ssrc >> 24), static_cast<uint8_t>(ssrc >> 16),
      static_cast<uint8_t>(ssrc >> 8), static_cast<uint8_t>(ssrc)};
  // Extract reads all of base_key before out is written, so any overlap of
  // the two is safe. The PRK is wiped.
  uint8_t prk[64];
  absl::Status s = internal::HkdfExtract(suite, salt, base_key, {prk, nh});
  if (s.ok()) {
    s = internal::HkdfExpand(suite, {prk, nh},
                             {reinterpret_cast<const uint8_t*>(kSsrcKeyLabel),
                              sizeof(kSsrcKeyLabel) - 1},
                             out);
  }
  internal::WipeSecret(prk, sizeof(prk));
  if (!s.ok()) {
    internal::WipeSecret(out.data(), out.size());
    return absl::Status(absl::StatusCode::kInternal, "");
  }
  return absl::OkStatus();
}

}  // namespace sframe
