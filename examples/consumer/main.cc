// Copyright 2026 The sframecpp Authors.
//
// Encrypts and decrypts one frame through an installed sframecpp.

#include <cstdio>
#include <cstring>
#include <vector>

#include "sframe/sframe.h"

int main() {
  const auto suite = sframe::CipherSuite::kAes128GcmSha256_128;
  const std::vector<uint8_t> base_key(16, 0x42);
  const char text[] = "hello, sframe";
  const std::vector<uint8_t> frame(text, text + sizeof(text));

  auto enc = sframe::Encryptor::Create(suite, 1, base_key);
  auto dec = sframe::Decryptor::Create(suite);
  if (!enc.ok() || !dec.ok() || !dec->AddKey(1, base_key).ok()) return 1;
  std::vector<uint8_t> wire(enc->CiphertextSize(frame.size()));
  auto ct = enc->Encrypt({}, frame, absl::MakeSpan(wire));
  if (!ct.ok()) return 1;
  std::vector<uint8_t> out(ct->size());
  auto pt = dec->Decrypt({}, *ct, absl::MakeSpan(out));
  if (!pt.ok() || pt->size() != frame.size() ||
      memcmp(pt->data(), frame.data(), frame.size()) != 0) {
    std::puts("consumer: round trip FAILED");
    return 1;
  }
  std::printf("consumer: %zu-byte frame -> %zu-byte SFrame -> decrypted OK\n",
              frame.size(), ct->size());
  return 0;
}
