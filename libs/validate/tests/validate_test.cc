#include "healthtech/validate/validate.h"

#include <gtest/gtest.h>

namespace healthtech::validate {
namespace {

TEST(ValidText, AcceptsUtf8AndRefusesNulAndMalformedBytes) {
  EXPECT_TRUE(ValidText(""));
  EXPECT_TRUE(ValidText("Asha Rao"));
  EXPECT_TRUE(ValidText("आशा राव 😀 ₹800"));
  EXPECT_FALSE(ValidText(std::string("a\0b", 3)));
  EXPECT_FALSE(ValidText("\xff"));
  EXPECT_FALSE(ValidText("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(ValidText("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(ValidText("\xe0\x80\xaf"));      // overlong, 3 bytes
  EXPECT_FALSE(ValidText("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(ValidText("\xe2\x82"));          // truncated
  EXPECT_FALSE(ValidText("a\x80"));             // stray continuation byte
}

TEST(DisplayNameProblem, RefusesWhatLetsANamePoseAsAnother) {
  EXPECT_EQ(DisplayNameProblem("Dr. Meera Iyer"), "");
  EXPECT_EQ(DisplayNameProblem("डॉ. मीरा अय्यर"), "");
  EXPECT_EQ(DisplayNameProblem("O'Brien-Smith"), "");
  EXPECT_NE(DisplayNameProblem("Dr. Ann\u202eaD"), "");  // right-to-left override
  EXPECT_NE(DisplayNameProblem("Asha\u2066Rao"), "");    // isolate
  EXPECT_NE(DisplayNameProblem("Asha\u200bRao"), "");    // zero-width space
  EXPECT_NE(DisplayNameProblem("\ufeffAsha"), "");       // BOM
  EXPECT_NE(DisplayNameProblem("A\asha"), "");           // control
  EXPECT_NE(DisplayNameProblem("A\u0085"), "");          // C1 control
  EXPECT_NE(DisplayNameProblem("\xff"), "");
}

TEST(ValidLocalTime, TakesHHMMAndTheEndOfTheDay) {
  for (const char* ok : {"00:00", "09:30", "23:59", "24:00"}) EXPECT_TRUE(ValidLocalTime(ok)) << ok;
  for (const char* bad :
       {"24:30", "24:01", "25:00", "9:30", "09:60", "09-30", "0930", "", "ab:cd", "09:3x", " 9:30"})
    EXPECT_FALSE(ValidLocalTime(bad)) << bad;
}

TEST(ValidDate, TakesRealCalendarDaysOfTheSchedulingRange) {
  for (const char* ok : {"2026-12-05", "2024-02-29", "2000-01-01", "2200-12-31", "2000-02-29"})
    EXPECT_TRUE(ValidDate(ok)) << ok;
  for (const char* bad :
       {"2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "1999-12-31",
        "2201-01-01", "2026-1-01", "2026/01/01", "", "20261205", "2026-01-0x"})
    EXPECT_FALSE(ValidDate(bad)) << bad;
}

TEST(ValidDate, TakesTheYearsAskedFor) {
  EXPECT_TRUE(ValidDate("1990-04-21", 1900, 2200));
  EXPECT_TRUE(ValidDate("1900-01-01", 1900, 2200));
  EXPECT_FALSE(ValidDate("1899-12-31", 1900, 2200));
  EXPECT_FALSE(ValidDate("1990-02-30", 1900, 2200));
  EXPECT_FALSE(ValidDate("1990-04-21"));  // not a scheduling date
}

}  // namespace
}  // namespace healthtech::validate
