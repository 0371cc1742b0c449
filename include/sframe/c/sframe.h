/* Copyright 2026 The sframecpp Authors.
 *
 * sframe/c/sframe.h: the C API of sframecpp (SFrame, RFC 9605), for C
 * programs and for other languages' foreign-function interfaces (Python
 * ctypes, Rust, Go, Swift...). It wraps the C++ API of sframe/sframe.h and
 * sframe/keys.h one to one; read those headers for the full semantics. This
 * header is plain C11 and includes only <stddef.h> and <stdint.h>.
 *
 *   sframe_encryptor* enc = NULL;
 *   sframe_decryptor* dec = NULL;
 *   if (sframe_encryptor_new(SFRAME_AES_128_GCM_SHA256_128, 7, key, 16,
 *                            &enc) != SFRAME_OK ||
 *       sframe_decryptor_new(SFRAME_AES_128_GCM_SHA256_128,
 *                            SFRAME_DEFAULT_REPLAY_WINDOW, &dec) != SFRAME_OK
 * || sframe_decryptor_add_key(dec, 7, key, 16) != SFRAME_OK) {
 *     ...
 *   }
 *   uint8_t wire[2048];
 *   size_t wire_len = 0;
 *   int rc = sframe_encryptor_encrypt(enc, NULL, 0, frame, frame_len, wire,
 *                                     sizeof(wire), &wire_len);
 *   uint8_t out[2048];
 *   size_t out_len = 0;
 *   rc = sframe_decryptor_decrypt(dec, NULL, 0, wire, wire_len, out,
 *                                 sizeof(out), &out_len);
 *   if (rc != SFRAME_OK) printf("dropped: %s\n", sframe_status_string(rc));
 *   sframe_decryptor_free(dec);
 *   sframe_encryptor_free(enc);
 *
 * Conventions, for every function below:
 *
 * - Status. Fallible functions return an `int` status code: SFRAME_OK (0) or
 *   one of the SFRAME_* codes, whose values are those of absl::StatusCode.
 *   sframe_status_string() names them. Codes are the only error channel: no
 *   global error state, no errno, no messages to free.
 * - Handles. Objects are opaque handles created by a `*_new` function, which
 *   stores the handle in its last argument (NULL there on error), and
 *   destroyed by the matching `*_free` function (NULL is accepted and
 *   ignored). Freeing a handle wipes every key it holds. The caller owns the
 *   handle; the library never keeps a pointer to caller memory after a call
 *   returns.
 * - Buffers. Inputs are (pointer, length) pairs; a NULL pointer is allowed
 *   only with length 0 (e.g. no metadata). Outputs are caller buffers
 *   (`out`, `out_capacity`) and the written length goes to `*out_len`. Exact
 *   size helpers say how much room an output needs. Nothing on the
 *   per-frame path (encrypt, decrypt, header parsing) allocates memory.
 *   On error `*out_len` is 0 (when `out_len` is not NULL).
 * - Arguments. A NULL handle, a NULL `out_len`, or a NULL pointer with a
 *   non-zero length fails with SFRAME_INVALID_ARGUMENT and writes nothing
 *   but `*out_len` = 0.
 * - Aliasing. An input and an output buffer must either not overlap or start
 *   at the same address (in place, only where documented); any other overlap
 *   fails with SFRAME_INVALID_ARGUMENT and writes nothing.
 * - Threads. sframe_encryptor and sframe_decryptor handles may be used by one
 *   thread at a time (they carry per-frame state). The key-management handles
 *   (sframe_sender_key_*, sframe_mls_*) are thread-safe: any function may be
 *   called concurrently on the same handle, except `*_free`, which must not
 *   race with any other use of that handle. Different handles are
 *   independent. The free functions (no handle) are thread-safe.
 * - Lifetime. A handle is valid from its `*_new` until its `*_free`; using
 *   it after `*_free`, or freeing it twice, is undefined behaviour (as with
 *   free()). `*_free(NULL)` does nothing.
 * - Failures. No function throws, aborts or exits on any input. Running out
 *   of memory terminates the process, as it does in the C++ library: only
 *   calls that install keys allocate (creating or re-keying an object, and
 *   on the receive side a KID's first verified frame or a ratchet step).
 *
 * Errors and what to do with them (per frame):
 *   SFRAME_DATA_LOSS           malformed, truncated or forged frame: drop it
 *   SFRAME_ALREADY_EXISTS      replayed counter (duplicate or too old): drop
 *   SFRAME_NOT_FOUND           no key for the frame's KID: drop, or buffer and
 *                              retry once the key arrives (a new KID beyond
 *                              an MLS epoch's 4096 cached KIDs stays refused)
 *   SFRAME_RESOURCE_EXHAUSTED  the send counter is used up: rekey/ratchet
 *   SFRAME_INVALID_ARGUMENT    a bug in the caller (sizes, NULLs, suite)
 *   SFRAME_FAILED_PRECONDITION wrong state (no MLS epoch set, stale epoch or
 *                              generation)
 *   SFRAME_INTERNAL            BoringSSL failed; never caused by input
 */

