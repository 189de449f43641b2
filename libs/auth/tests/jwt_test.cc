#include "healthtech/auth/jwt.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <nlohmann/json.hpp>

namespace healthtech::auth {
namespace {

struct KeyPair {
  std::string pk, sk;
};
KeyPair NewKey() {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  return {std::string(reinterpret_cast<char*>(pk), sizeof pk),
          std::string(reinterpret_cast<char*>(sk), sizeof sk)};
}

constexpr int64_t kNow = 1'800'000'000;

Claims Sample() {
  Claims c;
  c.iss = "https://healthtech.dev";
  c.aud = "healthtech-api";
  c.sub = "5b0d6f0e-6c1e-4d0b-9a51-8f5f0a0b9c11";
  c.jti = "j1";
  c.iat = kNow;
  c.exp = kNow + 900;
  c.roles = {"patient", "org_admin:org-1"};
  c.amr = {"pwd"};
  c.aal = "aal1";
  return c;
}

class JwtTest : public testing::Test {
 protected:
  KeyPair key_ = NewKey();
  KeySet keys_{{"k1", key_.pk}};
};

TEST_F(JwtTest, RoundTripsClaims) {
  std::string token = Sign(Sample(), "k1", key_.sk);
  auto c = Verify(token, keys_, "https://healthtech.dev", "healthtech-api", kNow + 10);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sub, Sample().sub);
  EXPECT_TRUE(c->HasRole("patient"));
  EXPECT_EQ(c->OrgsWithRole("org_admin"), std::vector<std::string>{"org-1"});
}

TEST_F(JwtTest, CarriesTheSessionIdWhenThereIsOne) {
  Claims with = Sample();
  with.sid = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  auto c =
      Verify(Sign(with, "k1", key_.sk), keys_, "https://healthtech.dev", "healthtech-api", kNow);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sid, with.sid);
  std::string plain = Sign(Sample(), "k1", key_.sk);
  auto payload =
      Base64UrlDecode(plain.substr(plain.find('.') + 1, plain.rfind('.') - plain.find('.') - 1));
  ASSERT_TRUE(payload.ok());
  EXPECT_FALSE(nlohmann::json::parse(*payload).contains("sid"));  // no empty claim
  auto c2 = Verify(plain, keys_, "https://healthtech.dev", "healthtech-api", kNow);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->sid, "");
}

TEST_F(JwtTest, RejectsExpiredToken) {
  std::string token = Sign(Sample(), "k1", key_.sk);
  auto c = Verify(token, keys_, "https://healthtech.dev", "healthtech-api", kNow + 900 + 31);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(JwtTest, RejectsWrongAudienceAndIssuer) {
  std::string token = Sign(Sample(), "k1", key_.sk);
  EXPECT_FALSE(Verify(token, keys_, "https://healthtech.dev", "other", kNow).ok());
  EXPECT_FALSE(Verify(token, keys_, "https://evil.dev", "healthtech-api", kNow).ok());
}

TEST_F(JwtTest, RejectsUnknownKidAndReportsIt) {
  std::string token = Sign(Sample(), "k2", key_.sk);
  bool unknown = false;
  EXPECT_FALSE(
      Verify(token, keys_, "https://healthtech.dev", "healthtech-api", kNow, &unknown).ok());
  EXPECT_TRUE(unknown);
}

TEST_F(JwtTest, RejectsSignatureFromAnotherKey) {
  KeyPair other = NewKey();
  std::string token = Sign(Sample(), "k1", other.sk);
  EXPECT_FALSE(Verify(token, keys_, "https://healthtech.dev", "healthtech-api", kNow).ok());
}

TEST_F(JwtTest, RejectsTamperedPayload) {
  std::string token = Sign(Sample(), "k1", key_.sk);
  Claims admin = Sample();
  admin.roles = {"platform_admin"};
  std::string forged = Sign(admin, "k1", NewKey().sk);
  // Splice the forged payload into the genuine header + signature.
  auto p1 = token.find('.'), p2 = token.rfind('.');
  auto f1 = forged.find('.'), f2 = forged.rfind('.');
  std::string spliced =
      token.substr(0, p1 + 1) + forged.substr(f1 + 1, f2 - f1 - 1) + token.substr(p2);
  EXPECT_FALSE(Verify(spliced, keys_, "https://healthtech.dev", "healthtech-api", kNow).ok());
}

TEST_F(JwtTest, RejectsAlgNone) {
  nlohmann::json header = {{"alg", "none"}, {"kid", "k1"}};
  nlohmann::json payload = {{"iss", "https://healthtech.dev"},
                            {"aud", "healthtech-api"},
                            {"sub", "x"},
                            {"exp", kNow + 100}};
  std::string token = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump()) + ".";
  EXPECT_FALSE(Verify(token, keys_, "https://healthtech.dev", "healthtech-api", kNow).ok());
}

