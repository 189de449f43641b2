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

TEST(Sms, CountsLikeCarriers) {
  EXPECT_EQ(CountSms("").segments, 0);
  auto plain = CountSms(std::string(160, 'a'));
  EXPECT_FALSE(plain.unicode);
  EXPECT_EQ(plain.units, 160);
  EXPECT_EQ(plain.segments, 1);
  EXPECT_EQ(CountSms(std::string(161, 'a')).segments, 2);  // 153 per part
  EXPECT_EQ(CountSms(std::string(306, 'a')).segments, 2);
  EXPECT_EQ(CountSms(std::string(307, 'a')).segments, 3);
  EXPECT_EQ(CountSms("€").units, 2);  // GSM-7 extension
  EXPECT_FALSE(CountSms("Café @ £5 {ok}").unicode);
  auto hindi = CountSms("नमस्ते");  // 6 code points in Devanagari: UCS-2
  EXPECT_TRUE(hindi.unicode);
  EXPECT_EQ(hindi.units, 6);
  EXPECT_EQ(CountSms(std::string(70 * 3, 'a') + "अ").segments, 4);  // 211 units / 67
  EXPECT_EQ(CountSms("😀").units, 2);  // outside the BMP: a surrogate pair
}

TEST(Sms, FitsLongTextOnACharacterBoundary) {
  std::string gsm(500, 'x');
  std::string fitted = FitSms(gsm, 2);
  EXPECT_EQ(CountSms(fitted).segments, 2);
  EXPECT_EQ(fitted.substr(fitted.size() - 3), "...");
  EXPECT_FALSE(CountSms(fitted).unicode);
  std::string hindi;
  for (int i = 0; i < 200; ++i) hindi += "क";
  std::string h = FitSms(hindi, 1);
  EXPECT_EQ(CountSms(h).segments, 1);
  EXPECT_EQ(CountSms(h).units, 70);
  EXPECT_EQ(h.substr(h.size() - 3), "…");  // whole code points, valid UTF-8
  EXPECT_EQ(FitSms("short", 1), "short");
}

TEST(Html, EscapesEverythingAndLinksUrls) {
  std::string html = HtmlEmail(
      "<b>Hi</b>", "Dr. <script>alert(1)</script> & \"co\"\nOpen https://x.example/a?b=1&c=2 now");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;<br>"),
            std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://x.example/a?b=1&amp;c=2\">"), std::string::npos);
  EXPECT_NE(html.find("<title>&lt;b&gt;Hi&lt;/b&gt;</title>"), std::string::npos);
  std::string tricky = HtmlEmail("s", "https://x.example/\"onmouseover=alert(1)");
  EXPECT_EQ(tricky.find("\"onmouseover"), std::string::npos);
}

TEST(Render, EveryMessageTypeHasTemplatesInBothLanguages) {
  for (const char* type :
       {"appointment.booked", "appointment.rescheduled", "appointment.cancelled",
        "appointment.reminder_due", "waitlist.offered", "payment.captured", "refund.processed",
        "user.email_verification_requested", "user.password_reset_requested",
        "user.password_changed", "user.new_sign_in", "organization.verified",
        "organization.rejected", "organization.changes_requested", "staff.invited",
        "forum.reply_created", "forum.moderation_action"}) {
    for (const char* locale : {"en", "hi"}) {
      auto r = Render(type, locale, {});
      ASSERT_TRUE(r.has_value()) << type << " " << locale;
      EXPECT_FALSE(r->subject.empty()) << type;
      if (std::string(locale) == "hi") {
        EXPECT_TRUE(CountSms(r->subject).unicode) << type << ": no Hindi template";
      }
      EXPECT_LE(CountSms(RenderSms(type, locale, {{"link", std::string(300, 'l')}})).segments, 3)
          << type;
    }
  }
}

}  // namespace
}  // namespace healthtech::notification
