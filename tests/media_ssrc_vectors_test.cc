// Copyright 2026 The sframecpp Authors.
//
// Per-SSRC base keys (draft-ietf-avtcore-rtp-sframe-02) against our
// independently computed vectors, tests/data/sframe-ssrc-vectors.json
// (tools/gen_ssrc_vectors.py, Python hmac/hashlib; spot-checked with
// `openssl kdf ... HKDF`).

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sframe/media.h"
#include "tools/sframe/hex.h"

namespace sframe {
namespace {

TEST(SsrcKeyVectors, MatchTheIndependentComputation) {
  std::ifstream in(std::string(SFRAME_TEST_DATA_DIR) +
                   "/sframe-ssrc-vectors.json");
  ASSERT_TRUE(in.good());
  nlohmann::json doc = nlohmann::json::parse(in);
  const nlohmann::json& cases = doc.at("ssrc_key");
  ASSERT_EQ(cases.size(), 120u);
  int checked = 0;
  for (const nlohmann::json& c : cases) {
    SCOPED_TRACE(c.dump());
    auto suite = CipherSuiteFromId(c.at("cipher_suite").get<uint64_t>());
    ASSERT_TRUE(suite.ok());
    const uint64_t ssrc = c.at("ssrc").get<uint64_t>();
    ASSERT_LE(ssrc, 0xffffffffu);
    auto base_key = tools::FromHex(c.at("base_key").get<std::string>());
    auto expected = tools::FromHex(c.at("ssrc_key").get<std::string>());
    auto label = tools::FromHex(c.at("label").get<std::string>());
    ASSERT_TRUE(base_key && expected && label);
    EXPECT_EQ(std::string(label->begin(), label->end()), kSsrcKeyLabel);
    std::vector<uint8_t> out(HashSize(*suite));
    ASSERT_TRUE(DeriveSsrcBaseKey(*suite, *base_key,
                                  static_cast<uint32_t>(ssrc),
                                  absl::MakeSpan(out))
                    .ok());
    EXPECT_EQ(out, *expected);
    ++checked;
  }
  EXPECT_EQ(checked, 120);
}

}  // namespace
}  // namespace sframe