#ifndef SFRAME_C_SFRAME_H_
#define SFRAME_C_SFRAME_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ status codes */

/* The values of absl::StatusCode. The library returns SFRAME_OK and the
 * codes listed in the overview above; the others exist for completeness. */
enum {
  SFRAME_OK = 0,
  SFRAME_CANCELLED = 1,
  SFRAME_UNKNOWN = 2,
  SFRAME_INVALID_ARGUMENT = 3,
  SFRAME_DEADLINE_EXCEEDED = 4,
  SFRAME_NOT_FOUND = 5,
  SFRAME_ALREADY_EXISTS = 6,
  SFRAME_PERMISSION_DENIED = 7,
  SFRAME_RESOURCE_EXHAUSTED = 8,
  SFRAME_FAILED_PRECONDITION = 9,
  SFRAME_ABORTED = 10,
  SFRAME_OUT_OF_RANGE = 11,
  SFRAME_UNIMPLEMENTED = 12,
  SFRAME_INTERNAL = 13,
  SFRAME_UNAVAILABLE = 14,
  SFRAME_DATA_LOSS = 15,
  SFRAME_UNAUTHENTICATED = 16
};

/* A static, NUL-terminated description of `status`, e.g.
 * "DATA_LOSS: malformed, truncated or forged frame". Never NULL; an unknown
 * value gives "UNKNOWN: not an sframe status code". The string lives forever
 * and must not be freed. Thread-safe. */
const char* sframe_status_string(int status);

/* ------------------------------------------------------------ cipher suites */

/* IANA "SFrame Cipher Suites" identifiers (RFC 9605 §4.5; 6-8 from
 * draft-barnes-sframe-iana-256). A suite is never on the wire: sender and
 * receivers agree on it out of band. */
enum {
  SFRAME_AES_128_CTR_HMAC_SHA256_80 = 1,
  SFRAME_AES_128_CTR_HMAC_SHA256_64 = 2,
  SFRAME_AES_128_CTR_HMAC_SHA256_32 = 3,
  SFRAME_AES_128_GCM_SHA256_128 = 4,
  SFRAME_AES_256_GCM_SHA512_128 = 5,
  SFRAME_AES_256_CTR_HMAC_SHA512_80 = 6,
  SFRAME_AES_256_CTR_HMAC_SHA512_64 = 7,
  SFRAME_AES_256_CTR_HMAC_SHA512_32 = 8
};

/* The longest SFrame header: 1 config byte + 8 bytes of KID + 8 of CTR. */
#define SFRAME_MAX_HEADER_SIZE 17
/* The largest tag of any suite. */
#define SFRAME_MAX_TAG_SIZE 16
/* The default per-KID anti-replay window, in counters. */
#define SFRAME_DEFAULT_REPLAY_WINDOW 128

/* 1 if this library implements `suite`, 0 otherwise. */
int sframe_suite_supported(int suite);

/* The IANA name of `suite`, e.g. "AES_128_GCM_SHA256_128", or "UNKNOWN".
 * Static storage; never NULL. */
const char* sframe_suite_name(int suite);

/* Nt, the tag size of `suite` in bytes (4, 8, 10 or 16); 0 for an unknown
 * suite. */
