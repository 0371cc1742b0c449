// Copyright 2026 The sframecpp Authors.

#include "tools/sframe/vectors.h"

#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "sframe/header.h"
#include "sframe/keys.h"
#include "sframe/media.h"
#include "sframe/sframe.h"
#include "src/core/key_schedule.h"
#include "src/crypto/aead.h"
#include "tools/sframe/hex.h"

namespace sframe {
namespace tools {
namespace {

using Json = nlohmann::json;

// A field could not be read: the case is malformed.
struct BadField {
  std::string message;
};

// Integers may be JSON numbers up to 2^64-1 or decimal strings. Numbers
// are read as uint64 (never via double); floats and negatives are rejected.
uint64_t U64(const Json& c, const char* name) {
  if (!c.contains(name)) throw BadField{absl::StrCat("missing '", name, "'")};
  const Json& v = c.at(name);
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(v.get<int64_t>());
  }
  if (v.is_string()) {
    std::optional<uint64_t> parsed = ParseU64(v.get<std::string>());
    if (parsed) return *parsed;
  }
  throw BadField{
      absl::StrCat("'", name, "' is not an unsigned 64-bit integer")};
}

std::vector<uint8_t> Bytes(const Json& c, const char* name) {
  if (!c.contains(name) || !c.at(name).is_string()) {
    throw BadField{absl::StrCat("missing or non-string '", name, "'")};
  }
  std::optional<std::vector<uint8_t>> bytes =
      FromHex(c.at(name).get<std::string>());
  if (!bytes) throw BadField{absl::StrCat("'", name, "' is not hex")};
  return *bytes;
}

CipherSuite Suite(const Json& c) {
  absl::StatusOr<CipherSuite> suite = CipherSuiteFromId(U64(c, "cipher_suite"));
  if (!suite.ok()) throw BadField{"unknown cipher_suite"};
  return *suite;
}

// Collects mismatches of one case.
class Checker {
 public:
  void Expect(bool ok, absl::string_view what) {
    if (!ok) errors_.push_back(std::string(what));
  }
  // Compares an intermediate value when the case carries it.
  void ExpectOptional(const Json& c, const char* name,
                      absl::Span<const uint8_t> actual) {
    if (c.contains(name)) {
      Expect(
          Bytes(c, name) == std::vector<uint8_t>(actual.begin(), actual.end()),
          name);
    }
  }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

void CheckHeader(const Json& c, Checker& check) {
  const Header header{U64(c, "kid"), U64(c, "ctr")};
  const std::vector<uint8_t> encoded = Bytes(c, "encoded");
  uint8_t buf[kMaxHeaderSize];
  absl::StatusOr<absl::Span<uint8_t>> out = EncodeHeader(header, buf);
  check.Expect(
      out.ok() && std::vector<uint8_t>(out->begin(), out->end()) == encoded,
      "encode");
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(encoded);
  check.Expect(parsed.ok() && parsed->header == header &&
                   parsed->bytes.size() == encoded.size(),
               "decode");
}

void CheckAead(const Json& c, Checker& check) {
  const CipherSuite suite = Suite(c);
  const std::vector<uint8_t> key = Bytes(c, "key");
  const std::vector<uint8_t> nonce = Bytes(c, "nonce");
  const std::vector<uint8_t> aad = Bytes(c, "aad");
  const std::vector<uint8_t> pt = Bytes(c, "pt");
  const std::vector<uint8_t> ct = Bytes(c, "ct");
  if (key.size() != KeySize(suite) || nonce.size() != kNonceSize ||
      ct.size() != pt.size() + TagSize(suite)) {
    throw BadField{"sizes do not match the suite"};
  }
  const size_t nka = AesKeySize(suite);
  check.ExpectOptional(c, "enc_key", absl::MakeSpan(key).first(nka));
  check.ExpectOptional(c, "auth_key", absl::MakeSpan(key).subspan(nka));
  auto aead = internal::Aead::Create(suite, key);
  if (!aead.ok()) {
    check.Expect(false, "AEAD setup");
    return;
  }
  std::vector<uint8_t> out(ct.size());
  check.Expect((*aead)->Seal(nonce.data(), aad, {}, pt, out.data(),
                             out.data() + pt.size()) &&
                   out == ct,
               "encrypt");
  std::vector<uint8_t> back(pt.size());
  check.Expect(
      (*aead)->Open(nonce.data(), aad, {}, absl::MakeSpan(ct).first(pt.size()),
                    ct.data() + pt.size(), back.data()) &&
          back == pt,
      "decrypt");
  std::vector<uint8_t> forged = ct;
  forged.back() ^= 1;
  check.Expect(!(*aead)->Open(nonce.data(), aad, {},
                              absl::MakeSpan(forged).first(pt.size()),
                              forged.data() + pt.size(), back.data()),
               "tampered tag accepted");
}

void CheckSframe(const Json& c, Checker& check) {
  const CipherSuite suite = Suite(c);
  const KeyId kid = U64(c, "kid");
  const Counter ctr = U64(c, "ctr");
  const std::vector<uint8_t> base_key = Bytes(c, "base_key");
  const std::vector<uint8_t> metadata = Bytes(c, "metadata");
  const std::vector<uint8_t> pt = Bytes(c, "pt");
  const std::vector<uint8_t> ct = Bytes(c, "ct");

  check.ExpectOptional(c, "sframe_key_label",
                       internal::SframeKeyLabel(kid, suite));
  check.ExpectOptional(c, "sframe_salt_label",
                       internal::SframeSaltLabel(kid, suite));
  absl::StatusOr<internal::DerivedKey> derived =
      internal::DeriveKeySalt(suite, kid, base_key);
  if (!derived.ok()) {
    check.Expect(false, "derive_key_salt");
    return;
  }
  check.ExpectOptional(c, "sframe_secret", derived->sframe_secret.span());
  check.ExpectOptional(c, "sframe_key", derived->sframe_key.span());
  check.ExpectOptional(c, "sframe_salt", derived->sframe_salt);
  check.ExpectOptional(c, "nonce",
                       internal::MakeNonce(derived->sframe_salt, ctr));
  if (c.contains("aad")) {
    uint8_t header[kMaxHeaderSize];
    absl::StatusOr<absl::Span<uint8_t>> h = EncodeHeader({kid, ctr}, header);
    std::vector<uint8_t> aad(h->begin(), h->end());
    aad.insert(aad.end(), metadata.begin(), metadata.end());
    check.ExpectOptional(c, "aad", aad);
  }

  Encryptor::Options options;
  options.first_counter = ctr;
  absl::StatusOr<Encryptor> enc =
      Encryptor::Create(suite, kid, base_key, options);
  if (!enc.ok()) {
    check.Expect(false, "install send key");
    return;
  }
  std::vector<uint8_t> out(enc->CiphertextSize(pt.size()));
  absl::StatusOr<absl::Span<uint8_t>> sealed =
      enc->Encrypt(metadata, pt, absl::MakeSpan(out));
  check.Expect(
      sealed.ok() && std::vector<uint8_t>(sealed->begin(), sealed->end()) == ct,
      "encrypt");

  absl::StatusOr<Decryptor> dec = Decryptor::Create(suite);
  if (!dec.ok() || !dec->AddKey(kid, base_key).ok()) {
    check.Expect(false, "install receive key");
    return;
  }
  std::vector<uint8_t> back(ct.size());
  absl::StatusOr<absl::Span<uint8_t>> opened =
      dec->Decrypt(metadata, ct, absl::MakeSpan(back));
  check.Expect(
      opened.ok() && std::vector<uint8_t>(opened->begin(), opened->end()) == pt,
      "decrypt");
  // The same frame with other metadata must fail its tag. On a fresh
  // receiver: `dec` has seen the counter, so it would refuse any copy as a
  // replay (kAlreadyExists) before the tag is checked.
  std::vector<uint8_t> other_metadata = metadata;
  other_metadata.push_back(0);
  absl::StatusOr<Decryptor> fresh = Decryptor::Create(suite);
  check.Expect(fresh.ok() && fresh->AddKey(kid, base_key).ok() &&
                   fresh->Decrypt(other_metadata, ct, absl::MakeSpan(back))
                           .status()
                           .code() == absl::StatusCode::kDataLoss,
               "altered metadata accepted");
}

// Checks the derived key and salt of (kid, base_key) and the full frame:
// encrypt with an explicit counter, and decrypt with a plain Decryptor.
void CheckFrame(const Json& c, CipherSuite suite, KeyId kid,
                absl::Span<const uint8_t> base_key, Checker& check) {
  const Counter ctr = U64(c, "ctr");
  const std::vector<uint8_t> metadata = Bytes(c, "metadata");
  const std::vector<uint8_t> pt = Bytes(c, "pt");
  const std::vector<uint8_t> ct = Bytes(c, "ct");
  absl::StatusOr<internal::DerivedKey> derived =
      internal::DeriveKeySalt(suite, kid, base_key);
  if (!derived.ok()) {
    check.Expect(false, "derive_key_salt");
    return;
  }
  check.ExpectOptional(c, "sframe_key", derived->sframe_key.span());
  check.ExpectOptional(c, "sframe_salt", derived->sframe_salt);
  Encryptor::Options options;
  options.first_counter = ctr;
  absl::StatusOr<Encryptor> enc =
      Encryptor::Create(suite, kid, base_key, options);
  if (!enc.ok()) {
    check.Expect(false, "install send key");
    return;
  }
  std::vector<uint8_t> out(enc->CiphertextSize(pt.size()));
  absl::StatusOr<absl::Span<uint8_t>> sealed =
      enc->Encrypt(metadata, pt, absl::MakeSpan(out));
  check.Expect(
      sealed.ok() && std::vector<uint8_t>(sealed->begin(), sealed->end()) == ct,
      "encrypt");
}

bool Decrypts(absl::StatusOr<absl::Span<uint8_t>> opened,
              const std::vector<uint8_t>& pt) {
  return opened.ok() &&
         std::vector<uint8_t>(opened->begin(), opened->end()) == pt;
}

// Section `ssrc_key` (tests/data/README.md): draft-ietf-avtcore-rtp-sframe-02
// per-SSRC base keys.
void CheckSsrcKey(const Json& c, Checker& check) {
  const CipherSuite suite = Suite(c);
  const std::vector<uint8_t> base_key = Bytes(c, "base_key");
  const uint64_t ssrc = U64(c, "ssrc");
  const std::vector<uint8_t> expected = Bytes(c, "ssrc_key");
  if (ssrc > 0xffffffffu) throw BadField{"'ssrc' does not fit in 32 bits"};
  if (c.contains("label")) {
    const std::string label = kSsrcKeyLabel;
    check.ExpectOptional(
        c, "label",
        absl::Span<const uint8_t>(
            reinterpret_cast<const uint8_t*>(label.data()), label.size()));
  }
  std::vector<uint8_t> out(HashSize(suite));
  check.Expect(DeriveSsrcBaseKey(suite, base_key, static_cast<uint32_t>(ssrc),
                                 absl::MakeSpan(out))
                       .ok() &&
                   out == expected,
               "ssrc_key");
}

// Section `ratchet` (tests/data/README.md): RFC 9605 §5.1.
void CheckRatchet(const Json& c, Checker& check) {
  const CipherSuite suite = Suite(c);
  const std::vector<uint8_t> base_key = Bytes(c, "base_key");
  const uint64_t bits = U64(c, "ratchet_bits");
  const uint64_t generation = U64(c, "generation");
  const uint64_t step = U64(c, "step");
  const KeyId kid = U64(c, "kid");
  const std::vector<uint8_t> ratcheted = Bytes(c, "ratcheted_key");
  if (bits > 63 || step > 100000) throw BadField{"ratchet_bits or step"};
  if (c.contains("chain") &&
      (!c.at("chain").is_array() || c.at("chain").size() != step)) {
    throw BadField{"'chain' is not an array of `step` keys"};
  }
  // The chain, step by step.
  std::vector<uint8_t> key = base_key;
  for (uint64_t i = 0; i < step; ++i) {
    std::vector<uint8_t> next(HashSize(suite));
    if (!RatchetBaseKey(suite, key, absl::MakeSpan(next)).ok()) {
      check.Expect(false, "ratchet");
      return;
    }
    key = next;
    if (c.contains("chain")) {
      const Json& link = c.at("chain")[i];
      std::optional<std::vector<uint8_t>> want =
          link.is_string() ? FromHex(link.get<std::string>()) : std::nullopt;
      if (!want) throw BadField{"'chain' entry is not hex"};
      check.Expect(*want == key, absl::StrCat("chain[", i, "]"));
    }
  }
  check.Expect(key == ratcheted, "ratcheted_key");
  absl::StatusOr<KeyId> computed =
      SenderKeyId(static_cast<int>(bits), generation, step);
  check.Expect(computed.ok() && *computed == kid, "kid");
  CheckFrame(c, suite, kid, ratcheted, check);

  // Through the key-management objects: a sender that ratchets `step` times
  // (when the vector's counter is where a fresh key starts), and a receiver
  // that has only the generation's first key and ratchets ahead.
  const std::vector<uint8_t> metadata = Bytes(c, "metadata");
  const std::vector<uint8_t> pt = Bytes(c, "pt");
  const std::vector<uint8_t> ct = Bytes(c, "ct");
  if (U64(c, "ctr") == 0) {
    absl::StatusOr<SenderKeyEncryptor> tx = SenderKeyEncryptor::Create(
        suite, static_cast<int>(bits), generation, base_key);
    bool ok = tx.ok();
    for (uint64_t i = 0; ok && i < step; ++i) ok = tx->Ratchet().ok();
    std::vector<uint8_t> out(ct.size() + kMaxHeaderSize);
    absl::StatusOr<absl::Span<uint8_t>> sealed =
        ok ? tx->Encrypt(metadata, pt, absl::MakeSpan(out))
           : absl::StatusOr<absl::Span<uint8_t>>(absl::InternalError(""));
    check.Expect(sealed.ok() &&
                     std::vector<uint8_t>(sealed->begin(), sealed->end()) == ct,
                 "SenderKeyEncryptor");
  }
  if (bits <= 16 && step < (uint64_t{1} << bits)) {
    SenderKeyDecryptor::Options o;
    o.max_steps_ahead = 1u << 16;
    o.max_retained_steps = 0;
    absl::StatusOr<SenderKeyDecryptor> rx =
        SenderKeyDecryptor::Create(suite, o);
    std::vector<uint8_t> out(ct.size());
    check.Expect(
        rx.ok() && rx->AddSender(1, static_cast<int>(bits)).ok() &&
            rx->InstallKey(1, generation, 0, base_key).ok() &&
            Decrypts(rx->Decrypt(1, metadata, ct, absl::MakeSpan(out)), pt) &&
            rx->current_step(1) == step,
        "SenderKeyDecryptor");
  }
}

// Section `mls` (tests/data/README.md): RFC 9605 §5.2.
void CheckMls(const Json& c, Checker& check) {
  const uint64_t e = U64(c, "epoch_bits");
  const uint64_t s = U64(c, "sender_bits");
  if (e > 64 || s > 64) throw BadField{"epoch_bits or sender_bits"};
  const MlsKeyIdLayout layout{static_cast<int>(e), static_cast<int>(s)};
  const uint64_t epoch = U64(c, "epoch");
  const uint64_t index = U64(c, "sender_index");
  const uint64_t context = U64(c, "context");
  const KeyId kid = U64(c, "kid");
  absl::StatusOr<KeyId> computed = MlsKeyId(layout, epoch, index, context);
  check.Expect(computed.ok() && *computed == kid, "kid");
  absl::StatusOr<MlsKeyIdParts> parts = ParseMlsKeyId(layout, kid);
  const uint64_t low = e >= 64 ? epoch : epoch & ((uint64_t{1} << e) - 1);
  check.Expect(parts.ok() && parts->epoch_low_bits == low &&
                   parts->sender_index == index && parts->context == context,
               "parse kid");
  if (!c.contains("ct")) return;

  const CipherSuite suite = Suite(c);
  const std::vector<uint8_t> base_key = Bytes(c, "base_key");
  CheckFrame(c, suite, kid, base_key, check);
  const std::vector<uint8_t> metadata = Bytes(c, "metadata");
  const std::vector<uint8_t> pt = Bytes(c, "pt");
  const std::vector<uint8_t> ct = Bytes(c, "ct");
  if (U64(c, "ctr") == 0) {
    absl::StatusOr<MlsEncryptor> tx =
        MlsEncryptor::Create(suite, layout, index);
    std::vector<uint8_t> out(ct.size() + kMaxHeaderSize);
    bool ok = tx.ok() && tx->SetEpoch(epoch, base_key).ok();
    absl::StatusOr<absl::Span<uint8_t>> sealed =
        ok ? tx->Encrypt(context, metadata, pt, absl::MakeSpan(out))
           : absl::StatusOr<absl::Span<uint8_t>>(absl::InternalError(""));
    check.Expect(sealed.ok() &&
                     std::vector<uint8_t>(sealed->begin(), sealed->end()) == ct,
                 "MlsEncryptor");
  }
  absl::StatusOr<MlsDecryptor> rx = MlsDecryptor::Create(suite, layout);
  std::vector<uint8_t> out(ct.size());
  check.Expect(rx.ok() && rx->AddEpoch(epoch, base_key).ok() &&
                   Decrypts(rx->Decrypt(metadata, ct, absl::MakeSpan(out)), pt),
               "MlsDecryptor");
}

using CaseChecker = std::function<void(const Json&, Checker&)>;

const std::map<std::string, CaseChecker>& KnownSections() {
  static const auto* sections = new std::map<std::string, CaseChecker>{
      {"header", CheckHeader},
      {"aes_ctr_hmac", CheckAead},
      {"aes_256_ctr_hmac", CheckAead},
      {"sframe", CheckSframe},
      {"sframe_aes_256_ctr_hmac", CheckSframe},
      {"ratchet", CheckRatchet},
      {"ssrc_key", CheckSsrcKey},
      {"mls", CheckMls},
  };
  return *sections;
}

}  // namespace

int FileResult::passed() const {
  int n = 0;
  for (const SectionResult& s : sections) n += s.passed;
  return n;
}

int FileResult::failed() const {
  int n = 0;
  for (const SectionResult& s : sections) n += s.failed;
  return n;
}

absl::StatusOr<FileResult> VerifyVectors(absl::string_view json_text) {
  Json doc = Json::parse(json_text.begin(), json_text.end(), nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  if (!doc.is_object()) {
    return absl::InvalidArgumentError("top level is not a JSON object");
  }
  FileResult result;
  for (auto& [name, cases] : doc.items()) {
    if (!cases.is_array()) {
      return absl::InvalidArgumentError(
          absl::StrCat("section '", name, "' is not an array"));
    }
    SectionResult section;
    section.name = name;
    auto known = KnownSections().find(name);
    if (known == KnownSections().end()) {
      section.known = false;
      result.sections.push_back(std::move(section));
      continue;
    }
    for (size_t i = 0; i < cases.size(); ++i) {
      Checker check;
      std::string why;
      if (!cases[i].is_object()) {
        why = "case is not an object";
      } else {
        try {
          known->second(cases[i], check);
        } catch (const BadField& bad) {
          why = bad.message;
        } catch (const std::exception& e) {
          why = e.what();
        }
      }
      for (const std::string& e : check.errors()) {
        why += why.empty() ? e : ", " + e;
      }
      if (why.empty()) {
        ++section.passed;
      } else {
        ++section.failed;
        section.failures.push_back(absl::StrCat(name, "[", i, "]: ", why));
      }
    }
    result.sections.push_back(std::move(section));
  }
  return result;
}

}  // namespace tools
}  // namespace sframe
