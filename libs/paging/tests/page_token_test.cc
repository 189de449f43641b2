#include "healthtech/paging/page_token.h"

#include <gtest/gtest.h>

#include "healthtech/status/status.h"

namespace healthtech::paging {
namespace {

TEST(PageTokens, RoundTripsThePositionOfItsList) {
  PageTokens t("a secret of at least thirty-two characters");
  std::string tok = t.Encode("appointments", {"1733378400.123000", "3f2b"});
  EXPECT_EQ(
      tok.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  auto got = t.Decode("appointments", tok, 2);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, (std::vector<std::string>{"1733378400.123000", "3f2b"}));
}

TEST(PageTokens, RefusesAnotherListsTokenAndAnotherKey) {
  PageTokens t("a secret of at least thirty-two characters");
  std::string tok = t.Encode("practitioners", {"x"});
  EXPECT_EQ(status::ReasonOf(t.Decode("appointments", tok, 1).status()), "INVALID_PAGE_TOKEN");
  EXPECT_FALSE(t.Decode("practitioners", tok, 2).ok());
  PageTokens other("another secret of at least thirty-two chars");
  EXPECT_FALSE(other.Decode("practitioners", tok, 1).ok());
}

TEST(PageTokens, RefusesEveryEditedByte) {
  PageTokens t("a secret of at least thirty-two characters");
  std::string tok = t.Encode("threads", {"20"});
  for (size_t i = 0; i < tok.size(); ++i) {
    std::string bad = tok;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    auto got = t.Decode("threads", bad, 1);
    if (got.ok()) {
      EXPECT_EQ(*got, (std::vector<std::string>{"20"})) << "index " << i;  // same bits
    }
  }
  for (const std::string& bad :
       std::vector<std::string>{"", "!!!!", "eyJhIjoxfQ", std::string(5000, 'A'), tok.substr(0, 10),
                                tok + "A", std::string("\xff\xfe", 2)}) {
    auto got = t.Decode("threads", bad, 1);
    ASSERT_FALSE(got.ok());
    auto v = status::ViolationsOf(got.status());
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].field, "page_token");
  }
}

TEST(PageTokens, NumericFieldsAreStrict) {
  EXPECT_EQ(*Int64Field("20"), 20);
  EXPECT_FALSE(Int64Field("20x").ok());
  EXPECT_FALSE(Int64Field("").ok());
  EXPECT_FALSE(Int64Field("99999999999999999999").ok());
  EXPECT_DOUBLE_EQ(*FiniteDoubleField("1733378400.5"), 1733378400.5);
  EXPECT_FALSE(FiniteDoubleField("NaN").ok());
  EXPECT_FALSE(FiniteDoubleField("1e400").ok());
  EXPECT_FALSE(FiniteDoubleField("inf").ok());
}

}  // namespace
}  // namespace healthtech::paging
