// Copyright 2026 The sframecpp Authors.
//
// C API (sframe/c/sframe.h): status strings, suites, header parsing, the
// ratchet step, and the Encryptor / Decryptor handles. Every function is a
// thin wrapper: check the C arguments, build spans, call the C++ API, map the
// status. Nothing here allocates per frame.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sframe/c/sframe.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"
#include "sframe/keys.h"
#include "sframe/sframe.h"
#include "src/c/c_api_util.h"

struct sframe_encryptor {
  sframe::Encryptor impl;
};

struct sframe_decryptor {
  sframe::Decryptor impl;
};

namespace {

using sframe::CipherSuite;
using sframe::c_api::CheckFrameArgs;
using sframe::c_api::FinishFrame;
using sframe::c_api::Guard;
using sframe::c_api::In;
using sframe::c_api::Out;
using sframe::c_api::SuiteFromC;
using sframe::c_api::ToC;
using sframe::c_api::ValidInput;

// The C constants are the absl::StatusCode values, so statuses convert with a
// cast.
static_assert(SFRAME_OK == static_cast<int>(absl::StatusCode::kOk));
static_assert(SFRAME_CANCELLED ==
              static_cast<int>(absl::StatusCode::kCancelled));
static_assert(SFRAME_UNKNOWN == static_cast<int>(absl::StatusCode::kUnknown));
static_assert(SFRAME_INVALID_ARGUMENT ==
              static_cast<int>(absl::StatusCode::kInvalidArgument));
static_assert(SFRAME_DEADLINE_EXCEEDED ==
              static_cast<int>(absl::StatusCode::kDeadlineExceeded));
static_assert(SFRAME_NOT_FOUND ==
              static_cast<int>(absl::StatusCode::kNotFound));
static_assert(SFRAME_ALREADY_EXISTS ==
              static_cast<int>(absl::StatusCode::kAlreadyExists));
static_assert(SFRAME_PERMISSION_DENIED ==
              static_cast<int>(absl::StatusCode::kPermissionDenied));
static_assert(SFRAME_RESOURCE_EXHAUSTED ==
              static_cast<int>(absl::StatusCode::kResourceExhausted));
static_assert(SFRAME_FAILED_PRECONDITION ==
              static_cast<int>(absl::StatusCode::kFailedPrecondition));
static_assert(SFRAME_ABORTED == static_cast<int>(absl::StatusCode::kAborted));
static_assert(SFRAME_OUT_OF_RANGE ==
              static_cast<int>(absl::StatusCode::kOutOfRange));
static_assert(SFRAME_UNIMPLEMENTED ==
              static_cast<int>(absl::StatusCode::kUnimplemented));
static_assert(SFRAME_INTERNAL == static_cast<int>(absl::StatusCode::kInternal));
static_assert(SFRAME_UNAVAILABLE ==
              static_cast<int>(absl::StatusCode::kUnavailable));
static_assert(SFRAME_DATA_LOSS ==
              static_cast<int>(absl::StatusCode::kDataLoss));
static_assert(SFRAME_UNAUTHENTICATED ==
              static_cast<int>(absl::StatusCode::kUnauthenticated));

// The suite ids are the IANA values of the C++ enum.
static_assert(SFRAME_AES_128_CTR_HMAC_SHA256_80 ==
              static_cast<int>(CipherSuite::kAes128CtrHmacSha256_80));
static_assert(SFRAME_AES_128_GCM_SHA256_128 ==
              static_cast<int>(CipherSuite::kAes128GcmSha256_128));
static_assert(SFRAME_AES_256_GCM_SHA512_128 ==
              static_cast<int>(CipherSuite::kAes256GcmSha512_128));
static_assert(SFRAME_AES_256_CTR_HMAC_SHA512_32 ==
              static_cast<int>(CipherSuite::kAes256CtrHmacSha512_32));
static_assert(SFRAME_MAX_HEADER_SIZE == sframe::kMaxHeaderSize);
static_assert(SFRAME_MAX_TAG_SIZE == sframe::kMaxTagSize);
static_assert(SFRAME_DEFAULT_REPLAY_WINDOW ==
              sframe::Decryptor::kDefaultReplayWindow);

}  // namespace

