// Copyright 2026 The sframecpp Authors.
//
// Wiping of key material (DESIGN.md §6, invariant 5).

#ifndef SFRAME_SRC_CRYPTO_SECRET_H_
#define SFRAME_SRC_CRYPTO_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"

namespace sframe {
namespace internal {

// Overwrites `size` bytes at `p` with zeros in a way the compiler cannot
// elide (OPENSSL_cleanse). Every owner of key material calls it from its
// destructor.
void WipeSecret(void* p, size_t size);

// Test hook: when set, called by WipeSecret after the bytes were wiped and
// before the memory is released, so a test can verify that they are zero.
// Not thread-safe; tests only.
using WipeObserver = void (*)(const void* p, size_t size);
void SetWipeObserverForTesting(WipeObserver observer);

// A heap buffer of secret bytes with a stable address, wiped on destruction.
// Move-only.
class SecretBuffer {
 public:
  SecretBuffer() = default;
  explicit SecretBuffer(size_t size);
  SecretBuffer(SecretBuffer&& other) noexcept;
  SecretBuffer& operator=(SecretBuffer&& other) noexcept;
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  ~SecretBuffer();

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  absl::Span<uint8_t> span() { return {data_.get(), size_}; }
  absl::Span<const uint8_t> span() const { return {data_.get(), size_}; }

 private:
  void Reset();

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_SECRET_H_