size_t sframe_tag_size(int suite);

/* Nk, the AEAD key size of `suite` in bytes (the size of an MLS exported
 * base key); 0 for an unknown suite. */
size_t sframe_key_size(int suite);

/* Nh, the hash size of `suite` in bytes (32 or 64; the size of a ratcheted
 * base key); 0 for an unknown suite. */
size_t sframe_hash_size(int suite);

/* An upper bound on the ciphertext size of a `plaintext_len`-byte frame under
 * `suite`, whatever its KID and counter: SFRAME_MAX_HEADER_SIZE +
 * plaintext_len + tag size. 0 for an unknown suite, SIZE_MAX if the bound
 * does not fit in size_t. Use it to size buffers shared between senders. */
size_t sframe_max_ciphertext_size(int suite, size_t plaintext_len);

/* ------------------------------------------------------------ header */

/* Parses the SFrame header at the start of `frame` (no key needed: this is
 * what an SFU routes by). On success stores the KID, the counter and the
 * header length (1-17 bytes). Errors: SFRAME_DATA_LOSS if the header is
 * truncated or not minimally encoded, SFRAME_INVALID_ARGUMENT for NULL
 * outputs. On error the outputs are set to 0. Thread-safe. */
int sframe_parse_header(const uint8_t* frame, size_t frame_len,
                        uint64_t* key_id, uint64_t* counter,
                        size_t* header_len);

/* ------------------------------------------------------------ ratchet */

/* One step of the RFC 9605 §5.1 sender-key ratchet:
 *   out = HKDF-Expand(HKDF-Extract("", base_key), "SFrame 1.0 Ratchet", Nh).
 * `out_capacity` must be at least sframe_hash_size(suite); exactly that many
 * bytes are written and stored in `*out_len`. `out` may be `base_key` (in
 * place). Errors: SFRAME_INVALID_ARGUMENT (unknown suite, empty key, small
 * `out`, bad overlap; `out` untouched). Thread-safe. */
int sframe_ratchet_base_key(int suite, const uint8_t* base_key,
                            size_t base_key_len, uint8_t* out,
                            size_t out_capacity, size_t* out_len);

/* ------------------------------------------------------------ encryptor */

/* One send key (KID + base key) and its counter (sframe::Encryptor). It never
 * takes a nonce or a per-frame counter, so a (key, KID, CTR) triple is never
 * used twice. One thread at a time. */
typedef struct sframe_encryptor sframe_encryptor;

/* Creates an encryptor for (`suite`, `key_id`, `base_key`), counter 0. The
 * base key is copied (and the copy's derived keys wiped on free); the
 * caller's buffer may be wiped right after the call. Errors:
 * SFRAME_INVALID_ARGUMENT (unknown suite, empty key, NULL `out`). */
int sframe_encryptor_new(int suite, uint64_t key_id, const uint8_t* base_key,
                         size_t base_key_len, sframe_encryptor** out);

/* As sframe_encryptor_new, starting at `first_counter` (RFC 9605 §9.1: resume
 * a key whose used counters were persisted; every counter below it is
 * treated as used). */
int sframe_encryptor_new_at_counter(int suite, uint64_t key_id,
                                    const uint8_t* base_key,
                                    size_t base_key_len, uint64_t first_counter,
                                    sframe_encryptor** out);

/* Destroys `enc` and wipes its keys. NULL is ignored. */
void sframe_encryptor_free(sframe_encryptor* enc);

/* The exact size of the next frame's ciphertext for a `plaintext_len`-byte
 * plaintext: header (for the next counter) + plaintext + tag, saturating at
 * SIZE_MAX. 0 if `enc` is NULL. */
size_t sframe_encryptor_ciphertext_size(const sframe_encryptor* enc,
                                        size_t plaintext_len);

/* Encrypts one frame into `out`: header || ciphertext || tag, with
 * AAD = header || metadata. `*out_len` receives the written length, which is
 * sframe_encryptor_ciphertext_size(enc, plaintext_len). The counter advances
 * only on success. In place is allowed (`out` == `plaintext`, with room for
 * the header and tag).
 *
 * Errors: SFRAME_INVALID_ARGUMENT (`out_capacity` too small, bad overlap,
 * including `metadata` overlapping `out`, NULLs, a plaintext over 2^36 - 32
 * bytes (the GCM limit, for every suite);
 * nothing written), SFRAME_RESOURCE_EXHAUSTED (counter 2^64-1 used: create
 * a new key; nothing written). */
