// Copyright 2026 The sframecpp Authors.

#include "tools/sframe/hex.h"

#include "absl/strings/numbers.h"

namespace sframe {
namespace tools {
namespace {
int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string ToHex(absl::Span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<std::vector<uint8_t>> FromHex(absl::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = Nibble(hex[2 * i]);
    const int lo = Nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::optional<uint64_t> ParseU64(absl::string_view text) {
  if (text.empty() || text[0] == '-' || text[0] == '+') return std::nullopt;
  uint64_t v = 0;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    // Hex digits only: SimpleHexAtoi alone would also take spaces, a sign or
    // a second "0x".
    const absl::string_view digits = text.substr(2);
    for (char c : digits) {
      if (Nibble(c) < 0) return std::nullopt;
    }
    if (!absl::SimpleHexAtoi(digits, &v)) return std::nullopt;  // > 2^64 - 1
    return v;
  }
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (!absl::SimpleAtoi(text, &v)) return std::nullopt;
  return v;
}

}  // namespace tools
}  // namespace sframe
