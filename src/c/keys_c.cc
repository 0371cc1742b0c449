// Copyright 2026 The sframecpp Authors.
//
// C API (sframe/c/sframe.h): key-management handles around sframe/keys.h
// (sender keys, RFC 9605 §5.1; MLS, §5.2). The C++ objects are thread-safe,
// so the handles are too; the wrappers add no state of their own.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sframe/c/sframe.h"
#include "sframe/cipher_suite.h"
#include "sframe/keys.h"
#include "src/c/c_api_util.h"

struct sframe_sender_key_encryptor {
  sframe::SenderKeyEncryptor impl;
};

struct sframe_sender_key_decryptor {
  sframe::SenderKeyDecryptor impl;
};

struct sframe_mls_encryptor {
  sframe::MlsEncryptor impl;
};

struct sframe_mls_decryptor {
  sframe::MlsDecryptor impl;
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

void CopyStats(const sframe::SenderStats& in, sframe_receive_stats* out) {
  out->decrypted = in.decrypted;
  out->authentication_failures = in.authentication_failures;
  out->replays = in.replays;
  out->unknown_key_ids = in.unknown_key_ids;
  out->malformed = in.malformed;
  out->ratchet_steps = in.ratchet_steps;
  out->keys_retired = in.keys_retired;
}

}  // namespace

extern "C" {

// ------------------------------------------------------------ sender keys

int sframe_sender_key_encryptor_new(int suite, int ratchet_bits,
                                    uint64_t generation,
                                    const uint8_t* base_key,
                                    size_t base_key_len,
                                    sframe_sender_key_encryptor** out) {
  if (out == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out = nullptr;
  CipherSuite s;
  if (!SuiteFromC(suite, &s) || !ValidInput(base_key, base_key_len) ||
      ratchet_bits < 0) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    absl::StatusOr<sframe::SenderKeyEncryptor> enc =
        sframe::SenderKeyEncryptor::Create(s, ratchet_bits, generation,
                                           In(base_key, base_key_len));
    if (!enc.ok()) return ToC(enc.status());
    *out = new sframe_sender_key_encryptor{std::move(*enc)};
    return SFRAME_OK;
  });
}

void sframe_sender_key_encryptor_free(sframe_sender_key_encryptor* enc) {
  delete enc;
}

size_t sframe_sender_key_encryptor_ciphertext_size(
    const sframe_sender_key_encryptor* enc, size_t plaintext_len) {
  if (enc == nullptr) return 0;
  return enc->impl.CiphertextSize(plaintext_len);
}

