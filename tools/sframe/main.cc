// Copyright 2026 The sframecpp Authors.
//
// The `sframe` command-line tool (DESIGN.md §5). Run `sframe --help`.

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sframe/cipher_suite.h"
#include "sframe/header.h"
#include "sframe/keys.h"
#include "sframe/media.h"
#include "sframe/sframe.h"
#include "tools/sframe/hex.h"
#include "tools/sframe/vectors.h"

namespace sframe {
namespace tools {
namespace {

constexpr char kUsage[] =
    R"(usage: sframe <command> [options]

commands:
  vectors FILE.json...
      Verify test-vector files of the official SFrame JSON schema.
  encrypt --suite ID --key HEX --kid N [--ctr N] [--metadata HEX] PLAINTEXT_HEX
      Encrypt one frame; prints the SFrame ciphertext in hex.
  decrypt --suite ID --key HEX --kid N [--metadata HEX] CIPHERTEXT_HEX
      Decrypt one frame; prints the plaintext in hex.
  inspect CIPHERTEXT_HEX
      Print the KID, CTR and header length of a frame (no key needed).
  ratchet --suite ID --key HEX [--steps N]
      Print the base_key after N ratchet steps (RFC 9605 §5.1; default 1,
      at most 1000000).
  mls-kid --epoch-bits E --sender-bits S --epoch N --index I [--context C]
      Print the MLS KID (RFC 9605 §5.2) in decimal.
  ssrc-key --suite ID --key HEX --ssrc N
      Print the per-SSRC base_key of draft-ietf-avtcore-rtp-sframe-02, hex.

--suite takes an IANA id (1-8) or a name such as aes128gcm, aes256ctr80.
--key is the base_key. Integers are decimal or 0x-prefixed hex.
)";

// Limits on what the tool will do for one command: each ratchet step is an
// HKDF, and the official vector files are about 100 KiB.
constexpr uint64_t kMaxRatchetSteps = 1000000;
constexpr size_t kMaxVectorFileSize = size_t{16} << 20;

int Fail(const std::string& message) {
  std::fprintf(stderr, "sframe: %s\n", message.c_str());
  return 1;
}

// Parsed "--name value" options and positional arguments.
struct Args {
  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
};

std::optional<Args> ParseArgs(int argc, char** argv, int first,
                              std::string* error) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      if (i + 1 >= argc) {
        *error = absl::StrCat("option ", a, " needs a value");
        return std::nullopt;
      }
      // An option given twice is an error, not "the last one wins": a
      // script that sets --ctr twice has a bug worth hearing about.
      if (!args.options.emplace(a.substr(2), argv[++i]).second) {
        *error = absl::StrCat("option ", a, " given twice");
        return std::nullopt;
      }
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

std::optional<CipherSuite> ParseSuite(const std::string& text) {
  if (std::optional<uint64_t> id = ParseU64(text)) {
    absl::StatusOr<CipherSuite> suite = CipherSuiteFromId(*id);
    if (suite.ok()) return *suite;
    return std::nullopt;
  }
  for (CipherSuite s : kAllCipherSuites) {
    if (text == CipherSuiteShortName(s) || text == CipherSuiteName(s)) return s;
  }
  return std::nullopt;
}

// Reads the options shared by encrypt and decrypt.
struct KeyOptions {
  CipherSuite suite;
  std::vector<uint8_t> key;
  KeyId kid;
  std::vector<uint8_t> metadata;
  std::vector<uint8_t> data;
};

std::optional<KeyOptions> ReadKeyOptions(const Args& args,
                                         const std::set<std::string>& allowed,
                                         std::string* error) {
  for (const auto& [name, value] : args.options) {
    if (!allowed.count(name)) {
      *error = absl::StrCat("unknown option --", name);
      return std::nullopt;
    }
  }
  for (const char* required : {"suite", "key", "kid"}) {
    if (!args.options.count(required)) {
      *error = absl::StrCat("missing --", required);
      return std::nullopt;
    }
  }
  if (args.positional.size() != 1) {
    *error = "expected exactly one hex argument";
    return std::nullopt;
  }
  KeyOptions out;
  std::optional<CipherSuite> suite = ParseSuite(args.options.at("suite"));
  if (!suite) {
    *error = absl::StrCat("unknown cipher suite '", args.options.at("suite"),
                          "' (use 1-8 or a name such as aes128gcm)");
    return std::nullopt;
  }
  out.suite = *suite;
  std::optional<std::vector<uint8_t>> key = FromHex(args.options.at("key"));
  if (!key || key->empty()) {
    *error = "--key is not a non-empty hex string";
    return std::nullopt;
  }
  out.key = *key;
  std::optional<uint64_t> kid = ParseU64(args.options.at("kid"));
  if (!kid) {
    *error = absl::StrCat("--kid is not an unsigned 64-bit integer: '",
                          args.options.at("kid"), "'");
    return std::nullopt;
  }
  out.kid = *kid;
  if (args.options.count("metadata")) {
    std::optional<std::vector<uint8_t>> m =
        FromHex(args.options.at("metadata"));
    if (!m) {
      *error = "--metadata is not a hex string";
      return std::nullopt;
    }
    out.metadata = *m;
  }
  std::optional<std::vector<uint8_t>> data = FromHex(args.positional[0]);
  if (!data) {
    *error = "the argument is not a hex string";
    return std::nullopt;
  }
  out.data = *data;
  return out;
}

int Encrypt(const Args& args) {
  std::string error;
  std::optional<KeyOptions> o =
      ReadKeyOptions(args, {"suite", "key", "kid", "ctr", "metadata"}, &error);
  if (!o) return Fail(error);
  Encryptor::Options options;
  if (args.options.count("ctr")) {
    std::optional<uint64_t> ctr = ParseU64(args.options.at("ctr"));
    if (!ctr) {
      return Fail(absl::StrCat("--ctr is not an unsigned 64-bit integer: '",
                               args.options.at("ctr"), "'"));
    }
    options.first_counter = *ctr;
  }
  absl::StatusOr<Encryptor> enc =
      Encryptor::Create(o->suite, o->kid, o->key, options);
  if (!enc.ok()) return Fail(std::string(enc.status().message()));
  std::vector<uint8_t> out(enc->CiphertextSize(o->data.size()));
  absl::StatusOr<absl::Span<uint8_t>> ct =
      enc->Encrypt(o->metadata, o->data, absl::MakeSpan(out));
  if (!ct.ok()) return Fail(ct.status().ToString());
  std::printf("%s\n", ToHex(*ct).c_str());
  return 0;
}

std::string Reason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kDataLoss:
      return "malformed, truncated or tampered frame (authentication failed)";
    case absl::StatusCode::kNotFound:
      return "no key for the frame's KID";
    default:
      return status.ToString();
  }
}

