// Copyright 2026 The sframecpp Authors.
//
// A sender and a receiver exchange a stream of media-sized frames under every
// cipher suite. Every 50th frame is tampered with on the way and must be
// rejected; every other frame must decrypt to exactly what was sent. Prints a
// table and exits non-zero if anything is wrong.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "sframe/cipher_suite.h"
#include "sframe/sframe.h"

namespace {

struct Row {
  int frames = 0, delivered = 0, rejected = 0, wrong = 0;
  size_t plaintext_bytes = 0, ciphertext_bytes = 0;
  double encrypt_ns = 0, decrypt_ns = 0;
};

Row Run(sframe::CipherSuite suite, int frames) {
  using Clock = std::chrono::steady_clock;
  std::mt19937_64 rng(7);
  std::vector<uint8_t> base_key(32);
  for (auto& b : base_key) b = static_cast<uint8_t>(rng());
  const sframe::KeyId kid = 42;
  auto enc = sframe::Encryptor::Create(suite, kid, base_key);
  auto dec = sframe::Decryptor::Create(suite);
  if (!enc.ok() || !dec.ok() || !dec->AddKey(kid, base_key).ok()) {
    std::fprintf(stderr, "key setup failed\n");
    return Row{frames, 0, 0, frames};
  }
  Row row;
  std::vector<uint8_t> frame, ct, pt;
  const uint8_t metadata[] = {0x01, 0x02};
  for (int i = 0; i < frames; ++i) {
    // Audio-sized (Opus, 20 ms) frames, with a video frame every 3rd and a
    // large key frame every 100th.
    size_t size = 60 + rng() % 120;
    if (i % 3 == 0) size = 800 + rng() % 4000;
    if (i % 100 == 0) size = 20000 + rng() % 20000;
    frame.resize(size);
    for (auto& b : frame) b = static_cast<uint8_t>(rng());
    ct.resize(enc->CiphertextSize(size));
    pt.resize(ct.size());

    auto t0 = Clock::now();
    auto sealed = enc->Encrypt(metadata, frame, absl::MakeSpan(ct));
    auto t1 = Clock::now();
    if (!sealed.ok()) {
      ++row.wrong;
      continue;
    }
    const bool tamper = i % 50 == 49;
    if (tamper) (*sealed)[sealed->size() / 2] ^= 0x20;
    auto t2 = Clock::now();
    auto opened = dec->Decrypt(metadata, *sealed, absl::MakeSpan(pt));
    auto t3 = Clock::now();

    ++row.frames;
    row.plaintext_bytes += size;
    row.ciphertext_bytes += sealed->size();
    row.encrypt_ns += std::chrono::duration<double, std::nano>(t1 - t0).count();
    row.decrypt_ns += std::chrono::duration<double, std::nano>(t3 - t2).count();
    if (tamper) {
      opened.ok() ? ++row.wrong : ++row.rejected;
    } else if (!opened.ok() || !std::equal(opened->begin(), opened->end(),
                                           frame.begin(), frame.end())) {
      ++row.wrong;
    } else {
      ++row.delivered;
    }
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 3000;
  if (argc > 1) {
    // 1 to 10^7 frames per suite; anything else is a usage error.
    char* end = nullptr;
    const long n = std::strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || n < 1 || n > 10000000) {
      std::fprintf(stderr, "usage: stream_demo [FRAMES (1-10000000)]\n");
      return 2;
    }
    frames = static_cast<int>(n);
  }
  std::printf(
      "SFrame stream demo: %d frames per suite (audio, video, key "
      "frames), every 50th tampered in transit\n\n",
      frames);
  std::printf("%-28s %8s %9s %8s %7s %9s %11s %11s\n", "suite", "frames",
              "delivered", "rejected", "errors", "overhead", "enc ns/frm",
              "dec ns/frm");
  int errors = 0;
  for (sframe::CipherSuite suite : sframe::kAllCipherSuites) {
    const Row r = Run(suite, frames);
    const double overhead = r.plaintext_bytes == 0
                                ? 0
                                : 100.0 *
                                      (r.ciphertext_bytes - r.plaintext_bytes) /
                                      r.plaintext_bytes;
    std::printf("%-28s %8d %9d %8d %7d %8.2f%% %11.0f %11.0f\n",
                std::string(sframe::CipherSuiteName(suite)).c_str(), r.frames,
                r.delivered, r.rejected, r.wrong, overhead,
                r.frames ? r.encrypt_ns / r.frames : 0,
                r.frames ? r.decrypt_ns / r.frames : 0);
    const int expected_rejects = frames / 50;
    if (r.wrong != 0 || r.rejected != expected_rejects ||
        r.delivered != frames - expected_rejects) {
      ++errors;
    }
  }
  if (errors != 0) {
    std::printf("\nFAILED: %d suites misbehaved\n", errors);
    return 1;
  }
  std::printf("\nall frames delivered intact; every tampered frame rejected\n");
  return 0;
}