int sframe_encryptor_encrypt(sframe_encryptor* enc, const uint8_t* metadata,
                             size_t metadata_len, const uint8_t* plaintext,
                             size_t plaintext_len, uint8_t* out,
                             size_t out_capacity, size_t* out_len);

/* The KID of `enc` (0 if NULL). */
uint64_t sframe_encryptor_key_id(const sframe_encryptor* enc);

/* The counter the next frame will use (persist it to resume, §9.1); 0 if
 * NULL. */
uint64_t sframe_encryptor_next_counter(const sframe_encryptor* enc);

/* ------------------------------------------------------------ decryptor */

/* A receive key store KID -> key, with a per-KID replay window
 * (sframe::Decryptor). One thread at a time. */
typedef struct sframe_decryptor sframe_decryptor;

/* Creates an empty decryptor. `replay_window` is the per-KID anti-replay
 * window in counters (SFRAME_DEFAULT_REPLAY_WINDOW is a good default; 0
 * disables anti-replay; at most 65536). Errors: SFRAME_INVALID_ARGUMENT
 * (unknown suite, window too large, NULL `out`). */
int sframe_decryptor_new(int suite, size_t replay_window,
                         sframe_decryptor** out);

/* Destroys `dec` and wipes its keys. NULL is ignored. */
void sframe_decryptor_free(sframe_decryptor* dec);

/* Installs a receive key for `key_id` (the key is derived now, not per
 * frame). Errors: SFRAME_INVALID_ARGUMENT (empty key), SFRAME_ALREADY_EXISTS
 * (the KID has a key: remove it first). On error nothing changes. */
int sframe_decryptor_add_key(sframe_decryptor* dec, uint64_t key_id,
                             const uint8_t* base_key, size_t base_key_len);

/* Removes and wipes the key of `key_id`. SFRAME_NOT_FOUND if there is none. */
int sframe_decryptor_remove_key(sframe_decryptor* dec, uint64_t key_id);

/* 1 if `key_id` has a key, 0 otherwise (or if `dec` is NULL). */
int sframe_decryptor_has_key(const sframe_decryptor* dec, uint64_t key_id);

/* Stores in `*plaintext_len` the exact plaintext size of `ciphertext`
 * (ciphertext_len - header - tag). Errors: SFRAME_DATA_LOSS (malformed
 * header, shorter than header + tag). A plaintext never exceeds its
 * ciphertext, so `out_capacity` = `ciphertext_len` always suffices. */
int sframe_decryptor_plaintext_size(const sframe_decryptor* dec,
                                    const uint8_t* ciphertext,
                                    size_t ciphertext_len,
                                    size_t* plaintext_len);

/* Decrypts one frame into `out`. The tag is verified (in constant time)
 * before any plaintext is released. In place is allowed (`out` ==
 * `ciphertext`). With a replay window, a counter already accepted for the
 * KID, or older than the window, is refused before the AEAD runs.
 *
 * Errors: SFRAME_DATA_LOSS (malformed, truncated, tag mismatch),
 * SFRAME_NOT_FOUND (no key for the KID), SFRAME_ALREADY_EXISTS (replay),
 * SFRAME_INVALID_ARGUMENT (`out` too small, NULLs, bad overlap). On every
 * error all of `out` (`out_capacity` bytes) is zeroed, except for a bad
 * overlap or NULL arguments (nothing written). No error changes any state
 * but failure statistics. */
int sframe_decryptor_decrypt(sframe_decryptor* dec, const uint8_t* metadata,
                             size_t metadata_len, const uint8_t* ciphertext,
                             size_t ciphertext_len, uint8_t* out,
                             size_t out_capacity, size_t* out_len);

/* ------------------------------------------------------------ statistics */

/* Receive statistics of one sender (SenderKeyDecryptor) or of an MLS group
 * (MlsDecryptor), counted over its lifetime. */
