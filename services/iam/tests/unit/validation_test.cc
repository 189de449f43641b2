#include "healthtech/iam/domain/validation.h"

#include <gtest/gtest.h>

namespace healthtech::iam {
namespace {

TEST(NormalizeEmail, LowercasesAndTrims) {
  std::string out;
  ASSERT_TRUE(NormalizeEmail("  Asha.Rao@Example.COM ", &out));
  EXPECT_EQ(out, "asha.rao@example.com");
}

TEST(NormalizeEmail, RejectsMalformedAddresses) {
  std::string out;
  for (const char* bad : {"", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.co", "a@b..co",
                          "a@-b.co", "a@b.c", "a@b,c.com", "\"x\"@y.com"}) {
    EXPECT_FALSE(NormalizeEmail(bad, &out)) << bad;
  }
}

TEST(ValidPhone, AcceptsE164Only) {
  EXPECT_TRUE(ValidPhone("+919812345678"));
  EXPECT_FALSE(ValidPhone("9812345678"));
  EXPECT_FALSE(ValidPhone("+0123456789"));
  EXPECT_FALSE(ValidPhone("+91 98123 45678"));
}

TEST(CheckPassword, EnforcesLengthInCharactersNotBytes) {
  EXPECT_FALSE(CheckPassword("short", "", "password").empty());
  EXPECT_TRUE(CheckPassword("correct horse battery", "", "password").empty());
  // Ten Devanagari characters are 30 bytes but exactly ten characters.
  EXPECT_TRUE(CheckPassword("नमस्तेदुनियाआ", "", "password").empty());
  EXPECT_FALSE(CheckPassword(std::string(129, 'x'), "", "password").empty());
  EXPECT_TRUE(CheckPassword(std::string(128, 'x'), "", "password").empty());
}

TEST(CheckPassword, RejectsCommonPasswordsAndTheEmail) {
  auto v = CheckPassword("Password123", "", "password");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "password");
  EXPECT_FALSE(CheckPassword("asha@example.com", "asha@example.com", "password").empty());
}

TEST(CodePoints, CountsUtf8) {
  EXPECT_EQ(CodePoints("abc"), 3u);
  EXPECT_EQ(CodePoints("é"), 1u);
  EXPECT_EQ(CodePoints("नमस्ते"), 6u);
}

}  // namespace
}  // namespace healthtech::iam

using healthtech::iam::NormalizeAbhaAddress;

TEST(NormalizeAbhaAddress, AcceptsTheTwoNetworksInLowerCase) {
  std::string out;
  EXPECT_TRUE(NormalizeAbhaAddress("  Rahul.K001@SBX ", &out));
  EXPECT_EQ(out, "rahul.k001@sbx");
  EXPECT_TRUE(NormalizeAbhaAddress("meera_iyer@abdm", &out));
  EXPECT_EQ(out, "meera_iyer@abdm");
}

TEST(NormalizeAbhaAddress, RefusesWhatIsNotOne) {
  std::string out = "untouched";
  EXPECT_FALSE(NormalizeAbhaAddress("rahul@gmail.com", &out));  // another suffix
  EXPECT_FALSE(NormalizeAbhaAddress("ra@sbx", &out));           // too short
  EXPECT_FALSE(NormalizeAbhaAddress(".rahul@sbx", &out));       // starts with a dot
  EXPECT_FALSE(NormalizeAbhaAddress("rahul.@sbx", &out));       // ends with a dot
  EXPECT_FALSE(NormalizeAbhaAddress("rah ul@sbx", &out));
  EXPECT_FALSE(NormalizeAbhaAddress("rahul", &out));
  EXPECT_FALSE(NormalizeAbhaAddress(std::string(33, 'a') + "@sbx", &out));
  EXPECT_EQ(out, "untouched");
}
