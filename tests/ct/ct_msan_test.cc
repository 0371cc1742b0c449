// Copyright 2026 The sframecpp Authors.
//
// Constant-time check of our VAES kernels with MemorySanitizer.
//
// valgrind cannot execute VAES, so this binary is built with clang
// -fsanitize=memory. The key and the plaintext are poisoned with
// __msan_poison before each call: any branch or memory index that depends
// on them (or on anything derived from them: round keys, H powers, keystream,
// the computed tag) makes MSan report and exit non-zero. (The expanded key is
// poisoned after the expansion; see CheckKernel.) Outputs that are
// public by design (the ciphertext, the tag once sent) are unpoisoned by the
// test; the accept/reject bit is declassified inside the kernel
// (src/crypto/constant_time.h).
//
// It uses no C++ library (only libc), so no uninstrumented libstdc++ code
// runs. Built twice: normally (must pass) and with SFRAME_CT_SELFTEST, which
// adds a deliberate branch on the computed tag (must be reported: a test of
// the test).

#include <sanitizer/msan_interface.h>

#include <cstdio>
#include <cstring>
#include <initializer_list>

#include "src/crypto/aes_gcm_kernel.h"

namespace {

using sframe::internal::GcmBatchItem;
using sframe::internal::GcmKernel;
using sframe::internal::GcmKernelKey;
using sframe::internal::GcmMixedKeys;
using sframe::internal::SetGcmMixedKeysForTesting;

constexpr size_t kMaxLen = 4096 + 77;
uint8_t g_pt[kMaxLen], g_ct[kMaxLen], g_back[kMaxLen];
GcmKernelKey g_key;

void Fill(uint8_t* p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i * 131 + seed);
}