typedef struct sframe_receive_stats {
  uint64_t decrypted;               /* frames whose tag verified */
  uint64_t authentication_failures; /* tag mismatches (forgeries) */
  uint64_t replays;                 /* duplicate or too old counters */
  uint64_t unknown_key_ids;         /* no key and none derivable */
  uint64_t malformed;               /* unparseable or too short */
  uint64_t ratchet_steps;           /* ratchet steps taken (sender keys) */
  uint64_t keys_retired;            /* superseded keys wiped */
} sframe_receive_stats;

/* ------------------------------------------------- sender keys (RFC 9605 §5.1)
 */

/* The send side of one sender-key stream (sframe::SenderKeyEncryptor):
 * KID = (generation << ratchet_bits) + (step mod 2^ratchet_bits).
 * Thread-safe. */
typedef struct sframe_sender_key_encryptor sframe_sender_key_encryptor;

/* Creates a stream at (`generation`, step 0) with `base_key`, counter 0.
 * Errors: SFRAME_INVALID_ARGUMENT (unknown suite, `ratchet_bits` outside
 * 0-63, generation does not fit in 64 - ratchet_bits bits, empty key). */
int sframe_sender_key_encryptor_new(int suite, int ratchet_bits,
                                    uint64_t generation,
                                    const uint8_t* base_key,
                                    size_t base_key_len,
                                    sframe_sender_key_encryptor** out);

/* Destroys `enc` and wipes its keys. NULL is ignored. */
void sframe_sender_key_encryptor_free(sframe_sender_key_encryptor* enc);

/* The exact size of the next frame's ciphertext (0 if `enc` is NULL).
 * WARNING: if another thread may ratchet or rekey concurrently, the KID (and
 * the header length) can change before the encrypt call; size `out` with
 * sframe_max_ciphertext_size() then. */
size_t sframe_sender_key_encryptor_ciphertext_size(
    const sframe_sender_key_encryptor* enc, size_t plaintext_len);

/* As sframe_encryptor_encrypt, under the current KID.
 * SFRAME_RESOURCE_EXHAUSTED when this key's counters are used up: ratchet or
 * rekey. */
int sframe_sender_key_encryptor_encrypt(sframe_sender_key_encryptor* enc,
                                        const uint8_t* metadata,
                                        size_t metadata_len,
                                        const uint8_t* plaintext,
                                        size_t plaintext_len, uint8_t* out,
                                        size_t out_capacity, size_t* out_len);

/* Moves to the next ratchet step (base_key <- ratchet(base_key), step + 1,
 * counter 0; the old key is wiped). Receivers follow on their own. Errors:
 * SFRAME_RESOURCE_EXHAUSTED (step space used up). On error nothing
 * changes. */
int sframe_sender_key_encryptor_ratchet(sframe_sender_key_encryptor* enc);

/* Starts generation + 1 at step 0 with `new_base_key` (counter 0; the old key
 * is wiped). Receivers need the new key through sframe_sender_key_decryptor_
 * install_key. Errors: SFRAME_INVALID_ARGUMENT (empty key),
 * SFRAME_RESOURCE_EXHAUSTED (generation space used up). On error nothing
 * changes. */
int sframe_sender_key_encryptor_rekey(sframe_sender_key_encryptor* enc,
                                      const uint8_t* new_base_key,
                                      size_t new_base_key_len);

/* The current KID, generation and step (0 if `enc` is NULL). */
uint64_t sframe_sender_key_encryptor_key_id(
    const sframe_sender_key_encryptor* enc);
uint64_t sframe_sender_key_encryptor_generation(
    const sframe_sender_key_encryptor* enc);
uint64_t sframe_sender_key_encryptor_step(
    const sframe_sender_key_encryptor* enc);

/* The receive side of sender keys for any number of remote senders
 * (sframe::SenderKeyDecryptor), with the library's default options: follows
 * up to 8 ratchet steps ahead, keeps 2 previous steps and 1 previous
 * generation for a 2 s grace period. Senders are identified by an
 * application-chosen 64-bit id (an SSRC, a participant id). Thread-safe. */
typedef struct sframe_sender_key_decryptor sframe_sender_key_decryptor;