extern "C" {

const char* sframe_status_string(int status) {
  switch (status) {
    case SFRAME_OK:
      return "OK";
    case SFRAME_CANCELLED:
      return "CANCELLED";
    case SFRAME_UNKNOWN:
      return "UNKNOWN";
    case SFRAME_INVALID_ARGUMENT:
      return "INVALID_ARGUMENT: caller error (suite, key, size, buffer or "
             "NULL argument)";
    case SFRAME_DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case SFRAME_NOT_FOUND:
      return "NOT_FOUND: no key for this key id (or sender)";
    case SFRAME_ALREADY_EXISTS:
      return "ALREADY_EXISTS: replayed frame, or key already installed";
    case SFRAME_PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case SFRAME_RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED: counter space used up (rekey or ratchet)";
    case SFRAME_FAILED_PRECONDITION:
      return "FAILED_PRECONDITION: object in the wrong state for this call";
    case SFRAME_ABORTED:
      return "ABORTED";
    case SFRAME_OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case SFRAME_UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case SFRAME_INTERNAL:
      return "INTERNAL: cryptographic library failure";
    case SFRAME_UNAVAILABLE:
      return "UNAVAILABLE";
    case SFRAME_DATA_LOSS:
      return "DATA_LOSS: malformed, truncated or forged frame";
    case SFRAME_UNAUTHENTICATED:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN: not an sframe status code";
}

// ------------------------------------------------------------ cipher suites

int sframe_suite_supported(int suite) {
  CipherSuite s;
  return SuiteFromC(suite, &s) ? 1 : 0;
}

const char* sframe_suite_name(int suite) {
  // Our own literals: CipherSuiteName returns a string_view, which promises
  // no terminating NUL.
  switch (suite) {
    case SFRAME_AES_128_CTR_HMAC_SHA256_80:
      return "AES_128_CTR_HMAC_SHA256_80";
    case SFRAME_AES_128_CTR_HMAC_SHA256_64:
      return "AES_128_CTR_HMAC_SHA256_64";
    case SFRAME_AES_128_CTR_HMAC_SHA256_32:
      return "AES_128_CTR_HMAC_SHA256_32";
    case SFRAME_AES_128_GCM_SHA256_128:
      return "AES_128_GCM_SHA256_128";
    case SFRAME_AES_256_GCM_SHA512_128:
      return "AES_256_GCM_SHA512_128";
    case SFRAME_AES_256_CTR_HMAC_SHA512_80:
      return "AES_256_CTR_HMAC_SHA512_80";
    case SFRAME_AES_256_CTR_HMAC_SHA512_64:
      return "AES_256_CTR_HMAC_SHA512_64";
    case SFRAME_AES_256_CTR_HMAC_SHA512_32:
      return "AES_256_CTR_HMAC_SHA512_32";
  }
  return "UNKNOWN";
}

size_t sframe_tag_size(int suite) {
  CipherSuite s;
  return SuiteFromC(suite, &s) ? sframe::TagSize(s) : 0;
}

size_t sframe_key_size(int suite) {
  CipherSuite s;
  return SuiteFromC(suite, &s) ? sframe::KeySize(s) : 0;
}

size_t sframe_hash_size(int suite) {
  CipherSuite s;
  return SuiteFromC(suite, &s) ? sframe::HashSize(s) : 0;
}

size_t sframe_max_ciphertext_size(int suite, size_t plaintext_len) {
  CipherSuite s;
  if (!SuiteFromC(suite, &s)) return 0;
  const size_t overhead = sframe::kMaxHeaderSize + sframe::TagSize(s);
  if (plaintext_len > std::numeric_limits<size_t>::max() - overhead) {
    return std::numeric_limits<size_t>::max();
  }
  return plaintext_len + overhead;
}

// ------------------------------------------------------------ header

int sframe_parse_header(const uint8_t* frame, size_t frame_len,
                        uint64_t* key_id, uint64_t* counter,
                        size_t* header_len) {
  if (key_id != nullptr) *key_id = 0;
  if (counter != nullptr) *counter = 0;
  if (header_len != nullptr) *header_len = 0;
  if (key_id == nullptr || counter == nullptr || header_len == nullptr ||
      !ValidInput(frame, frame_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  absl::StatusOr<sframe::ParsedHeader> parsed =
      sframe::ParseHeader(In(frame, frame_len));
  if (!parsed.ok()) return ToC(parsed.status());
  *key_id = parsed->header.key_id;
  *counter = parsed->header.counter;
  *header_len = parsed->bytes.size();
  return SFRAME_OK;
}

// ------------------------------------------------------------ ratchet

int sframe_ratchet_base_key(int suite, const uint8_t* base_key,
                            size_t base_key_len, uint8_t* out,
                            size_t out_capacity, size_t* out_len) {
  if (out_len == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out_len = 0;
  CipherSuite s;
  if (!SuiteFromC(suite, &s) || !ValidInput(base_key, base_key_len) ||
      out == nullptr || out_capacity < sframe::HashSize(s)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    const absl::Status status = sframe::RatchetBaseKey(
        s, In(base_key, base_key_len), Out(out, sframe::HashSize(s)));
    if (status.ok()) *out_len = sframe::HashSize(s);
    return ToC(status);
  });
}

// ------------------------------------------------------------ encryptor

int sframe_encryptor_new_at_counter(int suite, uint64_t key_id,
                                    const uint8_t* base_key,
                                    size_t base_key_len, uint64_t first_counter,
                                    sframe_encryptor** out) {
  if (out == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out = nullptr;
  CipherSuite s;
  if (!SuiteFromC(suite, &s) || !ValidInput(base_key, base_key_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    sframe::Encryptor::Options options;
    options.first_counter = first_counter;
    absl::StatusOr<sframe::Encryptor> enc = sframe::Encryptor::Create(
        s, key_id, In(base_key, base_key_len), options);
    if (!enc.ok()) return ToC(enc.status());
    *out = new sframe_encryptor{std::move(*enc)};
    return SFRAME_OK;
  });
}

int sframe_encryptor_new(int suite, uint64_t key_id, const uint8_t* base_key,
                         size_t base_key_len, sframe_encryptor** out) {
  return sframe_encryptor_new_at_counter(suite, key_id, base_key, base_key_len,
                                         /*first_counter=*/0, out);
}

void sframe_encryptor_free(sframe_encryptor* enc) { delete enc; }

size_t sframe_encryptor_ciphertext_size(const sframe_encryptor* enc,
                                        size_t plaintext_len) {
  if (enc == nullptr) return 0;
  return enc->impl.CiphertextSize(plaintext_len);
}

int sframe_encryptor_encrypt(sframe_encryptor* enc, const uint8_t* metadata,
                             size_t metadata_len, const uint8_t* plaintext,
                             size_t plaintext_len, uint8_t* out,
                             size_t out_capacity, size_t* out_len) {
  const int rc = CheckFrameArgs(enc, metadata, metadata_len, plaintext,
                                plaintext_len, out, out_capacity, out_len);
  if (rc != SFRAME_OK) return rc;
  return Guard([&]() -> int {
    return FinishFrame(
        enc->impl.Encrypt(In(metadata, metadata_len),
                          In(plaintext, plaintext_len), Out(out, out_capacity)),
        out_len);
  });
}

uint64_t sframe_encryptor_key_id(const sframe_encryptor* enc) {
  return enc == nullptr ? 0 : enc->impl.key_id();
}

uint64_t sframe_encryptor_next_counter(const sframe_encryptor* enc) {
  return enc == nullptr ? 0 : enc->impl.next_counter();
}

// ------------------------------------------------------------ decryptor

int sframe_decryptor_new(int suite, size_t replay_window,
                         sframe_decryptor** out) {
  if (out == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out = nullptr;
  CipherSuite s;
  if (!SuiteFromC(suite, &s)) return SFRAME_INVALID_ARGUMENT;
  return Guard([&]() -> int {
    sframe::Decryptor::Options options;
    options.replay_window = replay_window;
    absl::StatusOr<sframe::Decryptor> dec =
        sframe::Decryptor::Create(s, options);
    if (!dec.ok()) return ToC(dec.status());
    *out = new sframe_decryptor{std::move(*dec)};
    return SFRAME_OK;
  });
}

void sframe_decryptor_free(sframe_decryptor* dec) { delete dec; }

int sframe_decryptor_add_key(sframe_decryptor* dec, uint64_t key_id,
                             const uint8_t* base_key, size_t base_key_len) {
  if (dec == nullptr || !ValidInput(base_key, base_key_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    return ToC(dec->impl.AddKey(key_id, In(base_key, base_key_len)));
  });
}

int sframe_decryptor_remove_key(sframe_decryptor* dec, uint64_t key_id) {
  if (dec == nullptr) return SFRAME_INVALID_ARGUMENT;
  return Guard([&]() -> int { return ToC(dec->impl.RemoveKey(key_id)); });
}

int sframe_decryptor_has_key(const sframe_decryptor* dec, uint64_t key_id) {
  return dec != nullptr && dec->impl.HasKey(key_id) ? 1 : 0;
}

int sframe_decryptor_plaintext_size(const sframe_decryptor* dec,
                                    const uint8_t* ciphertext,
                                    size_t ciphertext_len,
                                    size_t* plaintext_len) {
  if (plaintext_len == nullptr) return SFRAME_INVALID_ARGUMENT;
  *plaintext_len = 0;
  if (dec == nullptr || !ValidInput(ciphertext, ciphertext_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  absl::StatusOr<size_t> size =
      dec->impl.PlaintextSize(In(ciphertext, ciphertext_len));
  if (!size.ok()) return ToC(size.status());
  *plaintext_len = *size;
  return SFRAME_OK;
}

int sframe_decryptor_decrypt(sframe_decryptor* dec, const uint8_t* metadata,
                             size_t metadata_len, const uint8_t* ciphertext,
                             size_t ciphertext_len, uint8_t* out,
                             size_t out_capacity, size_t* out_len) {
  const int rc = CheckFrameArgs(dec, metadata, metadata_len, ciphertext,
                                ciphertext_len, out, out_capacity, out_len);
  if (rc != SFRAME_OK) return rc;
  return Guard([&]() -> int {
    return FinishFrame(dec->impl.Decrypt(In(metadata, metadata_len),
                                         In(ciphertext, ciphertext_len),
                                         Out(out, out_capacity)),
                       out_len);
  });
}

}  // extern "C"