int CheckKernel(const GcmKernel* kernel, size_t key_len) {
  const size_t lengths[] = {0,   1,   15,  16,   17,   31,   63,     64,
                            65,  100, 127, 128,  200,  255,  256,    257,
                            511, 512, 777, 1024, 1500, 4096, kMaxLen};
  uint8_t key[32], nonce[12], aad[40], tag[16];
  Fill(nonce, sizeof(nonce), 3);
  Fill(aad, sizeof(aad), 4);
  int runs = 0;
  for (size_t len : lengths) {
    Fill(key, sizeof(key), static_cast<unsigned>(len));
    // clang 14's MSan does not model AESKEYGENASSIST (it reports any
    // poisoned operand), so the expansion runs on clean bytes and its whole
    // output (round keys, H and its powers) is poisoned instead. The
    // expansion itself is straight-line code: no branch, no table.
    kernel->init(&g_key, key, key_len);
    __msan_poison(&g_key, sizeof(g_key));
    // ... except the round count, which is public (aes_gcm_kernel.h).
    __msan_unpoison(g_key.bytes + sframe::internal::kGcmKernelKeyPublicOffset,
                    sframe::internal::kGcmKernelKeyPublicSize);
    __msan_poison(key, sizeof(key));
    Fill(g_pt, len, 5);
    __msan_poison(g_pt, len);
    // AAD split across both spans, as SFrame's header || metadata.
    kernel->seal(&g_key, nonce, aad, 5, aad + 5, len % 35, g_pt, len, g_ct,
                 tag);
#if defined(SFRAME_CT_SELFTEST)
    // Deliberately leaky: a branch on the tag before it is declassified. The
    // tag is derived from the poisoned key and plaintext only through the
    // kernel's VAES/VPCLMULQDQ code, so a report here shows the poison is
    // carried through the kernel and that a secret-dependent branch is
    // caught.
    if (tag[0] & 1) std::puts("odd tag byte");
#endif
    // The ciphertext and the tag go on the wire: public.
    __msan_unpoison(g_ct, len);
    __msan_unpoison(tag, sizeof(tag));
    // Open: accept, then reject a forged tag (output zeroed either way
    // without a secret-dependent branch).
    const bool ok = kernel->open(&g_key, nonce, aad, 5, aad + 5, len % 35, g_ct,
                                 len, tag, g_back);
    tag[len % 16] ^= 1;
    const bool forged = kernel->open(&g_key, nonce, aad, 5, aad + 5, len % 35,
                                     g_ct, len, tag, g_back);
    if (!ok || forged) {
      std::printf("FAIL: %s len %zu: open ok=%d forged=%d\n", kernel->name, len,
                  ok, forged);
      return -1;
    }
    // The AES-CTR entry point (suites 1-3 use it with SHA-NI HMAC).
    uint8_t cb[16] = {0};
    std::memcpy(cb, nonce, sizeof(nonce));
    kernel->ctr32(&g_key, cb, g_pt, len, g_back);
    // In place.
    std::memcpy(g_back, g_pt, len);
    kernel->seal(&g_key, nonce, nullptr, 0, aad, 17, g_back, len, g_back, tag);
    ++runs;
  }
  // The batch entry points. 13 frames: a group of one key and one shape
  // (broadcast powers, 0..3), a group of one key and mixed lengths and AAD
  // sizes (gathered powers, 4..7), two keys with one frame each in a
  // vector-count class (8, 9 of 105..128 bytes and 10, 11 of 40..64 bytes
  // on either kernel): a mixed-key group each, or single calls; plus a
  // frame too long for lanes.
  static GcmKernelKey other_key;
  uint8_t other_raw[32];
  Fill(other_raw, sizeof(other_raw), 9);
  kernel->init(&other_key, other_raw, key_len);
  __msan_poison(&other_key, sizeof(other_key));
  __msan_unpoison(other_key.bytes + sframe::internal::kGcmKernelKeyPublicOffset,
                  sframe::internal::kGcmKernelKeyPublicSize);
  constexpr int kItems = 13;
  GcmBatchItem items[kItems];
  uint8_t tags[kItems][16];
  // Frames without partners of their key in mixed-key groups, then in
  // single calls (sframe::internal::GcmMixedKeyGroups).
  for (GcmMixedKeys mode : {GcmMixedKeys::kGroups, GcmMixedKeys::kSingles}) {
    SetGcmMixedKeysForTesting(mode);
    for (int i = 0; i < kItems; ++i) {
      const size_t len = i < 4                ? 112
                         : i == 10 || i == 11 ? 5 * i - 10
                                              : 65 + 5 * i;
      const size_t aad_len = i < 4 ? 3 : static_cast<size_t>(i % 5);
      items[i] = GcmBatchItem{(i >= 8 && i % 2 == 1) ? &other_key : &g_key,
                              nonce,
                              aad,
                              aad_len,
                              nullptr,
                              0,
                              g_pt + 128 * i,
                              i == 12 ? 300 : len,
                              g_ct + 320 * i,
                              tags[i]};
    }
    if (kernel->seal_batch != nullptr) {
      kernel->seal_batch(items, kItems);
      // Ciphertexts and tags are public; open them back, one forged.
      for (int i = 0; i < kItems; ++i) {
        __msan_unpoison(g_ct + 320 * i, items[i].len);
        __msan_unpoison(tags[i], 16);
        items[i].in = g_ct + 320 * i;
        items[i].out = g_back + 320 * i;
      }
      tags[5][0] ^= 1;
      uint8_t ok[kItems];
      kernel->open_batch(items, kItems, ok);
      for (int i = 0; i < kItems; ++i) {
        // ok[] is the public accept bit.
        if (ok[i] != (i == 5 ? 0 : 1)) {
          std::printf("FAIL: %s batch item %d ok=%d\n", kernel->name, i, ok[i]);
          return -1;
        }
      }
      // Items 0..3 alone are a uniform call (one key, one shape): the
      // kernel's fast path for those, straight to the one-shape group.
      for (int i = 0; i < 4; ++i) {
        items[i].in = g_pt + 128 * i;
        items[i].out = g_ct + 320 * i;
      }
      kernel->seal_batch(items, 4);
      for (int i = 0; i < 4; ++i) {
        __msan_unpoison(g_ct + 320 * i, items[i].len);
        __msan_unpoison(tags[i], 16);
        items[i].in = g_ct + 320 * i;
        items[i].out = g_back + 320 * i;
      }
      tags[2][7] ^= 1;
      kernel->open_batch(items, 4, ok);
      for (int i = 0; i < 4; ++i) {
        if (ok[i] != (i == 2 ? 0 : 1)) {
          std::printf("FAIL: %s uniform batch item %d ok=%d\n", kernel->name, i,
                      ok[i]);
          return -1;
        }
      }
    }
  }
  SetGcmMixedKeysForTesting(GcmMixedKeys::kAuto);
  return runs + 1;
}

}  // namespace

int main() {
  struct Entry {
    const GcmKernel* kernel;
    const char* name;
  } kernels[] = {{sframe::internal::GcmKernelVaesAvx512(), "vaes_avx512"},
                 {sframe::internal::GcmKernelVaesAvx2(), "vaes_avx2"}};
  int checked = 0;
  for (const Entry& e : kernels) {
    if (e.kernel == nullptr) {
      std::printf("%s: not supported on this CPU, not checked\n", e.name);
      continue;
    }
    for (size_t key_len = 16; key_len <= 32; key_len += 16) {
      const int runs = CheckKernel(e.kernel, key_len);
      if (runs < 0) return 1;
      std::printf("%s AES-%zu: %d poisoned runs, no report\n", e.name,
                  key_len * 8, runs);
      ++checked;
    }
  }
  if (checked == 0) {
    std::puts("no kernel runs on this CPU: nothing was checked");
    return 1;
  }
  return 0;
}
