/* Copyright 2026 The sframecpp Authors.
 *
 * The C API from plain C11: a sender and a receiver exchange frames, first
 * with a single key (sframe_encryptor / sframe_decryptor), then with sender
 * keys (ratchet, rekey) and MLS epochs. Tampered and replayed frames must be
 * rejected with the right status. Exits non-zero on any surprise.
 *
 * Built with -std=c11 -Wall -Wextra -Werror; run by ctest (c_example). */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sframe/c/sframe.h"

static int failures = 0;

#define FRAME_CAP 1500

static void Expect(int got, int want, const char* what) {
  if (got != want) {
    fprintf(stderr, "FAIL %s: got %d (%s), want %d (%s)\n", what, got,
            sframe_status_string(got), want, sframe_status_string(want));
    ++failures;
  }
}

static void ExpectTrue(int cond, const char* what) {
  if (!cond) {
    fprintf(stderr, "FAIL %s\n", what);
    ++failures;
  }
}

static int AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return 0;
  }
  return 1;
}

/* A single send key and a receive key store. */
static void SingleKey(int suite) {
  const uint8_t key[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                           0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
  const uint8_t metadata[] = {0xca, 0xfe};
  const char text[] = "an encoded audio frame";
  sframe_encryptor* enc = NULL;
  sframe_decryptor* dec = NULL;

  Expect(sframe_encryptor_new(suite, 7, key, sizeof(key), &enc), SFRAME_OK,
         "encryptor_new");
  Expect(sframe_decryptor_new(suite, SFRAME_DEFAULT_REPLAY_WINDOW, &dec),
         SFRAME_OK, "decryptor_new");
  if (enc == NULL || dec == NULL) {
    ++failures;
    sframe_encryptor_free(enc);
    sframe_decryptor_free(dec);
    return;
  }
  Expect(sframe_decryptor_add_key(dec, 7, key, sizeof(key)), SFRAME_OK,
         "add_key");
  Expect(sframe_decryptor_add_key(dec, 7, key, sizeof(key)),
         SFRAME_ALREADY_EXISTS, "add_key twice");

  uint8_t wire[FRAME_CAP];
  uint8_t out[FRAME_CAP];
  size_t wire_len = 0;
  size_t out_len = 0;
  const size_t want = sframe_encryptor_ciphertext_size(enc, sizeof(text));
  ExpectTrue(want <= sframe_max_ciphertext_size(suite, sizeof(text)),
             "ciphertext_size <= max_ciphertext_size");

  /* One byte short: refused, nothing written, counter unchanged. */
  Expect(sframe_encryptor_encrypt(enc, metadata, sizeof(metadata),
                                  (const uint8_t*)text, sizeof(text), wire,
                                  want - 1, &wire_len),
         SFRAME_INVALID_ARGUMENT, "encrypt into a short buffer");
  ExpectTrue(wire_len == 0, "out_len is 0 on error");
  ExpectTrue(sframe_encryptor_next_counter(enc) == 0, "counter unchanged");

  Expect(sframe_encryptor_encrypt(enc, metadata, sizeof(metadata),
                                  (const uint8_t*)text, sizeof(text), wire,
                                  sizeof(wire), &wire_len),
         SFRAME_OK, "encrypt");
  ExpectTrue(wire_len == want, "exact ciphertext size");

  /* An SFU reads the header without a key. */
  uint64_t kid = 0, ctr = 0;
  size_t header_len = 0;
  Expect(sframe_parse_header(wire, wire_len, &kid, &ctr, &header_len),
         SFRAME_OK, "parse_header");
  ExpectTrue(kid == 7 && ctr == 0 && header_len == 1, "header KID 7 CTR 0");

  size_t pt_size = 0;
  Expect(sframe_decryptor_plaintext_size(dec, wire, wire_len, &pt_size),
         SFRAME_OK, "plaintext_size");
  ExpectTrue(pt_size == sizeof(text), "exact plaintext size");

  /* Tampering with any byte fails, and the output is zeroed. */
  wire[wire_len / 2] ^= 0x01;
  memset(out, 0xaa, sizeof(out));
  Expect(sframe_decryptor_decrypt(dec, metadata, sizeof(metadata), wire,
                                  wire_len, out, sizeof(out), &out_len),
         SFRAME_DATA_LOSS, "decrypt a tampered frame");
  ExpectTrue(out_len == 0 && AllZero(out, sizeof(out)), "zeroed on error");
  wire[wire_len / 2] ^= 0x01;

  /* Different metadata (AAD) fails too. */
  Expect(sframe_decryptor_decrypt(dec, NULL, 0, wire, wire_len, out,
                                  sizeof(out), &out_len),
         SFRAME_DATA_LOSS, "decrypt with other metadata");

  Expect(sframe_decryptor_decrypt(dec, metadata, sizeof(metadata), wire,
                                  wire_len, out, sizeof(out), &out_len),
         SFRAME_OK, "decrypt");
  ExpectTrue(out_len == sizeof(text) && memcmp(out, text, out_len) == 0,
             "round trip");

  /* The same frame again is a replay. */
  Expect(sframe_decryptor_decrypt(dec, metadata, sizeof(metadata), wire,
                                  wire_len, out, sizeof(out), &out_len),
         SFRAME_ALREADY_EXISTS, "decrypt a replay");

  /* In place: the plaintext buffer becomes the ciphertext and back. */
  uint8_t buf[FRAME_CAP];
  memcpy(buf, text, sizeof(text));
  Expect(sframe_encryptor_encrypt(enc, NULL, 0, buf, sizeof(text), buf,
                                  sizeof(buf), &wire_len),
         SFRAME_OK, "encrypt in place");
  Expect(sframe_decryptor_decrypt(dec, NULL, 0, buf, wire_len, buf, sizeof(buf),
                                  &out_len),
         SFRAME_OK, "decrypt in place");
  ExpectTrue(out_len == sizeof(text) && memcmp(buf, text, out_len) == 0,
             "in-place round trip");

  /* Unknown KID; NULL arguments. */
  sframe_encryptor* other = NULL;
  Expect(sframe_encryptor_new(suite, 8, key, sizeof(key), &other), SFRAME_OK,
         "encryptor_new kid 8");
  Expect(sframe_encryptor_encrypt(other, NULL, 0, (const uint8_t*)text,
                                  sizeof(text), wire, sizeof(wire), &wire_len),
         SFRAME_OK, "encrypt kid 8");
  Expect(sframe_decryptor_decrypt(dec, NULL, 0, wire, wire_len, out,
                                  sizeof(out), &out_len),
         SFRAME_NOT_FOUND, "decrypt an unknown KID");
  Expect(sframe_decryptor_decrypt(NULL, NULL, 0, wire, wire_len, out,
                                  sizeof(out), &out_len),
         SFRAME_INVALID_ARGUMENT, "NULL handle");
  Expect(sframe_decryptor_decrypt(dec, NULL, 4, wire, wire_len, out,
                                  sizeof(out), &out_len),
         SFRAME_INVALID_ARGUMENT, "NULL metadata with a length");
  sframe_encryptor_free(other);
  sframe_encryptor* bad = enc; /* not NULL: the call must clear it */
  Expect(sframe_encryptor_new(99, 1, key, sizeof(key), &bad),
         SFRAME_INVALID_ARGUMENT, "unknown suite");
  ExpectTrue(bad == NULL, "handle NULL on error");

  sframe_encryptor_free(enc);
  sframe_decryptor_free(dec);
}

/* Sender keys: the receiver follows a ratchet by itself and a rekey once it
 * has the new key. */
static void SenderKeys(int suite) {
  const uint8_t key0[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const uint8_t key1[16] = {42, 42, 42, 42, 42, 42, 42, 42,
                            42, 42, 42, 42, 42, 42, 42, 42};
  const uint64_t alice = 0x1234;
  const uint8_t frame[100] = {0x78};
  uint8_t wire[FRAME_CAP], out[FRAME_CAP];
  size_t wire_len = 0, out_len = 0;
  sframe_sender_key_encryptor* tx = NULL;
  sframe_sender_key_decryptor* rx = NULL;

  Expect(sframe_sender_key_encryptor_new(suite, 4, 0, key0, sizeof(key0), &tx),
         SFRAME_OK, "sender_key_encryptor_new");
  Expect(
      sframe_sender_key_decryptor_new(suite, SFRAME_DEFAULT_REPLAY_WINDOW, &rx),
      SFRAME_OK, "sender_key_decryptor_new");
  if (tx == NULL || rx == NULL) {
    ++failures;
    sframe_sender_key_encryptor_free(tx);
    sframe_sender_key_decryptor_free(rx);
    return;
  }
  Expect(sframe_sender_key_decryptor_add_sender(rx, alice, 4), SFRAME_OK,
         "add_sender");
  Expect(sframe_sender_key_decryptor_install_key(rx, alice, 0, 0, key0,
                                                 sizeof(key0)),
         SFRAME_OK, "install_key");

  for (int round = 0; round < 3; ++round) {
    if (round == 1) {
      Expect(sframe_sender_key_encryptor_ratchet(tx), SFRAME_OK, "ratchet");
    }
    if (round == 2) {
      Expect(sframe_sender_key_decryptor_install_key(rx, alice, 1, 0, key1,
                                                     sizeof(key1)),
             SFRAME_OK, "install generation 1");
      Expect(sframe_sender_key_encryptor_rekey(tx, key1, sizeof(key1)),
             SFRAME_OK, "rekey");
    }
    Expect(
        sframe_sender_key_encryptor_encrypt(tx, NULL, 0, frame, sizeof(frame),
                                            wire, sizeof(wire), &wire_len),
        SFRAME_OK, "sender key encrypt");
    Expect(sframe_sender_key_decryptor_decrypt(
               rx, alice, NULL, 0, wire, wire_len, out, sizeof(out), &out_len),
           SFRAME_OK, "sender key decrypt");
    ExpectTrue(out_len == sizeof(frame) && memcmp(out, frame, out_len) == 0,
               "sender key round trip");
  }
  ExpectTrue(sframe_sender_key_encryptor_key_id(tx) == 16,
             "KID of generation 1, step 0 with R = 4");

  sframe_receive_stats stats;
  Expect(sframe_sender_key_decryptor_stats(rx, alice, &stats), SFRAME_OK,
         "stats");
  ExpectTrue(stats.decrypted == 3 && stats.ratchet_steps == 1,
             "3 decrypted, 1 ratchet step");

  /* After the sender is removed, its frames no longer decrypt. */
  Expect(sframe_sender_key_decryptor_remove_sender(rx, alice), SFRAME_OK,
         "remove_sender");
  Expect(sframe_sender_key_encryptor_encrypt(tx, NULL, 0, frame, sizeof(frame),
                                             wire, sizeof(wire), &wire_len),
         SFRAME_OK, "encrypt after removal");
  Expect(sframe_sender_key_decryptor_decrypt(rx, alice, NULL, 0, wire, wire_len,
                                             out, sizeof(out), &out_len),
         SFRAME_NOT_FOUND, "decrypt from a removed sender");

  sframe_sender_key_encryptor_free(tx);
  sframe_sender_key_decryptor_free(rx);
}

/* MLS: every member's frames decrypt with the epoch's exported key. */
static void Mls(int suite) {
  uint8_t epoch_key[128];
  const size_t key_len = sframe_key_size(suite);
  memset(epoch_key, 0x5a, sizeof(epoch_key));
  const uint8_t frame[60] = {0xfc};
  uint8_t wire[FRAME_CAP], out[FRAME_CAP];
  size_t wire_len = 0, out_len = 0;
  sframe_mls_encryptor* tx = NULL;
  sframe_mls_decryptor* rx = NULL;

  Expect(sframe_mls_encryptor_new(suite, 4, 6, /*sender_index=*/3, &tx),
         SFRAME_OK, "mls_encryptor_new");
  Expect(
      sframe_mls_decryptor_new(suite, 4, 6, SFRAME_DEFAULT_REPLAY_WINDOW, &rx),
      SFRAME_OK, "mls_decryptor_new");
  if (tx == NULL || rx == NULL) {
    ++failures;
    sframe_mls_encryptor_free(tx);
    sframe_mls_decryptor_free(rx);
    return;
  }
  Expect(sframe_mls_encryptor_encrypt(tx, 0, NULL, 0, frame, sizeof(frame),
                                      wire, sizeof(wire), &wire_len),
         SFRAME_FAILED_PRECONDITION, "mls encrypt before an epoch");
  Expect(sframe_mls_encryptor_set_epoch(tx, 1, epoch_key, key_len), SFRAME_OK,
         "set_epoch");
  Expect(sframe_mls_decryptor_add_epoch(rx, 1, epoch_key, key_len), SFRAME_OK,
         "add_epoch");
  Expect(sframe_mls_encryptor_encrypt(tx, 0, NULL, 0, frame, sizeof(frame),
                                      wire, sizeof(wire), &wire_len),
         SFRAME_OK, "mls encrypt");
  Expect(sframe_mls_decryptor_decrypt(rx, NULL, 0, wire, wire_len, out,
                                      sizeof(out), &out_len),
         SFRAME_OK, "mls decrypt");
  ExpectTrue(out_len == sizeof(frame) && memcmp(out, frame, out_len) == 0,
             "mls round trip");
  sframe_receive_stats stats;
  Expect(sframe_mls_decryptor_stats(rx, &stats), SFRAME_OK, "mls stats");
  ExpectTrue(stats.decrypted == 1, "mls: 1 decrypted");

  sframe_mls_encryptor_free(tx);
  sframe_mls_decryptor_free(rx);
}

int main(void) {
  for (int suite = 1; suite <= 8; ++suite) {
    if (!sframe_suite_supported(suite)) {
      fprintf(stderr, "FAIL suite %d not supported\n", suite);
      ++failures;
      continue;
    }
    SingleKey(suite);
    SenderKeys(suite);
    Mls(suite);
    printf("%-28s tag %2zu bytes: single key, sender keys, MLS ok\n",
           sframe_suite_name(suite), sframe_tag_size(suite));
  }
  uint8_t ratcheted[64];
  size_t ratcheted_len = 0;
  const uint8_t key[16] = {0};
  Expect(
      sframe_ratchet_base_key(SFRAME_AES_128_GCM_SHA256_128, key, sizeof(key),
                              ratcheted, sizeof(ratcheted), &ratcheted_len),
      SFRAME_OK, "ratchet_base_key");
  ExpectTrue(ratcheted_len == 32, "ratcheted key is Nh bytes");
  ExpectTrue(strcmp(sframe_status_string(12345),
                    "UNKNOWN: not an sframe status code") == 0,
             "status string of an unknown code");
  if (failures != 0) {
    printf("c_example: %d checks FAILED\n", failures);
    return 1;
  }
  printf("c_example: all checks passed\n");
  return 0;
}
