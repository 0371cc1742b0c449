// Copyright 2026 The sframecpp Authors.

#include "src/crypto/secret.h"

#include <openssl/mem.h>

#include <utility>

namespace sframe {
namespace internal {
namespace {
WipeObserver g_wipe_observer = nullptr;
}  // namespace

void WipeSecret(void* p, size_t size) {
  if (p == nullptr || size == 0) return;
  OPENSSL_cleanse(p, size);
  if (g_wipe_observer != nullptr) g_wipe_observer(p, size);
}

void SetWipeObserverForTesting(WipeObserver observer) {
  g_wipe_observer = observer;
}

SecretBuffer::SecretBuffer(size_t size)
    : data_(new uint8_t[size]()), size_(size) {}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
  if (this != &other) {
    Reset();
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBuffer::~SecretBuffer() { Reset(); }

void SecretBuffer::Reset() {
  WipeSecret(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

}  // namespace internal
}  // namespace sframe
