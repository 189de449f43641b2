#include "healthtech/auth/revocation.h"

#include <gtest/gtest.h>

namespace healthtech::auth {
namespace {

Claims Token(int64_t iat, std::string sid) {
  Claims c;
  c.sub = "u1";
  c.iat = iat;
  c.sid = std::move(sid);
  return c;
}

TEST(Revocation, KeysNameTheSessionAndTheUser) {
  EXPECT_EQ(RevokedSessionKey("s1"), "healthtech:auth:revoked_session:s1");
  EXPECT_EQ(RevokedBeforeKey("u1"), "healthtech:auth:revoked_before:u1");
}

TEST(Revocation, NothingRecordedMeansValid) {
  EXPECT_FALSE(IsRevoked(Token(100, "s1"), false, std::nullopt));
}

TEST(Revocation, ASignedOutSessionCutsItsTokens) {
  EXPECT_TRUE(IsRevoked(Token(100, "s1"), true, std::nullopt));
  // A token without a session id cannot be matched to a session.
  EXPECT_FALSE(IsRevoked(Token(100, ""), true, std::nullopt));
}

TEST(Revocation, RevokedBeforeCutsOlderTokensOnly) {
  EXPECT_TRUE(IsRevoked(Token(99, "s1"), false, "100"));
  EXPECT_FALSE(IsRevoked(Token(100, "s1"), false, "100"));  // issued at or after it
  EXPECT_FALSE(IsRevoked(Token(101, ""), false, "100"));
  EXPECT_TRUE(IsRevoked(Token(5, ""), false, "100"));
}

TEST(Revocation, AMalformedValueIsIgnored) {
  EXPECT_FALSE(IsRevoked(Token(5, "s1"), false, "soon"));
  EXPECT_FALSE(IsRevoked(Token(5, "s1"), false, "100x"));
}

}  // namespace
}  // namespace healthtech::auth