TEST_F(JwtTest, RejectsGarbage) {
  for (const char* t : {"", "a", "a.b", "a.b.c.d", "!!!.###.$$$"}) {
    EXPECT_FALSE(Verify(t, keys_, "https://healthtech.dev", "healthtech-api", kNow).ok()) << t;
  }
}

TEST(Base64Url, RoundTripsBinary) {
  std::string bin("\x00\xff\xfe\x10 ok", 7);
  auto enc = Base64UrlEncode(bin);
  EXPECT_EQ(enc.find('='), std::string::npos);
  EXPECT_EQ(*Base64UrlDecode(enc), bin);
}

TEST(ParseJwks, ReadsEd25519Keys) {
  std::string x = Base64UrlEncode(std::string(32, 'a'));
  auto ks = ParseJwks(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k9","x":")" + x + R"("}]})");
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->count("k9"), 1u);
}

}  // namespace
}  // namespace healthtech::auth

namespace healthtech::auth {
namespace {

TEST(RefreshThrottle, LetsEachNewKidThroughButNotAFlood) {
  RefreshThrottle t;
  EXPECT_TRUE(t.Allow("k1", 1000));
  EXPECT_FALSE(t.Allow("k2", 1100));  // within 200 ms of any refresh
  EXPECT_TRUE(t.Allow("k2", 1300));
  EXPECT_FALSE(t.Allow("k2", 5000));  // same kid within 30 s
  EXPECT_TRUE(t.Allow("k2", 31400));
}

TEST(PeekKid, ReadsHeaderWithoutVerifying) {
  std::string token = Base64UrlEncode(R"({"alg":"EdDSA","kid":"abc"})") + ".e30.sig";
  EXPECT_EQ(PeekKid(token), "abc");
  EXPECT_EQ(PeekKid("garbage"), "");
}

}  // namespace
}  // namespace healthtech::auth

namespace healthtech::auth {
namespace {

TEST(VerifiedTokenCache, ReturnsClaimsUntilExpiry) {
  VerifiedTokenCache cache(2);
  Claims c;
  c.sub = "u1";
  c.exp = 1000;
  cache.Put("t1", c);
  ASSERT_TRUE(cache.Get("t1", 900).has_value());
  EXPECT_EQ(cache.Get("t1", 900)->sub, "u1");
  EXPECT_FALSE(cache.Get("t1", 1031).has_value());  // past exp + leeway: dropped
  EXPECT_FALSE(cache.Get("t1", 900).has_value());
  EXPECT_FALSE(cache.Get("other", 900).has_value());
}

TEST(VerifiedTokenCache, StaysBounded) {
  VerifiedTokenCache cache(2);
  Claims c;
  c.exp = 1000;
  cache.Put("a", c);
  cache.Put("b", c);
  cache.Put("c", c);  // full: cleared, then c stored
  EXPECT_FALSE(cache.Get("a", 0).has_value());
  EXPECT_TRUE(cache.Get("c", 0).has_value());
}

}  // namespace
}  // namespace healthtech::auth