int Decrypt(const Args& args) {
  std::string error;
  std::optional<KeyOptions> o =
      ReadKeyOptions(args, {"suite", "key", "kid", "metadata"}, &error);
  if (!o) return Fail(error);
  absl::StatusOr<ParsedHeader> header = ParseHeader(o->data);
  if (!header.ok()) {
    return Fail(o->data.empty() ? "decrypt failed: empty frame"
                                : "decrypt failed: malformed or truncated "
                                  "SFrame header");
  }
  if (header->payload.size() < TagSize(o->suite)) {
    return Fail(absl::StrCat(
        "decrypt failed: frame too short (", header->payload.size(),
        " bytes after the header, the tag alone is ", TagSize(o->suite), ")"));
  }
  absl::StatusOr<Decryptor> dec = Decryptor::Create(o->suite);
  if (!dec.ok()) return Fail(std::string(dec.status().message()));
  absl::Status added = dec->AddKey(o->kid, o->key);
  if (!added.ok()) return Fail(std::string(added.message()));
  std::vector<uint8_t> out(o->data.size());
  absl::StatusOr<absl::Span<uint8_t>> pt =
      dec->Decrypt(o->metadata, o->data, absl::MakeSpan(out));
  if (!pt.ok()) {
    if (pt.status().code() == absl::StatusCode::kNotFound) {
      return Fail(absl::StrCat("decrypt failed: the frame's KID ",
                               header->header.key_id, " is not --kid ",
                               o->kid));
    }
    return Fail(absl::StrCat("decrypt failed: ", Reason(pt.status())));
  }
  std::printf("%s\n", ToHex(*pt).c_str());
  return 0;
}

