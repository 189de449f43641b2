#include "healthtech/iam/domain/crypto.h"

#include <set>

#include <gtest/gtest.h>

namespace healthtech::iam {
namespace {

TEST(Password, HashVerifiesOnlyTheRightPassword) {
  Argon2Params p{1, 8u << 20};
  std::string h = HashPassword("correct horse battery", p);
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(VerifyPassword(h, "correct horse battery"));
  EXPECT_FALSE(VerifyPassword(h, "correct horse batterY"));
  EXPECT_FALSE(NeedsRehash(h, p));
  EXPECT_TRUE(NeedsRehash(h, Argon2Params{2, 8u << 20}));
}

TEST(Uuid, IsVersion4) {
  std::string u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
}

TEST(SecretBox, RoundTripsAndDetectsTampering) {
  std::string key(32, 'k');
  std::string ct = Encrypt("totp secret", key);
  EXPECT_EQ(Decrypt(ct, key).value(), "totp secret");
  ct[ct.size() - 1] ^= 1;
  EXPECT_FALSE(Decrypt(ct, key).has_value());
  EXPECT_FALSE(Decrypt(Encrypt("x", key), std::string(32, 'j')).has_value());
}

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (8-digit values truncated to 6).
TEST(Totp, MatchesRfc6238Vectors) {
  const std::string secret = "12345678901234567890";
  EXPECT_EQ(TotpCode(secret, 59), "287082");
  EXPECT_EQ(TotpCode(secret, 1111111109), "081804");
  EXPECT_EQ(TotpCode(secret, 1234567890), "005924");
  EXPECT_EQ(TotpCode(secret, 2000000000), "279037");
}

TEST(Totp, AcceptsOneStepOfDriftOnly) {
  const std::string secret = NewTotpSecret();
  const int64_t now = 1'800'000'000;
  EXPECT_EQ(MatchTotp(secret, TotpCode(secret, now), now), now / 30);
  EXPECT_EQ(MatchTotp(secret, TotpCode(secret, now - 30), now), now / 30 - 1);
  EXPECT_EQ(MatchTotp(secret, TotpCode(secret, now + 30), now), now / 30 + 1);
  EXPECT_FALSE(MatchTotp(secret, TotpCode(secret, now - 90), now).has_value());
  EXPECT_FALSE(MatchTotp(secret, "12345", now).has_value());
  EXPECT_FALSE(MatchTotp(secret, "abcdef", now).has_value());
}

TEST(Base32, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode("f"), "MY");
}

TEST(RecoveryCode, HasStableShapeAndNormalizes) {
  std::string c = NewRecoveryCode();
  ASSERT_EQ(c.size(), 11u);
  EXPECT_EQ(c[5], '-');
  std::string typed = c.substr(0, 5) + " " + c.substr(6);
  for (auto& ch : typed) ch = static_cast<char>(std::toupper(ch));
  EXPECT_EQ(NormalizeRecoveryCode(typed), c);
}

}  // namespace
}  // namespace healthtech::iam
