// Copyright 2026 The sframecpp Authors.
//
// Our key-management vectors (tests/data/sframe-keys-vectors.json, made by
// tools/gen_key_vectors.py, an independent Python implementation) through
// the checker of `sframe vectors`, under every AEAD implementation.

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/test_util.h"
#include "tools/sframe/vectors.h"

namespace sframe {
namespace {

std::string ReadFile(const std::string& name) {
  std::ifstream in(std::string(SFRAME_TEST_DATA_DIR) + "/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class KeyVectorsTest
    : public ::testing::TestWithParam<internal::AeadImplementation> {};

TEST_P(KeyVectorsTest, RatchetAndMlsSectionsPass) {
  testing::ScopedImplementation forced(GetParam());
  auto result = tools::VerifyVectors(ReadFile("sframe-keys-vectors.json"));
  ASSERT_TRUE(result.ok()) << result.status();
  std::map<std::string, int> passed;
  for (const auto& s : result->sections) {
    EXPECT_TRUE(s.known) << s.name;
    EXPECT_EQ(s.failed, 0) << s.name;
    for (const auto& f : s.failures) ADD_FAILURE() << f;
    passed[s.name] = s.passed;
  }
  EXPECT_EQ(passed["ratchet"], 40);
  EXPECT_EQ(passed["mls"], 30);
}

TEST(KeyVectorsCheckerTest, DetectsAWrongRatchetStepAndKid) {
  std::string text = ReadFile("sframe-keys-vectors.json");
  // Replace the first ratcheted key's first hex digit.
  const size_t at = text.find("\"ratcheted_key\": \"") + 18;
  text[at] = text[at] == '0' ? '1' : '0';
  auto result = tools::VerifyVectors(text);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->failed(), 1);
  const std::string bad_kid =
      R"({"mls": [{"epoch_bits": 4, "sender_bits": 6, "epoch": 14,
          "sender_index": 3, "context": 0, "kid": 63}]})";
  EXPECT_EQ(tools::VerifyVectors(bad_kid)->failed(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    AllImplementations, KeyVectorsTest,
    ::testing::ValuesIn(testing::SupportedImplementations()),
    [](const ::testing::TestParamInfo<internal::AeadImplementation>& info) {
      return std::string(testing::ImplementationName(info.param));
    });

}  // namespace
}  // namespace sframe
