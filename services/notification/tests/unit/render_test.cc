#include "render.h"

#include <gtest/gtest.h>

namespace healthtech::notification {
namespace {

TEST(Render, FillsPlaceholdersInTheUsersLanguage) {
  auto en =
      Render("appointment.booked", "en",
             {{"start_local", "Mon 01 Dec 10:00"}, {"timezone", "Asia/Kolkata"}, {"link", "L"}});
  ASSERT_TRUE(en.has_value());
  EXPECT_EQ(en->subject, "Your appointment is confirmed");
  EXPECT_NE(en->body.find("Mon 01 Dec 10:00 (Asia/Kolkata)"), std::string::npos);
  auto hi =
      Render("appointment.booked", "hi", {{"start_local", "X"}, {"timezone", "Asia/Kolkata"}});
  ASSERT_TRUE(hi.has_value());
  EXPECT_NE(hi->subject.find("पुष्टि"), std::string::npos);
}

TEST(Render, FallsBackToEnglishAndNeverBreaksHeaders) {
  auto ta = Render("refund.processed", "ta", {{"amount", "INR 10.00"}});
  ASSERT_TRUE(ta.has_value());
  EXPECT_EQ(ta->subject, "Refund processed");
  auto injected =
      Render("appointment.reminder_due", "en", {{"lead_text", "tomorrow\r\nBcc: x@evil.example"}});
  ASSERT_TRUE(injected.has_value());
  EXPECT_EQ(injected->subject.find('\n'), std::string::npos);
  EXPECT_EQ(injected->subject.find('\r'), std::string::npos);
  EXPECT_FALSE(Render("no.such.event", "en", {}).has_value());
}

}  // namespace
}  // namespace healthtech::notification