int sframe_sender_key_encryptor_encrypt(sframe_sender_key_encryptor* enc,
                                        const uint8_t* metadata,
                                        size_t metadata_len,
                                        const uint8_t* plaintext,
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

int sframe_sender_key_encryptor_ratchet(sframe_sender_key_encryptor* enc) {
  if (enc == nullptr) return SFRAME_INVALID_ARGUMENT;
  return Guard([&]() -> int { return ToC(enc->impl.Ratchet()); });
}

int sframe_sender_key_encryptor_rekey(sframe_sender_key_encryptor* enc,
                                      const uint8_t* new_base_key,
                                      size_t new_base_key_len) {
  if (enc == nullptr || !ValidInput(new_base_key, new_base_key_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    return ToC(enc->impl.Rekey(In(new_base_key, new_base_key_len)));
  });
}

uint64_t sframe_sender_key_encryptor_key_id(
    const sframe_sender_key_encryptor* enc) {
  return enc == nullptr ? 0 : enc->impl.key_id();
}

uint64_t sframe_sender_key_encryptor_generation(
    const sframe_sender_key_encryptor* enc) {
  return enc == nullptr ? 0 : enc->impl.generation();
}

uint64_t sframe_sender_key_encryptor_step(
    const sframe_sender_key_encryptor* enc) {
  return enc == nullptr ? 0 : enc->impl.step();
}

int sframe_sender_key_decryptor_new(int suite, size_t replay_window,
                                    sframe_sender_key_decryptor** out) {
  if (out == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out = nullptr;
  CipherSuite s;
  if (!SuiteFromC(suite, &s)) return SFRAME_INVALID_ARGUMENT;
  return Guard([&]() -> int {
    sframe::SenderKeyDecryptor::Options options;
    options.replay_window = replay_window;
    absl::StatusOr<sframe::SenderKeyDecryptor> dec =
        sframe::SenderKeyDecryptor::Create(s, options);
    if (!dec.ok()) return ToC(dec.status());
    *out = new sframe_sender_key_decryptor{std::move(*dec)};
    return SFRAME_OK;
  });
}

void sframe_sender_key_decryptor_free(sframe_sender_key_decryptor* dec) {
  delete dec;
}

int sframe_sender_key_decryptor_add_sender(sframe_sender_key_decryptor* dec,
                                           uint64_t sender, int ratchet_bits) {
  if (dec == nullptr) return SFRAME_INVALID_ARGUMENT;
  return Guard(
      [&]() -> int { return ToC(dec->impl.AddSender(sender, ratchet_bits)); });
}

int sframe_sender_key_decryptor_remove_sender(sframe_sender_key_decryptor* dec,
                                              uint64_t sender) {
  if (dec == nullptr) return SFRAME_INVALID_ARGUMENT;
  return Guard([&]() -> int { return ToC(dec->impl.RemoveSender(sender)); });
}

int sframe_sender_key_decryptor_install_key(sframe_sender_key_decryptor* dec,
                                            uint64_t sender,
                                            uint64_t generation, uint64_t step,
                                            const uint8_t* base_key,
                                            size_t base_key_len) {
  if (dec == nullptr || !ValidInput(base_key, base_key_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    return ToC(dec->impl.InstallKey(sender, generation, step,
                                    In(base_key, base_key_len)));
  });
}

int sframe_sender_key_decryptor_decrypt(
    sframe_sender_key_decryptor* dec, uint64_t sender, const uint8_t* metadata,
    size_t metadata_len, const uint8_t* ciphertext, size_t ciphertext_len,
    uint8_t* out, size_t out_capacity, size_t* out_len) {
  const int rc = CheckFrameArgs(dec, metadata, metadata_len, ciphertext,
                                ciphertext_len, out, out_capacity, out_len);
  if (rc != SFRAME_OK) return rc;
  return Guard([&]() -> int {
    return FinishFrame(dec->impl.Decrypt(sender, In(metadata, metadata_len),
                                         In(ciphertext, ciphertext_len),
                                         Out(out, out_capacity)),
                       out_len);
  });
}

void sframe_sender_key_decryptor_expire_keys(sframe_sender_key_decryptor* dec) {
  if (dec == nullptr) return;
  Guard([&] { dec->impl.ExpireKeys(); });
}

int sframe_sender_key_decryptor_stats(const sframe_sender_key_decryptor* dec,
                                      uint64_t sender,
                                      sframe_receive_stats* stats) {
  if (stats == nullptr) return SFRAME_INVALID_ARGUMENT;
  *stats = sframe_receive_stats{};
  if (dec == nullptr) return SFRAME_INVALID_ARGUMENT;
  std::optional<sframe::SenderStats> s = dec->impl.GetSenderStats(sender);
  if (!s.has_value()) return SFRAME_NOT_FOUND;
  CopyStats(*s, stats);
  return SFRAME_OK;
}

// ------------------------------------------------------------ MLS

int sframe_mls_encryptor_new(int suite, int epoch_bits, int sender_bits,
                             uint64_t sender_index,
                             sframe_mls_encryptor** out) {
  if (out == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out = nullptr;
  CipherSuite s;
  if (!SuiteFromC(suite, &s)) return SFRAME_INVALID_ARGUMENT;
  return Guard([&]() -> int {
    const sframe::MlsKeyIdLayout layout{epoch_bits, sender_bits};
    absl::StatusOr<sframe::MlsEncryptor> enc =
        sframe::MlsEncryptor::Create(s, layout, sender_index);
    if (!enc.ok()) return ToC(enc.status());
    *out = new sframe_mls_encryptor{std::move(*enc)};
    return SFRAME_OK;
  });
}

void sframe_mls_encryptor_free(sframe_mls_encryptor* enc) { delete enc; }

int sframe_mls_encryptor_set_epoch(sframe_mls_encryptor* enc, uint64_t epoch,
                                   const uint8_t* base_key,
                                   size_t base_key_len) {
  if (enc == nullptr || !ValidInput(base_key, base_key_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    return ToC(enc->impl.SetEpoch(epoch, In(base_key, base_key_len)));
  });
}

size_t sframe_mls_encryptor_ciphertext_size(const sframe_mls_encryptor* enc,
                                            uint64_t context,
                                            size_t plaintext_len) {
  if (enc == nullptr) return 0;
  return enc->impl.CiphertextSize(context, plaintext_len);
}

int sframe_mls_encryptor_encrypt(sframe_mls_encryptor* enc, uint64_t context,
                                 const uint8_t* metadata, size_t metadata_len,
                                 const uint8_t* plaintext, size_t plaintext_len,
                                 uint8_t* out, size_t out_capacity,
                                 size_t* out_len) {
  const int rc = CheckFrameArgs(enc, metadata, metadata_len, plaintext,
                                plaintext_len, out, out_capacity, out_len);
  if (rc != SFRAME_OK) return rc;
  return Guard([&]() -> int {
    return FinishFrame(
        enc->impl.Encrypt(context, In(metadata, metadata_len),
                          In(plaintext, plaintext_len), Out(out, out_capacity)),
        out_len);
  });
}

int sframe_mls_decryptor_new(int suite, int epoch_bits, int sender_bits,
                             size_t replay_window, sframe_mls_decryptor** out) {
  if (out == nullptr) return SFRAME_INVALID_ARGUMENT;
  *out = nullptr;
  CipherSuite s;
  if (!SuiteFromC(suite, &s)) return SFRAME_INVALID_ARGUMENT;
  return Guard([&]() -> int {
    const sframe::MlsKeyIdLayout layout{epoch_bits, sender_bits};
    sframe::MlsDecryptor::Options options;
    options.replay_window = replay_window;
    absl::StatusOr<sframe::MlsDecryptor> dec =
        sframe::MlsDecryptor::Create(s, layout, options);
    if (!dec.ok()) return ToC(dec.status());
    *out = new sframe_mls_decryptor{std::move(*dec)};
    return SFRAME_OK;
  });
}

void sframe_mls_decryptor_free(sframe_mls_decryptor* dec) { delete dec; }

int sframe_mls_decryptor_add_epoch(sframe_mls_decryptor* dec, uint64_t epoch,
                                   const uint8_t* base_key,
                                   size_t base_key_len) {
  if (dec == nullptr || !ValidInput(base_key, base_key_len)) {
    return SFRAME_INVALID_ARGUMENT;
  }
  return Guard([&]() -> int {
    return ToC(dec->impl.AddEpoch(epoch, In(base_key, base_key_len)));
  });
}

size_t sframe_mls_decryptor_purge_before(sframe_mls_decryptor* dec,
                                         uint64_t epoch) {
  if (dec == nullptr) return 0;
  return Guard([&]() -> size_t { return dec->impl.PurgeBefore(epoch); });
}

int sframe_mls_decryptor_decrypt(sframe_mls_decryptor* dec,
                                 const uint8_t* metadata, size_t metadata_len,
                                 const uint8_t* ciphertext,
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

void sframe_mls_decryptor_expire_keys(sframe_mls_decryptor* dec) {
  if (dec == nullptr) return;
  Guard([&] { dec->impl.ExpireKeys(); });
}

int sframe_mls_decryptor_stats(const sframe_mls_decryptor* dec,
                               sframe_receive_stats* stats) {
  if (stats == nullptr) return SFRAME_INVALID_ARGUMENT;
  *stats = sframe_receive_stats{};
  if (dec == nullptr) return SFRAME_INVALID_ARGUMENT;
  CopyStats(dec->impl.GetStats(), stats);
  return SFRAME_OK;
}

}  // extern "C"
