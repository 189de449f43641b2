#include "healthtech/iam/domain/session.h"

#include <gtest/gtest.h>

namespace healthtech::iam {
namespace {

TEST(SessionRules, LinkLifetimes) {
  EXPECT_EQ(OneTimeTokenTtlSeconds("verify_email"), 24 * 3600);
  EXPECT_EQ(OneTimeTokenTtlSeconds("reset_password"), 3600);
}

TEST(SessionRules, AssuranceLevel) {
  EXPECT_EQ(AalFor({"pwd"}), "aal1");
  EXPECT_EQ(AalFor({"pwd", "otp"}), "aal2");
  EXPECT_EQ(AalFor({}), "aal1");
}

TEST(SessionRules, NewDevice) {
  EXPECT_FALSE(PlanNewDevice(1).notify);  // the account's first sign-in
  EXPECT_EQ(PlanNewDevice(1).forget, 0);
  EXPECT_TRUE(PlanNewDevice(2).notify);
  EXPECT_EQ(PlanNewDevice(kMaxDevices).forget, 0);
  EXPECT_EQ(PlanNewDevice(kMaxDevices + 3).forget, 3);
  EXPECT_TRUE(PlanNewDevice(kMaxDevices + 3).notify);
}

TEST(SessionRules, TotpStepUsedOnce) {
  EXPECT_TRUE(TotpStepFresh(10, 9));
  EXPECT_FALSE(TotpStepFresh(10, 10));
  EXPECT_FALSE(TotpStepFresh(9, 10));
}

TEST(SessionRules, Throttle) {
  EXPECT_FALSE(LoginThrottled(4, 5));
  EXPECT_TRUE(LoginThrottled(5, 5));
  EXPECT_TRUE(LoginThrottled(6, 5));
}

TEST(SessionRules, Roles) {
  for (auto r : {"patient", "moderator", "platform_admin"}) EXPECT_TRUE(IsGlobalRole(r));
  EXPECT_FALSE(IsGlobalRole("org_admin"));
  for (auto r : {"org_admin", "org_staff", "practitioner"}) EXPECT_TRUE(IsOrgRole(r));
  EXPECT_FALSE(IsOrgRole("platform_admin"));
  EXPECT_FALSE(IsOrgRole(""));
}

}  // namespace
}  // namespace healthtech::iam
