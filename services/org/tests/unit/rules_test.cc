#include "healthtech/org/domain/rules.h"

#include <gtest/gtest.h>

namespace healthtech::org {
namespace {

TEST(SniffContentType, TrustsBytesNotNames) {
  EXPECT_EQ(SniffContentType("%PDF-1.7\n..."), "application/pdf");
  EXPECT_EQ(SniffContentType(std::string("\x89PNG\r\n\x1a\n....", 12)), "image/png");
  EXPECT_EQ(SniffContentType(std::string("\xFF\xD8\xFF\xE0..", 6)), "image/jpeg");
  EXPECT_EQ(SniffContentType("<html><script>"), "");
  EXPECT_EQ(SniffContentType("MZ\x90\x00"), "");
  EXPECT_EQ(SniffContentType(""), "");
}

TEST(ValidGstin, ChecksFormatAndCheckCharacter) {
  EXPECT_TRUE(ValidGstin("27AAPFU0939F1ZV"));  // a published example
  EXPECT_TRUE(ValidGstin("29AAGCB7383J1Z4"));
  EXPECT_FALSE(ValidGstin("27AAPFU0939F1ZW"));  // wrong check character
  EXPECT_FALSE(ValidGstin("27AAPFU0939F1Z"));
  EXPECT_FALSE(ValidGstin("2AAAPFU0939F1ZV"));
  EXPECT_EQ(GstinStateCode("27AAPFU0939F1ZV"), "27");
}

TEST(ValidPostalCode, IndiaNeedsSixDigits) {
  EXPECT_TRUE(ValidPostalCode("560001", "IN"));
  EXPECT_FALSE(ValidPostalCode("056001", "IN"));
  EXPECT_FALSE(ValidPostalCode("56001", "IN"));
  EXPECT_TRUE(ValidPostalCode("SW1A 1AA", "GB"));
}

TEST(NormalizeList, LowercasesTrimsAndDedupes) {
  EXPECT_EQ(NormalizeList({" Cardiology", "cardiology", "", "ENT "}),
            (std::vector<std::string>{"cardiology", "ent"}));
}

}  // namespace
}  // namespace healthtech::org
