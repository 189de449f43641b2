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

}  // namespace
}  // namespace healthtech::validate
