#include "transcode.h"

#include <gtest/gtest.h>

#include "healthtech/appointment/v1/appointment_service.pb.h"
#include "healthtech/iam/v1/iam_service.pb.h"

namespace healthtech::bff {
namespace {

TEST(JsonToMessage, FillsKnownFields) {
  iam::v1::RegisterRequest m;
  std::vector<status::Violation> errors;
  JsonToMessage(nlohmann::json::parse(R"({"email":"a@b.co","password":"x","full_name":"A"})"), &m,
                &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(m.email(), "a@b.co");
  EXPECT_EQ(m.full_name(), "A");
}

TEST(JsonToMessage, ReportsUnknownFieldsAndWrongTypes) {
  iam::v1::RegisterRequest m;
  std::vector<status::Violation> errors;
  JsonToMessage(nlohmann::json::parse(R"({"emial":"a@b.co","password":5,"full_name":["A"]})"), &m,
                &errors);
  ASSERT_EQ(errors.size(), 3u);
  std::map<std::string, std::string> byField;
  for (auto& e : errors) byField[e.field] = e.message;
  EXPECT_EQ(byField["emial"], "unknown field");
  EXPECT_EQ(byField["password"], "must be a string");
  EXPECT_EQ(byField["full_name"], "must be a string");
}

TEST(JsonToMessage, RejectsOutOfRangeIntegers) {
  iam::v1::LoginResponse m;
  std::vector<status::Violation> errors;
  JsonToMessage(nlohmann::json::parse(R"({"expires_in": 99999999999})"), &m, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "expires_in");
}

TEST(MessageToJson, OmitsUnsetOptionalsAndKeepsScalars) {
  iam::v1::LoginResponse m;
  m.set_mfa_required(true);
  m.set_mfa_token("t");
  auto j = MessageToJson(m);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"mfa_required":true,"mfa_token":"t"})"));
  iam::v1::User u;
  u.set_id("1");
  u.add_roles("patient");
  u.mutable_created_at()->set_seconds(1800000000);
  auto ju = MessageToJson(u);
  EXPECT_EQ(ju["email_verified"], false);
  EXPECT_EQ(ju["roles"], nlohmann::json::parse(R"(["patient"])"));
  EXPECT_EQ(ju["created_at"], "2027-01-15T08:00:00Z");
}

TEST(Enums, UseShortLowercaseNamesBothWays) {
  const auto* e = appointment::v1::AppointmentStatus_descriptor();
  const auto* v = e->FindValueByNumber(appointment::v1::APPOINTMENT_STATUS_PENDING_PAYMENT);
  EXPECT_EQ(EnumJsonName(v), "pending_payment");
}

TEST(Timestamps, RequireAnOffset) {
  appointment::v1::CreateAppointmentRequest m;
  std::vector<status::Violation> errors;
  JsonToMessage(nlohmann::json::parse(R"({"start":"2026-12-01T09:30:00"})"), &m, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "start");
  errors.clear();
  JsonToMessage(nlohmann::json::parse(R"({"start":"2026-12-01T09:30:00+05:30"})"), &m, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(m.start().seconds(), 1796097600);  // 2026-12-01T04:00:00Z
}

}  // namespace
}  // namespace healthtech::bff

namespace healthtech::bff {
namespace {

// The streaming writer renders exactly what the DOM rendering does.
TEST(AppendMessageJson, MatchesTheDomRendering) {
  appointment::v1::Appointment a;
  a.set_id("a\"b\\c\n\x01é");
  a.set_status(appointment::v1::APPOINTMENT_STATUS_BOOKED);
  a.mutable_start()->set_seconds(1800000000);
  a.mutable_fee()->set_amount_minor(123456789012LL);
  a.mutable_fee()->set_currency("INR");
  a.add_status_history()->set_to(appointment::v1::APPOINTMENT_STATUS_BOOKED);
  a.set_payment_id("");
  std::string out;
  AppendMessageJson(a, &out);
  EXPECT_EQ(nlohmann::json::parse(out), MessageToJson(a)) << out;
  appointment::v1::ListAppointmentsResponse empty;
  out.clear();
  AppendMessageJson(empty, &out);
  EXPECT_EQ(out, R"({"items":[]})");  // no next_page_token on the last page
}

}  // namespace
}  // namespace healthtech::bff