/* Creates an empty receiver. `replay_window` as in sframe_decryptor_new.
 * Errors: SFRAME_INVALID_ARGUMENT (unknown suite, window too large). */
int sframe_sender_key_decryptor_new(int suite, size_t replay_window,
                                    sframe_sender_key_decryptor** out);

/* Destroys `dec` and wipes all keys. NULL is ignored. */
void sframe_sender_key_decryptor_free(sframe_sender_key_decryptor* dec);

/* Adds remote sender `sender` whose KIDs use `ratchet_bits` (0-63). Errors:
 * SFRAME_ALREADY_EXISTS, SFRAME_INVALID_ARGUMENT (bad ratchet_bits). */
int sframe_sender_key_decryptor_add_sender(sframe_sender_key_decryptor* dec,
                                           uint64_t sender, int ratchet_bits);

/* Removes `sender` (e.g. it left) and wipes all of its keys.
 * SFRAME_NOT_FOUND if unknown. */
int sframe_sender_key_decryptor_remove_sender(sframe_sender_key_decryptor* dec,
                                              uint64_t sender);

/* Installs `sender`'s key at (`generation`, `step`). A newer generation
 * supersedes the current one after the grace period. Errors:
 * SFRAME_NOT_FOUND (no such sender), SFRAME_INVALID_ARGUMENT (empty key,
 * generation does not fit), SFRAME_ALREADY_EXISTS (generation installed),
 * SFRAME_FAILED_PRECONDITION (older than a live generation). On error
 * nothing changes. */
int sframe_sender_key_decryptor_install_key(sframe_sender_key_decryptor* dec,
                                            uint64_t sender,
                                            uint64_t generation, uint64_t step,
                                            const uint8_t* base_key,
                                            size_t base_key_len);

/* Decrypts a frame from `sender`; the contract on `out` is that of
 * sframe_decryptor_decrypt. A KID a few ratchet steps ahead is resolved
 * tentatively (derive, verify, then commit). Errors: SFRAME_NOT_FOUND
 * (unknown sender or KID, or a step too far ahead), SFRAME_DATA_LOSS,
 * SFRAME_ALREADY_EXISTS (replay), SFRAME_INVALID_ARGUMENT. Failures change no
 * state but failure statistics. */
int sframe_sender_key_decryptor_decrypt(
    sframe_sender_key_decryptor* dec, uint64_t sender, const uint8_t* metadata,
    size_t metadata_len, const uint8_t* ciphertext, size_t ciphertext_len,
    uint8_t* out, size_t out_capacity, size_t* out_len);

/* Wipes every key whose grace period has ended (also done at the start of
 * each decrypt). */
void sframe_sender_key_decryptor_expire_keys(sframe_sender_key_decryptor* dec);

/* Copies `sender`'s statistics to `*stats`. SFRAME_NOT_FOUND for an unknown
 * sender (`*stats` zeroed). */
int sframe_sender_key_decryptor_stats(const sframe_sender_key_decryptor* dec,
                                      uint64_t sender,
                                      sframe_receive_stats* stats);

/* ------------------------------------------------- MLS (RFC 9605 §5.2) */

/* The send side of one MLS member (sframe::MlsEncryptor):
 * KID = (context << (S + E)) + (sender_index << E) + (epoch mod 2^E), with
 * E = `epoch_bits`, S = `sender_bits`. Each context (camera, screen,
 * audio...) is an independent stream with its own counter. Thread-safe. */
typedef struct sframe_mls_encryptor sframe_mls_encryptor;

/* Creates a member with leaf index `sender_index`; call
 * sframe_mls_encryptor_set_epoch before encrypting. Errors:
 * SFRAME_INVALID_ARGUMENT (unknown suite, bad layout, index does not fit in
 * S bits). */
int sframe_mls_encryptor_new(int suite, int epoch_bits, int sender_bits,
                             uint64_t sender_index, sframe_mls_encryptor** out);

/* Destroys `enc` and wipes its keys. NULL is ignored. */
void sframe_mls_encryptor_free(sframe_mls_encryptor* enc);

