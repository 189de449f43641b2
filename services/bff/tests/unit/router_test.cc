#include "router.h"

#include <set>

#include <gtest/gtest.h>

namespace healthtech::bff {
namespace {

TEST(Router, MatchesTemplatesAndDecodesParams) {
  Router r(AllRoutes());
  Match m = r.Find("DELETE", "/v1/admin/users/abc%2Ddef/roles/moderator");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("user_id"), "abc-def");
  EXPECT_EQ(m.params.at("role"), "moderator");
}

TEST(Router, ReportsAllowedMethodsOnMethodMismatch) {
  Router r(AllRoutes());
  Match m = r.Find("PUT", "/v1/me");
  EXPECT_EQ(m.route, nullptr);
  std::set<std::string> allowed(m.allowed_methods.begin(), m.allowed_methods.end());
  EXPECT_EQ(allowed, (std::set<std::string>{"GET", "PATCH"}));
}

TEST(Router, UnknownPathMatchesNothing) {
  Router r(AllRoutes());
  Match m = r.Find("GET", "/v1/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allowed_methods.empty());
}

TEST(Router, EveryRouteIsUnique) {
  std::set<std::string> seen;
  for (const auto& r : AllRoutes()) {
    EXPECT_TRUE(seen.insert(r.method + " " + r.path).second) << r.path;
  }
}

TEST(CookieValue, FindsTheNamedCookieOnly) {
  EXPECT_EQ(CookieValue("a=1; ht_refresh=abc_DEF-123; b=2", "ht_refresh"), "abc_DEF-123");
  EXPECT_EQ(CookieValue("ht_refresh=x", "ht_refresh"), "x");
  EXPECT_EQ(CookieValue("xht_refresh=nope; ht_refresh_old=no", "ht_refresh"), "");
  EXPECT_EQ(CookieValue("", "ht_refresh"), "");
  EXPECT_EQ(CookieValue("ht_refresh=", "ht_refresh"), "");
  EXPECT_EQ(CookieValue("ht_refresh=planted; ht_refresh=real", "ht_refresh"), "");
}

TEST(ParseQuery, DecodesAndKeepsRepeats) {
  auto q = ParseQuery("to=a%40b.com&x=1+2&x=3&empty=");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"to", "a@b.com"}));
  EXPECT_EQ(q[1].second, "1 2");
  EXPECT_EQ(q[2].second, "3");
  EXPECT_EQ(q[3].second, "");
}

TEST(PercentDecode, RejectsBrokenEscapes) {
  EXPECT_FALSE(PercentDecode("%", false).has_value());
  EXPECT_FALSE(PercentDecode("%4", false).has_value());
  EXPECT_FALSE(PercentDecode("%zz", false).has_value());
  EXPECT_EQ(PercentDecode("a%20b", false).value(), "a b");
}

}  // namespace
}  // namespace healthtech::bff
