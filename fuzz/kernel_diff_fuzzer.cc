// Copyright 2026 The sframecpp Authors.
//
// Differential AES-GCM: every implementation this CPU runs (our VAES kernels
// and the BoringSSL EVP_CIPHER fallback) against BoringSSL's EVP_AEAD, with
// fuzzed key size, key, nonce, AAD split, plaintext, alignment and in-place
// use. Also: open accepts the result and rejects a flipped bit with a zeroed
// output.

#include <openssl/aead.h>

#include <cstring>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "src/crypto/aead.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sframe;
  using internal::Aead;
  using internal::AeadImplementation;
  fuzz::Reader in(data, size);
  const uint8_t flags = in.Byte();
  const CipherSuite suite = (flags & 1) ? CipherSuite::kAes256GcmSha512_128
                                        : CipherSuite::kAes128GcmSha256_128;
  const bool in_place = flags & 2;
  const size_t align = in.Byte() % 64;
  uint8_t key[32] = {0}, nonce[12] = {0};
  absl::Span<const uint8_t> k = in.Bytes(KeySize(suite));
  memcpy(key, k.data(), k.size());
  absl::Span<const uint8_t> n = in.Bytes(12);
  memcpy(nonce, n.data(), n.size());
  absl::Span<const uint8_t> aad1 = in.Bytes(in.Byte() % 18);
  absl::Span<const uint8_t> aad2 = in.Bytes(in.Byte() * 3);
  absl::Span<const uint8_t> pt = in.Rest();

  // The oracle: EVP_AEAD over the concatenated AAD.
  std::vector<uint8_t> aad(aad1.begin(), aad1.end());
  aad.insert(aad.end(), aad2.begin(), aad2.end());
  EVP_AEAD_CTX ctx;
  SFRAME_FUZZ_CHECK(EVP_AEAD_CTX_init(
      &ctx,
      KeySize(suite) == 16 ? EVP_aead_aes_128_gcm() : EVP_aead_aes_256_gcm(),
      key, KeySize(suite), 16, nullptr));
  std::vector<uint8_t> expected(pt.size() + 16);
  size_t len = 0;
  SFRAME_FUZZ_CHECK(EVP_AEAD_CTX_seal(&ctx, expected.data(), &len,
                                      expected.size(), nonce, 12, pt.data(),
                                      pt.size(), aad.data(), aad.size()));
  EVP_AEAD_CTX_cleanup(&ctx);

  for (AeadImplementation impl : fuzz::RunnableAeadImplementations()) {
    absl::StatusOr<std::unique_ptr<Aead>> aead =
        Aead::Create(suite, absl::MakeConstSpan(key, KeySize(suite)), impl);
    SFRAME_FUZZ_CHECK(aead.ok());
    std::vector<uint8_t> buf(align + pt.size() + 16 + 64, 0xcd);
    uint8_t* out = buf.data() + align;
    uint8_t tag[16];
    absl::Span<const uint8_t> src = pt;
    if (in_place) {
      if (!pt.empty()) memcpy(out, pt.data(), pt.size());
      src = absl::MakeConstSpan(out, pt.size());
    }
    SFRAME_FUZZ_CHECK((*aead)->Seal(nonce, aad1, aad2, src, out, tag));
    SFRAME_FUZZ_CHECK(pt.empty() ||
                      memcmp(out, expected.data(), pt.size()) == 0);
    SFRAME_FUZZ_CHECK(memcmp(tag, expected.data() + pt.size(), 16) == 0);
    for (size_t i = align + pt.size(); i < buf.size(); ++i) {
      SFRAME_FUZZ_CHECK(buf[i] == 0xcd);
    }
    // Open in place: back to the plaintext.
    SFRAME_FUZZ_CHECK((*aead)->Open(
        nonce, aad1, aad2, absl::MakeConstSpan(out, pt.size()), tag, out));
    SFRAME_FUZZ_CHECK(pt.empty() || memcmp(out, pt.data(), pt.size()) == 0);
    // A flipped tag bit is rejected and the output zeroed.
    memcpy(out, expected.data(), pt.size());
    tag[flags % 16] ^= static_cast<uint8_t>(1u << (flags % 8));
    std::vector<uint8_t> plain(pt.size() + 1, 0x77);
    SFRAME_FUZZ_CHECK(!(*aead)->Open(nonce, aad1, aad2,
                                     absl::MakeConstSpan(out, pt.size()), tag,
                                     plain.data()));
    SFRAME_FUZZ_CHECK(
        fuzz::AllZero(absl::MakeConstSpan(plain).first(pt.size())));
    SFRAME_FUZZ_CHECK(plain[pt.size()] == 0x77);
  }
  return 0;
}
