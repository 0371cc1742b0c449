// Copyright 2026 The sframecpp Authors.

#include "tools/sframe/vectors.h"

#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "sframe/header.h"
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
  std::vector<uint8_t> other_metadata = metadata;
  other_metadata.push_back(0);
  check.Expect(!dec->Decrypt(other_metadata, ct, absl::MakeSpan(back)).ok(),
               "altered metadata accepted");
}

using CaseChecker = std::function<void(const Json&, Checker&)>;

const std::map<std::string, CaseChecker>& KnownSections() {
  static const auto* sections = new std::map<std::string, CaseChecker>{
      {"header", CheckHeader},
      {"aes_ctr_hmac", CheckAead},
      {"aes_256_ctr_hmac", CheckAead},
      {"sframe", CheckSframe},
      {"sframe_aes_256_ctr_hmac", CheckSframe},
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
