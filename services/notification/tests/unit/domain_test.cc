// The notification rules on their own: no database, no gRPC.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/delivery.h"
#include "domain/plan.h"
#include "domain/preferences.h"

namespace healthtech::notification::domain {
namespace {

using nlohmann::json;

constexpr const char* kWeb = "https://app.example";
constexpr const char* kPatient = "11111111-1111-4111-8111-111111111111";
constexpr const char* kAdmin = "22222222-2222-4222-8222-222222222222";

TEST(PlanFor, AppointmentBookedGoesToThePatientBySmsWithAnAppLink) {
  auto plan = PlanFor("appointment.booked",
                      json{{"patient_id", kPatient},
                           {"appointment_id", "a1"},
                           {"timezone", "Asia/Kolkata"},
                           {"start", "2026-12-07T03:30:00Z"}},
                      kWeb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->category, "appointments");
  EXPECT_TRUE(plan->sms);
  EXPECT_TRUE(plan->in_app);
  EXPECT_FALSE(plan->urgent);
  EXPECT_FALSE(plan->security);
  ASSERT_EQ(plan->to.size(), 1u);
  EXPECT_EQ(plan->to[0].user_id, kPatient);
  EXPECT_EQ(plan->link, "https://app.example/appointments/a1");
  EXPECT_EQ(plan->path, "/appointments/a1");
  EXPECT_EQ(plan->values.at("link"), plan->link);
  EXPECT_EQ(plan->values.at("timezone"), "Asia/Kolkata");
  EXPECT_EQ(plan->values.at("lead_text"), "tomorrow");
  ASSERT_EQ(plan->local_times.size(), 1u);
  EXPECT_EQ(plan->local_times[0].first, "start_local");
  EXPECT_EQ(plan->local_times[0].second, "2026-12-07T03:30:00Z");
}

TEST(PlanFor, AppointmentMessagesSayWithWhomAndWhere) {
  json p{{"patient_id", kPatient},
         {"appointment_id", "a1"},
         {"mode", "in_person"},
         {"practitioner_name", "Dr. Meera Iyer"},
         {"facility_name", "Sunrise MG Road"},
         {"facility_address", "12 MG Road, Bengaluru, Karnataka 560001"},
         {"facility_phone", "+918041234567"}};
  auto plan = PlanFor("appointment.booked", p, kWeb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->values.at("with"), " with Dr. Meera Iyer");
  EXPECT_EQ(plan->values.at("where"),
            "\nWhere: Sunrise MG Road, 12 MG Road, Bengaluru, Karnataka 560001 (phone "
            "+918041234567)");
  EXPECT_EQ(plan->values.at("where_sms"), " Sunrise MG Road, +918041234567.");
  p["mode"] = "video";
  p["video_url"] = "https://meet.example/room";
  plan = PlanFor("appointment.reminder_due", p, kWeb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->values.at("where"), "\nBy video: join at https://meet.example/room");
  // Events from before appointments named anyone: the sentence still reads.
  plan = PlanFor("appointment.cancelled", json{{"patient_id", kPatient}}, kWeb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->values.at("with"), "");
  EXPECT_EQ(plan->values.at("where"), "");
}

TEST(PlanFor, ReminderAnHourAheadIsUrgent) {
  auto plan =
      PlanFor("appointment.reminder_due",
              json{{"patient_id", kPatient}, {"appointment_id", "a1"}, {"lead", "1h"}}, kWeb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_TRUE(plan->urgent);
  EXPECT_EQ(plan->values.at("lead_text"), "in one hour");
  // No zone in the event: messages show UTC.
  EXPECT_EQ(plan->values.at("timezone"), "UTC");
}

TEST(PlanFor, SecurityMessagesIgnoreOptOutsAndNameTheAddress) {
  auto plan = PlanFor("user.password_reset_requested",
                      json{{"user_id", kPatient},
                           {"email", "a@example.com"},
                           {"reset_url", "https://app.example/reset?t=x"}},
                      kWeb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->category, "account");
  EXPECT_TRUE(plan->security);
  EXPECT_FALSE(plan->in_app);
  ASSERT_EQ(plan->to.size(), 1u);
  EXPECT_EQ(plan->to[0].email, "a@example.com");
  EXPECT_EQ(plan->values.at("reset_url"), "https://app.example/reset?t=x");
  // No link: no app path either.
  EXPECT_EQ(plan->path, "");
}

TEST(PlanFor, InvitationsGoToAnAddressThatIsNotAUserYet) {
  auto plan = PlanFor("staff.invited",
                      json{{"email", "new@example.com"}, {"organization_name", "Clinic"}}, kWeb);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->to.size(), 1u);
  EXPECT_EQ(plan->to[0].user_id, "");
  EXPECT_EQ(plan->to[0].email, "new@example.com");
  EXPECT_EQ(plan->values.at("org_name"), "Clinic");
  EXPECT_FALSE(PlanFor("staff.invited", json{{"organization_name", "Clinic"}}, kWeb).has_value());
}

TEST(PlanFor, KeepsOnlyValidUserIds) {
  auto plan = PlanFor("organization.verified",
                      json{{"admin_user_ids", json::array({kAdmin, "not-a-uuid", 7, kPatient})},
                           {"organization_id", "o1"},
                           {"legal_name", "Acme Health"}},
                      kWeb);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->to.size(), 2u);
  EXPECT_EQ(plan->to[0].user_id, kAdmin);
  EXPECT_EQ(plan->to[1].user_id, kPatient);
  EXPECT_EQ(plan->values.at("org_name"), "Acme Health");
  // A patient id that is not a uuid leaves nobody to tell.
  EXPECT_FALSE(PlanFor("appointment.cancelled", json{{"patient_id", "x"}}, kWeb).has_value());
}

TEST(PlanFor, UnknownEventsSendNothing) {
  EXPECT_FALSE(PlanFor("appointment.pending_payment", json{{"patient_id", kPatient}}, kWeb));
  EXPECT_FALSE(PlanFor("", json::object(), kWeb));
}

TEST(PlanFor, PaymentsShowTheAmountAndLinkTheInvoice) {
  auto plan = PlanFor("payment.captured",
                      json{{"payer_id", kPatient},
                           {"payment_id", "p1"},
                           {"amount", {{"amount_minor", 150050}, {"currency", "INR"}}}},
                      kWeb);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->category, "payments");
  EXPECT_EQ(plan->values.at("amount"), "INR 1500.50");
  EXPECT_EQ(plan->values.at("invoice_link"), "https://app.example/payments/p1");
}

