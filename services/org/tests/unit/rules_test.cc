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

TEST(CheckName, LengthAndLookalikes) {
  std::vector<status::Violation> v;
  CheckName("Apollo Clinic", 2, 200, "legal_name", &v);
  EXPECT_TRUE(v.empty());
  CheckName("A", 2, 200, "legal_name", &v);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "legal_name");
  EXPECT_EQ(v[0].message, "must be 2–200 characters");
  v.clear();
  CheckName(std::string(201, 'x'), 0, 200, "display_name", &v);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "must be at most 200 characters");
  v.clear();
  CheckName("Evil\u202Egnp.exe", 2, 200, "name", &v);
  EXPECT_EQ(v.size(), 1u);
}

TEST(Hpr, IdsAndAddressesAsStored) {
  EXPECT_EQ(NormalizeHprId("71-4453-8853-6840"), "71-4453-8853-6840");
  EXPECT_EQ(NormalizeHprId("71445388536840"), "71-4453-8853-6840");
  EXPECT_EQ(NormalizeHprId(" 71 4453 8853 6840 "), "71-4453-8853-6840");
  for (const char* bad : {"", "7144538853684", "714453885368401", "71-4453-8853-684O",
                          "71.4453.8853.6840", "७१४४५३८८५३६८४०"}) {
    EXPECT_EQ(NormalizeHprId(bad), "") << bad;
  }
  EXPECT_EQ(NormalizeHprAddress("Meera.Iyer@HPR.abdm"), "meera.iyer@hpr.abdm");
  EXPECT_EQ(NormalizeHprAddress("dr_meera-1@hpr.ndhm"), "dr_meera-1@hpr.ndhm");
  for (const char* bad :
       {"", "meera.iyer", "meera@gmail.com", "me@hpr.abdm", ".meera@hpr.abdm",
        "meera iyer@hpr.abdm", "meera@iyer@hpr.abdm", "मीरा@hpr.abdm", "meera@hpr.abdm.evil.com"}) {
    EXPECT_EQ(NormalizeHprAddress(bad), "") << bad;
  }
  EXPECT_EQ(NormalizeHprAddress(std::string(64, 'a') + "@hpr.abdm").size(), 73u);
  EXPECT_EQ(NormalizeHprAddress(std::string(65, 'a') + "@hpr.abdm"), "");
}

TEST(ValidLanguage, TwoLowerCaseLetters) {
  EXPECT_TRUE(ValidLanguage("hi"));
  EXPECT_FALSE(ValidLanguage("HI"));
  EXPECT_FALSE(ValidLanguage("hin"));
  EXPECT_FALSE(ValidLanguage(""));
}

TEST(ValidDocumentType, LowerSnakeCase) {
  EXPECT_TRUE(ValidDocumentType("registration_certificate"));
  EXPECT_FALSE(ValidDocumentType("x"));
  EXPECT_FALSE(ValidDocumentType("Registration"));
  EXPECT_FALSE(ValidDocumentType("gst-2"));
  EXPECT_FALSE(ValidDocumentType(std::string(41, 'a')));
}

TEST(ValidFilename, PlainNamesOnly) {
  EXPECT_TRUE(ValidFilename("licence.pdf"));
  EXPECT_FALSE(ValidFilename("../etc/passwd"));
  EXPECT_FALSE(ValidFilename("a\\b.pdf"));
  EXPECT_FALSE(ValidFilename(std::string("a\0b", 3)));
  EXPECT_FALSE(ValidFilename(std::string(256, 'a')));
}

TEST(Verification, WhoMayActOnIt) {
  EXPECT_TRUE(MaySubmitForVerification(true).ok());
  absl::Status s = MaySubmitForVerification(false);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "Only this organization's admins can submit it.");
  EXPECT_TRUE(MayListVerifications(true).ok());
  EXPECT_EQ(MayListVerifications(false).message(), "Only platform admins review organizations.");
  EXPECT_TRUE(MayDecideVerification(true).ok());
  EXPECT_EQ(MayDecideVerification(false).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(MayDecideVerification(false).message(), "Only platform admins decide verifications.");
}

TEST(Verification, WhoMayBeSubmittedAndWhereDecisionsLead) {
  EXPECT_TRUE(SubmittableStatus("pending_verification"));
  EXPECT_TRUE(SubmittableStatus("changes_requested"));
  EXPECT_FALSE(SubmittableStatus("under_review"));
  EXPECT_FALSE(SubmittableStatus("verified"));
  EXPECT_EQ(DecisionTarget("approve"), "verified");
  EXPECT_EQ(DecisionTarget("reject"), "rejected");
  EXPECT_EQ(DecisionTarget("request_changes"), "changes_requested");
  EXPECT_EQ(IdentityChangeRequestedNote({"legal_name", "gstin"}),
            "identity change requested: legal_name, gstin");
  EXPECT_EQ(IdentityChangeDecidedNote("approve", "x"), "identity change approved");
  EXPECT_EQ(IdentityChangeDecidedNote("reject", "bad PAN"),
            "identity change not accepted: bad PAN");
}

}  // namespace
}  // namespace healthtech::org