/* Switches to `epoch` with base_key = MLS-Exporter("SFrame 1.0 Base Key",
 * "", Nk); the previous epoch's keys are wiped. Errors:
 * SFRAME_INVALID_ARGUMENT (empty key), SFRAME_FAILED_PRECONDITION (epoch not
 * newer than the current one). On error nothing changes. */
int sframe_mls_encryptor_set_epoch(sframe_mls_encryptor* enc, uint64_t epoch,
                                   const uint8_t* base_key,
                                   size_t base_key_len);

/* Exact ciphertext size of the next frame of `context` (0 if `enc` is NULL or
 * `context` does not fit the layout). */
size_t sframe_mls_encryptor_ciphertext_size(const sframe_mls_encryptor* enc,
                                            uint64_t context,
                                            size_t plaintext_len);

/* As sframe_encryptor_encrypt, for stream `context`. The first frame of a
 * context in an epoch derives its key (and allocates). Errors additionally:
 * SFRAME_FAILED_PRECONDITION (no epoch set), SFRAME_INVALID_ARGUMENT
 * (`context` does not fit). */
int sframe_mls_encryptor_encrypt(sframe_mls_encryptor* enc, uint64_t context,
                                 const uint8_t* metadata, size_t metadata_len,
                                 const uint8_t* plaintext, size_t plaintext_len,
                                 uint8_t* out, size_t out_capacity,
                                 size_t* out_len);

/* The receive side of an MLS group (sframe::MlsDecryptor): one base key per
 * live epoch; older epochs retire 2 s after a newer one is added. At most
 * 4096 KIDs (sender, context) are cached per epoch; frames of further KIDs
 * of that epoch fail with SFRAME_NOT_FOUND. Thread-safe. */
typedef struct sframe_mls_decryptor sframe_mls_decryptor;

/* Creates a receiver with the KID layout (`epoch_bits`, `sender_bits`) and a
 * per-KID `replay_window`. Errors: SFRAME_INVALID_ARGUMENT (unknown suite,
 * bad layout, window too large). */
int sframe_mls_decryptor_new(int suite, int epoch_bits, int sender_bits,
                             size_t replay_window, sframe_mls_decryptor** out);

/* Destroys `dec` and wipes all keys. NULL is ignored. */
void sframe_mls_decryptor_free(sframe_mls_decryptor* dec);

/* Adds an epoch's exported base key; a live epoch with the same low E bits is
 * removed first. Errors: SFRAME_INVALID_ARGUMENT (empty key),
 * SFRAME_ALREADY_EXISTS (epoch live), SFRAME_FAILED_PRECONDITION (a newer
 * live epoch has the same low bits, or purged). On error nothing changes. */
int sframe_mls_decryptor_add_epoch(sframe_mls_decryptor* dec, uint64_t epoch,
                                   const uint8_t* base_key,
                                   size_t base_key_len);

/* Removes and wipes every epoch older than `epoch` and refuses them
 * afterwards; returns how many were removed (0 if `dec` is NULL). */
size_t sframe_mls_decryptor_purge_before(sframe_mls_decryptor* dec,
                                         uint64_t epoch);

/* Decrypts a frame of any member; the contract on `out` is that of
 * sframe_decryptor_decrypt. Errors: SFRAME_NOT_FOUND (no live epoch for the
 * KID), SFRAME_DATA_LOSS, SFRAME_ALREADY_EXISTS (replay),
 * SFRAME_INVALID_ARGUMENT. */
int sframe_mls_decryptor_decrypt(sframe_mls_decryptor* dec,
                                 const uint8_t* metadata, size_t metadata_len,
                                 const uint8_t* ciphertext,
                                 size_t ciphertext_len, uint8_t* out,
                                 size_t out_capacity, size_t* out_len);

/* Wipes every epoch whose grace period has ended. */
void sframe_mls_decryptor_expire_keys(sframe_mls_decryptor* dec);

/* Copies the group's aggregate statistics to `*stats` (ratchet_steps is 0).
 * SFRAME_INVALID_ARGUMENT for NULL arguments. */
int sframe_mls_decryptor_stats(const sframe_mls_decryptor* dec,
                               sframe_receive_stats* stats);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SFRAME_C_SFRAME_H_ */