TEST(Money, FormatsMinorUnitsWithTheDefaultCurrency) {
  EXPECT_EQ(Money(json{{"amount_minor", 5}}), "INR 0.05");
  EXPECT_EQ(Money(json{{"amount_minor", 1000}, {"currency", "USD"}}), "USD 10.00");
  EXPECT_EQ(Money(json("100")), "");
}

TEST(Preferences, DefaultsAreEmailAndInAppWithSmsForAppointmentsOnly) {
  json none = json::object();
  EXPECT_TRUE(Wants(none, "appointments", "sms"));
  EXPECT_FALSE(Wants(none, "payments", "sms"));
  EXPECT_TRUE(Wants(none, "payments", "email"));
  EXPECT_TRUE(Wants(none, "forum", "in_app"));
  EXPECT_FALSE(Wants(none, "forum", "push"));
  EXPECT_FALSE(Wants(none, "marketing", "email"));  // opt-in
}

TEST(Preferences, WhatTheUserSaidWinsExceptForAccountMessages) {
  json channels = {{"appointments", {{"sms", false}}},
                   {"marketing", {{"email", true}}},
                   {"forum", {{"email", "yes"}}},  // not a boolean: the default
                   {"account", {{"email", false}}}};
  EXPECT_FALSE(Wants(channels, "appointments", "sms"));
  EXPECT_TRUE(Wants(channels, "appointments", "email"));
  EXPECT_TRUE(Wants(channels, "marketing", "email"));
  EXPECT_TRUE(Wants(channels, "forum", "email"));
  EXPECT_TRUE(Wants(channels, "account", "email"));
}

TEST(Preferences, QuietHoursMustBeTwoDifferentLocalTimesInAZone) {
  std::vector<status::Violation> bad;
  CheckQuietHours("22:00", "07:00", "Asia/Kolkata", &bad);  // crossing midnight is fine
  EXPECT_TRUE(bad.empty());
  CheckQuietHours("25:00", "7:00", "", &bad);
  ASSERT_EQ(bad.size(), 3u);
  EXPECT_EQ(bad[0].field, "quiet_hours.start_local");
  EXPECT_EQ(bad[1].field, "quiet_hours.end_local");
  EXPECT_EQ(bad[2].field, "quiet_hours.timezone");
  bad.clear();
  CheckQuietHours("22:00", "22:00", std::string(65, 'x'), &bad);
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].message, "must differ from start_local");
  EXPECT_EQ(bad[1].field, "quiet_hours.timezone");
}

TEST(Preferences, LocalesAreEnglishAndHindi) {
  EXPECT_TRUE(KnownLocale("en"));
  EXPECT_TRUE(KnownLocale("hi"));
  EXPECT_FALSE(KnownLocale("fr"));
  EXPECT_FALSE(KnownLocale(""));
}

TEST(Delivery, UrgentEmailWaitsOnStandbyOnlyWhenAnSmsGoes) {
  EXPECT_EQ(EmailStatus(true, true, true), "pending");
  EXPECT_EQ(EmailStatus(false, true, true), "standby");
  EXPECT_EQ(EmailStatus(false, true, false), "suppressed");
  EXPECT_EQ(EmailStatus(false, false, true), "suppressed");
}

TEST(Delivery, TransientFailuresAreRetriedUntilTheLastAttempt) {
  EXPECT_EQ(StatusAfterAttempt(true, false, 8, 8), "sent");
  EXPECT_EQ(StatusAfterAttempt(false, false, 1, 8), "pending");
  EXPECT_EQ(StatusAfterAttempt(false, false, 7, 8), "pending");
  EXPECT_EQ(StatusAfterAttempt(false, false, 8, 8), "failed");
  EXPECT_EQ(StatusAfterAttempt(false, true, 1, 8), "failed");  // refused: no retry
}

TEST(Delivery, BackoffDoublesUpToFiveMinutesTimesTheJitter) {
  EXPECT_DOUBLE_EQ(BackoffSeconds(1, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(2, 1.0), 2.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(3, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(9, 1.0), 256.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(10, 1.0), 300.0);
  EXPECT_DOUBLE_EQ(BackoffSeconds(40, 1.5), 450.0);  // capped before the jitter
}

TEST(Delivery, SmsCap) {
  EXPECT_TRUE(WithinSmsCap(9, 10));
  EXPECT_FALSE(WithinSmsCap(10, 10));
}

}  // namespace
}  // namespace healthtech::notification::domain