int Inspect(const Args& args) {
  if (!args.options.empty()) {
    return Fail(absl::StrCat("unknown option --", args.options.begin()->first));
  }
  if (args.positional.size() != 1) return Fail("expected one hex argument");
  std::optional<std::vector<uint8_t>> data = FromHex(args.positional[0]);
  if (!data) return Fail("the argument is not a hex string");
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(*data);
  if (!parsed.ok()) {
    return Fail(data->empty() ? "empty frame"
                              : "malformed or truncated SFrame header");
  }
  std::printf("kid: %llu\nctr: %llu\nheader_length: %zu\npayload_length: %zu\n",
              static_cast<unsigned long long>(parsed->header.key_id),
              static_cast<unsigned long long>(parsed->header.counter),
              parsed->bytes.size(), parsed->payload.size());
  return 0;
}

// Checks that only `allowed` options are present and `required` ones are.
bool CheckOptions(const Args& args, const std::set<std::string>& allowed,
                  const std::set<std::string>& required, std::string* error) {
  for (const auto& [name, value] : args.options) {
    if (!allowed.count(name)) {
      *error = absl::StrCat("unknown option --", name);
      return false;
    }
  }
  for (const std::string& name : required) {
    if (!args.options.count(name)) {
      *error = absl::StrCat("missing --", name);
      return false;
    }
  }
  if (!args.positional.empty()) {
    *error = absl::StrCat("unexpected argument '", args.positional[0], "'");
    return false;
  }
  return true;
}

std::optional<uint64_t> U64Option(const Args& args, const std::string& name,
                                  std::string* error) {
  std::optional<uint64_t> v = ParseU64(args.options.at(name));
  if (!v) {
    *error = absl::StrCat("--", name, " is not an unsigned 64-bit integer: '",
                          args.options.at(name), "'");
  }
  return v;
}

int SsrcKey(const Args& args) {
  std::string error;
  if (!CheckOptions(args, {"suite", "key", "ssrc"}, {"suite", "key", "ssrc"},
                    &error)) {
    return Fail(error);
  }
  std::optional<CipherSuite> suite = ParseSuite(args.options.at("suite"));
  if (!suite) {
    return Fail(absl::StrCat("unknown cipher suite '", args.options.at("suite"),
                             "' (use 1-8 or a name such as aes128gcm)"));
  }
  std::optional<std::vector<uint8_t>> key = FromHex(args.options.at("key"));
  if (!key || key->empty()) return Fail("--key is not a non-empty hex string");
  std::optional<uint64_t> ssrc = U64Option(args, "ssrc", &error);
  if (!ssrc) return Fail(error);
  if (*ssrc > 0xffffffffu) {
    return Fail(absl::StrCat("--ssrc must fit in 32 bits: ", *ssrc));
  }
  std::vector<uint8_t> out(HashSize(*suite));
  absl::Status s = DeriveSsrcBaseKey(*suite, *key, static_cast<uint32_t>(*ssrc),
                                     absl::MakeSpan(out));
  if (!s.ok()) return Fail(std::string(s.message()));
  std::printf("%s\n", ToHex(out).c_str());
  return 0;
}

int Ratchet(const Args& args) {
  std::string error;
  if (!CheckOptions(args, {"suite", "key", "steps"}, {"suite", "key"},
                    &error)) {
    return Fail(error);
  }
  std::optional<CipherSuite> suite = ParseSuite(args.options.at("suite"));
  if (!suite) {
    return Fail(absl::StrCat("unknown cipher suite '", args.options.at("suite"),
                             "' (use 1-8 or a name such as aes128gcm)"));
  }
  std::optional<std::vector<uint8_t>> key = FromHex(args.options.at("key"));
  if (!key || key->empty()) return Fail("--key is not a non-empty hex string");
  uint64_t steps = 1;
  if (args.options.count("steps")) {
    std::optional<uint64_t> n = U64Option(args, "steps", &error);
    if (!n) return Fail(error);
    if (*n > kMaxRatchetSteps) {
      return Fail(absl::StrCat("--steps is at most ", kMaxRatchetSteps));
    }
    steps = *n;
  }
  std::vector<uint8_t> current = *key;
  std::vector<uint8_t> next(HashSize(*suite));
  for (uint64_t i = 0; i < steps; ++i) {
    absl::Status s = RatchetBaseKey(*suite, current, absl::MakeSpan(next));
    if (!s.ok()) return Fail(absl::StrCat("ratchet failed: ", s.ToString()));
    current = next;
  }
  std::printf("%s\n", ToHex(current).c_str());
  return 0;
}

