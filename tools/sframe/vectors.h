// Copyright 2026 The sframecpp Authors.
//
// Verification of test-vector files in the official SFrame JSON schema
// (tests/data/README.md). Shared by the `sframe vectors` command and tests.

#ifndef SFRAME_TOOLS_SFRAME_VECTORS_H_
#define SFRAME_TOOLS_SFRAME_VECTORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sframe {
namespace tools {

struct SectionResult {
  std::string name;
  int passed = 0;
  int failed = 0;
  bool known = true;  // false: the section was reported and not checked
  std::vector<std::string> failures;  // one line per failed case
};

struct FileResult {
  std::vector<SectionResult> sections;
  int passed() const;
  int failed() const;
};

// Verifies every known section of a JSON document. kInvalidArgument if the
// text is not JSON of the expected shape (a malformed file).
absl::StatusOr<FileResult> VerifyVectors(absl::string_view json_text);

}  // namespace tools
}  // namespace sframe

#endif  // SFRAME_TOOLS_SFRAME_VECTORS_H_
