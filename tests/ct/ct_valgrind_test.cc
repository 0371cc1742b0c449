// Copyright 2026 The sframecpp Authors.
//
// Constant-time check of the portable paths with valgrind memcheck (the
// technique BoringSSL uses for its own checks): secrets are marked undefined
// with VALGRIND_MAKE_MEM_UNDEFINED, and memcheck reports any conditional
// jump or memory address that depends on them. Run under
// `valgrind --error-exitcode=1` by ctest; outside valgrind it just runs.
//
// Covered: the key schedule (HKDF over a secret base_key), key setup, and
// encrypt/decrypt through the public API for every suite on the BoringSSL
// implementations (EVP GCM, AES-CTR + HMAC), which valgrind can execute
// (it cannot execute our VAES kernels: tests/ct/ct_msan_test.cc covers
// those); the header parser with a secret payload; the replay window.
// The library declassifies exactly one value: the accept/reject bit of a
// tag check (src/crypto/constant_time.h).
//
// `ct_valgrind_test --leak` adds a deliberate branch on a decrypted
// plaintext byte and must be reported: a test of the test.

#include <valgrind/memcheck.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "sframe/header.h"
#include "sframe/sframe.h"
#include "src/crypto/aead.h"

namespace {

using namespace sframe;

void Secret(const void* p, size_t n) { VALGRIND_MAKE_MEM_UNDEFINED(p, n); }
void Public(const void* p, size_t n) { VALGRIND_MAKE_MEM_DEFINED(p, n); }

int failures = 0;
void Expect(bool ok, const char* what, CipherSuite suite, size_t len) {
  if (!ok) {
    std::printf("FAIL %s suite %d len %zu\n", what, static_cast<int>(suite),
                len);
    ++failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool leak = argc > 1 && std::strcmp(argv[1], "--leak") == 0;
  internal::SetDefaultAeadImplementationForTesting(
      internal::AeadImplementation::kBoringSsl);
  const uint8_t metadata[3] = {1, 2, 3};
  for (CipherSuite suite : kAllCipherSuites) {
    for (size_t len : {size_t{0}, size_t{1}, size_t{16}, size_t{33},
                       size_t{160}, size_t{1200}}) {
      std::vector<uint8_t> base_key(32, 0x5c);
      Secret(base_key.data(), base_key.size());
      auto enc = Encryptor::Create(suite, 0x123, base_key);
      auto dec = Decryptor::Create(suite);
      Expect(enc.ok() && dec.ok(), "create", suite, len);
      if (!enc.ok() || !dec.ok()) continue;
      Expect(dec->AddKey(0x123, base_key).ok(), "add key", suite, len);

      std::vector<uint8_t> pt(len, 0xa7);
      Secret(pt.data(), pt.size());
      std::vector<uint8_t> ct(MaxCiphertextSize(suite, len));
      auto sealed = enc->Encrypt(metadata, pt, absl::MakeSpan(ct));
      Expect(sealed.ok(), "encrypt", suite, len);
      if (!sealed.ok()) continue;
      // The frame goes on the wire: public from here on.
      Public(sealed->data(), sealed->size());

      // The header parser never looks at the (secret-derived) payload.
      std::vector<uint8_t> frame(sealed->begin(), sealed->end());
      auto parsed = ParseHeader(frame);
      Expect(parsed.ok(), "parse", suite, len);
      if (parsed.ok()) {
        Secret(frame.data() + parsed->bytes.size(),
               frame.size() - parsed->bytes.size());
        Expect(ParseHeader(frame).ok(), "parse secret payload", suite, len);
      }

      std::vector<uint8_t> out(sealed->size());
      auto opened = dec->Decrypt(metadata, *sealed, absl::MakeSpan(out));
      Expect(opened.ok(), "decrypt", suite, len);
      if (leak && opened.ok() && !opened->empty() && ((*opened)[0] & 1)) {
        std::puts("odd plaintext byte");  // deliberately secret-dependent
      }
      // A forged frame: rejected, output zeroed, nothing branches on secrets.
      std::vector<uint8_t> forged(sealed->begin(), sealed->end());
      forged.back() ^= 1;
      auto rejected = dec->Decrypt(metadata, forged, absl::MakeSpan(out));
      Expect(!rejected.ok(), "forgery rejected", suite, len);
      // A replay of the valid frame.
      Expect(!dec->Decrypt(metadata, *sealed, absl::MakeSpan(out)).ok(),
             "replay rejected", suite, len);
      if (opened.ok()) {
        Public(out.data(), out.size());
      }
    }
  }
  std::printf("%s: %d failures\n",
              RUNNING_ON_VALGRIND ? "under valgrind" : "not under valgrind",
              failures);
  return failures == 0 ? 0 : 1;
}
