#include "healthtech/pg/text_array.h"

#include <gtest/gtest.h>

namespace healthtech::pg {
namespace {

TEST(TextArray, QuotesAndEscapesEveryElement) {
  EXPECT_EQ(TextArray({}), "{}");
  EXPECT_EQ(TextArray({"a", "b c", "say \"hi\"", "back\\slash", ""}),
            R"({"a","b c","say \"hi\"","back\\slash",""})");
}

TEST(ParseTextArray, ReadsWhatPostgresPrints) {
  EXPECT_TRUE(ParseTextArray("{}").empty());
  EXPECT_EQ(ParseTextArray("{patient,org_admin}"),
            (std::vector<std::string>{"patient", "org_admin"}));
  EXPECT_EQ(ParseTextArray(R"({"b c","say \"hi\"",""})"),
            (std::vector<std::string>{"b c", "say \"hi\"", ""}));
  EXPECT_EQ(ParseTextArray(R"({"a,b",c})"), (std::vector<std::string>{"a,b", "c"}));
}

TEST(TextArray, RoundTrips) {
  std::vector<std::string> values = {"hi", "", "x,y", "q\"uote", "\\"};
  EXPECT_EQ(ParseTextArray(TextArray(values)), values);
}

}  // namespace
}  // namespace healthtech::pg
