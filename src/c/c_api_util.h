// Copyright 2026 The sframecpp Authors.
//
// Shared helpers of the C API (src/c/): argument checks, span conversion and
// status mapping. Internal; not installed.

#ifndef SFRAME_SRC_C_C_API_UTIL_H_
#define SFRAME_SRC_C_C_API_UTIL_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sframe/c/sframe.h"
#include "sframe/cipher_suite.h"

namespace sframe {
namespace c_api {

// Runs `f` and returns its result. Guard is noexcept: should anything
// throw (only std::bad_alloc can, when creating or re-keying an object), the
// process terminates instead of unwinding into C frames, which is undefined
// behaviour. The library itself throws nothing.
template <typename F>
auto Guard(F f) noexcept -> decltype(f()) {
  return f();
}

// The C status of `status`: the numeric value of its absl::StatusCode (the
// SFRAME_* constants are checked against them in status.cc).
inline int ToC(const absl::Status& status) {
  return static_cast<int>(status.code());
}

// True if (data, size) is a valid C input: data may be NULL only if size is
// 0.
inline bool ValidInput(const void* data, size_t size) {
  return data != nullptr || size == 0;
}

inline absl::Span<const uint8_t> In(const uint8_t* data, size_t size) {
  return absl::Span<const uint8_t>(data, size);
}

inline absl::Span<uint8_t> Out(uint8_t* data, size_t size) {
  return absl::Span<uint8_t>(data, size);
}

// The suite with IANA id `suite`, or nullopt-like failure: returns false for
// an id this library does not implement.
inline bool SuiteFromC(int suite, CipherSuite* out) {
  if (suite < 0) return false;
  absl::StatusOr<CipherSuite> s =
      CipherSuiteFromId(static_cast<uint64_t>(suite));
  if (!s.ok()) return false;
  *out = *s;
  return true;
}

// Checks the common arguments of an encrypt/decrypt call and clears
// *out_len. Returns SFRAME_OK or SFRAME_INVALID_ARGUMENT.
inline int CheckFrameArgs(const void* handle, const uint8_t* metadata,
                          size_t metadata_len, const uint8_t* in, size_t in_len,
                          const uint8_t* out, size_t out_capacity,
                          size_t* out_len) {
  if (out_len == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out_len = 0;
  if (handle == nullptr || !ValidInput(metadata, metadata_len) ||
      !ValidInput(in, in_len) || !ValidInput(out, out_capacity)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return SFRAME_OK;
}

// Stores the written length of a successful per-frame call, or 0.
inline int FinishFrame(const absl::StatusOr<absl::Span<uint8_t>>& result,
                       size_t* out_len) {
  if (!result.ok()) return ToC(result.status());
  *out_len = result->size();
  return SFRAME_OK;
}

}  // namespace c_api
}  // namespace sframe

#endif  // SFRAME_SRC_C_C_API_UTIL_H_
