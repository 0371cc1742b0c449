// Copyright 2026 The sframecpp Authors.
//
// The official vectors (tests/data/, verbatim copies), through the same
// checker the CLI uses, under every AEAD implementation of this CPU.

#include "tools/sframe/vectors.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/test_util.h"

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

std::map<std::string, int> PassedBySection(const std::string& file) {
  auto result = tools::VerifyVectors(ReadFile(file));
  EXPECT_TRUE(result.ok()) << result.status();
  std::map<std::string, int> out;
  if (!result.ok()) return out;
  for (const auto& s : result->sections) {
    EXPECT_TRUE(s.known) << s.name;
    EXPECT_EQ(s.failed, 0) << s.name;
    for (const auto& f : s.failures) ADD_FAILURE() << f;
    out[s.name] = s.passed;
  }
  return out;
}

class VectorsTest
    : public ::testing::TestWithParam<internal::AeadImplementation> {};

TEST_P(VectorsTest, Rfc9605FilePasses) {
  testing::ScopedImplementation forced(GetParam());
  auto passed = PassedBySection("test-vectors.json");
  EXPECT_EQ(passed["header"], 289);
  EXPECT_EQ(passed["aes_ctr_hmac"], 3);
  EXPECT_EQ(passed["sframe"], 5);
}

TEST_P(VectorsTest, Aes256FilePasses) {
  testing::ScopedImplementation forced(GetParam());
  auto passed = PassedBySection("test-vectors-aes256.json");
  EXPECT_EQ(passed["sframe_aes_256_ctr_hmac"], 3);
}

TEST_P(VectorsTest, WorkingGroupMainFilePasses) {
  testing::ScopedImplementation forced(GetParam());
  auto passed = PassedBySection("test-vectors-sframe-wg-main.json");
  EXPECT_EQ(passed["header"], 289);
  EXPECT_EQ(passed["aes_ctr_hmac"], 3);
  EXPECT_EQ(passed["aes_256_ctr_hmac"], 3);
  EXPECT_EQ(passed["sframe"], 5);
}

INSTANTIATE_TEST_SUITE_P(
    AllImplementations, VectorsTest,
    ::testing::ValuesIn(testing::SupportedImplementations()),
    [](const ::testing::TestParamInfo<internal::AeadImplementation>& info) {
      return testing::ImplementationName(info.param);
    });

TEST(VectorsCheckerTest, DetectsAWrongCiphertext) {
  std::string text = ReadFile("test-vectors.json");
  // Corrupt the first sframe case's expected ciphertext tail.
  const size_t sframe = text.find("\"sframe\"");
  ASSERT_NE(sframe, std::string::npos);
  const size_t ct = text.find("\"ct\"", sframe);
  const size_t end = text.find('"', text.find('"', ct + 4) + 1);
  text[end - 1] = text[end - 1] == '0' ? '1' : '0';
  auto result = tools::VerifyVectors(text);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->failed(), 1);
}

TEST(VectorsCheckerTest, ParsesBigIntegersAndDecimalStrings) {
  auto result = tools::VerifyVectors(
      R"({"header": [{"kid": 18446744073709551615, "ctr": "18446744073709551615",
          "encoded": "ffffffffffffffffffffffffffffffffff"}]})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->passed(), 1);
  EXPECT_EQ(result->failed(), 0);
}

TEST(VectorsCheckerTest, RejectsFloatsNegativesAndMalformedFiles) {
  auto floats = tools::VerifyVectors(
      R"({"header": [{"kid": 1.5e19, "ctr": 0, "encoded": "00"},
                     {"kid": -1, "ctr": 0, "encoded": "00"}]})");
  ASSERT_TRUE(floats.ok());
  EXPECT_EQ(floats->failed(), 2);
  EXPECT_FALSE(tools::VerifyVectors("[1,2]").ok());
  EXPECT_FALSE(tools::VerifyVectors("{\"header\": 3}").ok());
  EXPECT_FALSE(tools::VerifyVectors("{").ok());
}

TEST(VectorsCheckerTest, ReportsUnknownSections) {
  auto result = tools::VerifyVectors(R"({"mystery": [{}]})");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->sections.size(), 1u);
  EXPECT_FALSE(result->sections[0].known);
}

}  // namespace
}  // namespace sframe