int MlsKid(const Args& args) {
  std::string error;
  if (!CheckOptions(args,
                    {"epoch-bits", "sender-bits", "epoch", "index", "context"},
                    {"epoch-bits", "sender-bits", "epoch", "index"}, &error)) {
    return Fail(error);
  }
  uint64_t v[5] = {0, 0, 0, 0, 0};
  const char* names[5] = {"epoch-bits", "sender-bits", "epoch", "index",
                          "context"};
  for (int i = 0; i < 5; ++i) {
    if (!args.options.count(names[i])) continue;
    std::optional<uint64_t> n = U64Option(args, names[i], &error);
    if (!n) return Fail(error);
    v[i] = *n;
  }
  if (v[0] > 64 || v[1] > 64 || v[0] + v[1] > 64) {
    return Fail("--epoch-bits + --sender-bits must be at most 64");
  }
  absl::StatusOr<KeyId> kid = MlsKeyId(
      {static_cast<int>(v[0]), static_cast<int>(v[1])}, v[2], v[3], v[4]);
  if (!kid.ok()) return Fail(std::string(kid.status().message()));
  std::printf("%llu\n", static_cast<unsigned long long>(*kid));
  return 0;
}

int Vectors(const Args& args) {
  if (!args.options.empty()) {
    return Fail(absl::StrCat("unknown option --", args.options.begin()->first));
  }
  if (args.positional.empty()) return Fail("vectors: give at least one file");
  int passed = 0, failed = 0;
  bool malformed = false;
  for (const std::string& path : args.positional) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "sframe: %s: cannot open\n", path.c_str());
      malformed = true;
      continue;
    }
    // Read at most kMaxVectorFileSize + 1 bytes: a device or a huge file
    // is refused instead of filling memory.
    std::string text;
    char chunk[1 << 16];
    while (text.size() <= kMaxVectorFileSize &&
           in.read(chunk, sizeof(chunk)).gcount() > 0) {
      text.append(chunk, static_cast<size_t>(in.gcount()));
    }
    if (text.size() > kMaxVectorFileSize) {
      std::fprintf(stderr, "sframe: %s: larger than %zu bytes\n", path.c_str(),
                   kMaxVectorFileSize);
      malformed = true;
      continue;
    }
    absl::StatusOr<FileResult> result = VerifyVectors(text);
    if (!result.ok()) {
      std::fprintf(stderr, "sframe: %s: malformed: %s\n", path.c_str(),
                   std::string(result.status().message()).c_str());
      malformed = true;
      continue;
    }
    std::printf("%s\n", path.c_str());
    for (const SectionResult& s : result->sections) {
      if (!s.known) {
        std::printf("  %-24s unknown section, not checked\n", s.name.c_str());
        continue;
      }
      std::printf("  %-24s %d passed, %d failed\n", s.name.c_str(), s.passed,
                  s.failed);
      for (const std::string& f : s.failures) {
        std::printf("    FAIL %s\n", f.c_str());
      }
    }
    passed += result->passed();
    failed += result->failed();
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && !malformed ? 0 : 1;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::string error;
  std::optional<Args> args = ParseArgs(argc, argv, 2, &error);
  if (!args) return Fail(error);
  if (command == "vectors") return Vectors(*args);
  if (command == "encrypt") return Encrypt(*args);
  if (command == "decrypt") return Decrypt(*args);
  if (command == "inspect") return Inspect(*args);
  if (command == "ratchet") return Ratchet(*args);
  if (command == "mls-kid") return MlsKid(*args);
  if (command == "ssrc-key") return SsrcKey(*args);
  return Fail(
      absl::StrCat("unknown command '", command, "' (see sframe --help)"));
}

}  // namespace
}  // namespace tools
}  // namespace sframe

int main(int argc, char** argv) { return sframe::tools::Main(argc, argv); }
