// Copyright 2026 The sframecpp Authors.
//
// Hex and integer parsing for the CLI and the vector checker.

#ifndef SFRAME_TOOLS_SFRAME_HEX_H_
#define SFRAME_TOOLS_SFRAME_HEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sframe {
namespace tools {

// Lowercase hex of `bytes`.
std::string ToHex(absl::Span<const uint8_t> bytes);

// Parses hex (either case, even length, no separators). nullopt if invalid.
std::optional<std::vector<uint8_t>> FromHex(absl::string_view hex);

// Parses a decimal (or 0x-prefixed hex) unsigned 64-bit integer with no sign
// and no trailing characters. nullopt if invalid or out of range.
std::optional<uint64_t> ParseU64(absl::string_view text);

}  // namespace tools
}  // namespace sframe

#endif  // SFRAME_TOOLS_SFRAME_HEX_H_
