#include "healthtech/uhi/domain/orders.h"

#include <gtest/gtest.h>

namespace healthtech::uhi::domain {
namespace {

using nlohmann::json;

json InitMessage() {
  return json::parse(R"({"order":{"provider":{"id":"p"},
    "item":{"id":"0","descriptor":{"name":"Consultation"},"price":{"currency":"INR","value":"500.00"}},
    "fulfillment":{"id":"8B7C1F0E-3C4D-8E5F-9A6B-1C2D3E4F5A6B","type":"PhysicalConsultation",
      "agent":{"id":"meera@hpr.abdm","name":"Dr. Meera","gender":"F","tags":{}},
      "start":{"time":{"timestamp":"2026-12-08T10:00:00"}},"end":{"time":{"timestamp":"2026-12-08T10:20:00"}}},
    "billing":{"name":"Asha Verma","phone":"98123 45678","email":"asha@example.in",
      "address":{"door":"1","name":"A","locality":"B","city":"Bengaluru","state":"KA","country":"IND"}},
    "customer":{"id":"asha.v01@sbx","person":{"gender":"F","dob":"1990-01-02"}},
    "payment":{"type":"ON-ORDER","params":{"redirect_url":"https://eua.example/r"}}}})");
}

TEST(ParseInit, ReadsTheSlotThePatientAndThePayment) {
  auto r = ParseInit(InitMessage());
  ASSERT_TRUE(std::holds_alternative<InitOrder>(r)) << std::get<Nack>(r).message;
  const auto& o = std::get<InitOrder>(r);
  EXPECT_EQ(o.slot_id, "8b7c1f0e-3c4d-8e5f-9a6b-1c2d3e4f5a6b");
  EXPECT_EQ(o.type, "Physical");
  EXPECT_EQ(o.abha_address, "asha.v01@sbx");
  EXPECT_EQ(o.name, "Asha Verma");
  EXPECT_EQ(o.phone, "+919812345678");
  EXPECT_EQ(o.payment_type, "ON-ORDER");
}

TEST(ParseInit, TakesTheSlotTagWhenTheFulfillmentIdIsNotOne) {
  json m = InitMessage();
  m["order"]["fulfillment"]["id"] = "1";
  m["order"]["fulfillment"]["tags"] = {
      {"@abdm/gov.in/slot_id", "00000000-0000-8000-8000-000000000001"}};
  auto r = ParseInit(m);
  ASSERT_TRUE(std::holds_alternative<InitOrder>(r));
  EXPECT_EQ(std::get<InitOrder>(r).slot_id, "00000000-0000-8000-8000-000000000001");
}

TEST(ParseInit, RefusesWhatCannotBeBooked) {
  json no_slot = InitMessage();
  no_slot["order"]["fulfillment"]["id"] = "slot-1";
  EXPECT_EQ(std::get<Nack>(ParseInit(no_slot)).path, "message.order.fulfillment.id");
  json no_patient = InitMessage();
  no_patient["order"]["customer"].erase("id");
  EXPECT_EQ(std::get<Nack>(ParseInit(no_patient)).path, "message.order.customer.id");
  json wrong_type = InitMessage();
  wrong_type["order"]["customer"]["id"] = 42;
  EXPECT_EQ(std::get<Nack>(ParseInit(wrong_type)).path, "message.order.customer.id");
  json group = InitMessage();
  group["order"]["fulfillment"]["type"] = "GroupConsultation";
  EXPECT_EQ(std::get<Nack>(ParseInit(group)).path, "message.order.fulfillment.type");
  EXPECT_EQ(std::get<Nack>(ParseInit(json::object())).path, "message.order");
  json bad_phone = InitMessage();
  bad_phone["order"]["billing"]["phone"] = "call me";
  EXPECT_EQ(std::get<InitOrder>(ParseInit(bad_phone)).phone, "");
}

TEST(ParseOrderId, ConfirmNeedsEveryTermAgreed) {
  json m = {{"order", {{"id", "0B7C1F0E-3C4D-4E5F-9A6B-1C2D3E4F5A6B"}}}};
  EXPECT_EQ(std::get<std::string>(ParseOrderId(m, true)), "0b7c1f0e-3c4d-4e5f-9a6b-1c2d3e4f5a6b");
  m["order"]["terms"] = json::array({{{"type", "Commercial"}, {"termsState", "AGREED"}},
                                     {{"type", "Refund"}, {"termsState", "INITIATED"}}});
  auto r = ParseOrderId(m, true);
  ASSERT_TRUE(std::holds_alternative<Nack>(r));
  EXPECT_EQ(std::get<Nack>(r).path, "message.order.terms[1].termsState");
  EXPECT_TRUE(std::holds_alternative<std::string>(ParseOrderId(m, false)));
  EXPECT_TRUE(
      std::holds_alternative<Nack>(ParseOrderId({{"order", {{"id", "8441-696786-1042"}}}}, false)));
}

TEST(ParseCancel, ReadsTheReasonInAnySpelling) {
  json m = {{"order",
             {{"id", "0b7c1f0e-3c4d-4e5f-9a6b-1c2d3e4f5a6b"},
              {"state", "CANCELLED"},
              {"fulfillment",
               {{"tags",
                 {{"@abdm/gov.in/cancelledby", "patient"},
                  {"@abdm/gov.in/cancelReason", "PATIENT_HEALTH_IMPROVED"},
                  {"@abdm/gov.in/groupConsultation", "false"}}}}}}}};
  auto r = ParseCancel(m);
  ASSERT_TRUE(std::holds_alternative<CancelOrder>(r));
  EXPECT_EQ(std::get<CancelOrder>(r).reason_code, "PATIENT_HEALTH_IMPROVED");
  EXPECT_EQ(CancelReasonText("PATIENT_HEALTH_IMPROVED", ""), "Patient: health improved");
  EXPECT_EQ(CancelReasonText("PATIENT_OTHER", "moving city"), "Patient: other (moving city)");
  EXPECT_EQ(CancelReasonText("", ""), "Cancelled through the patient's UHI app");
  // A long reason in Devanagari (3 bytes a letter) is cut between letters, never inside one.
  std::string long_hindi;
  for (int i = 0; i < 400; ++i) long_hindi += "न";
  std::string cut = CancelReasonText("X", long_hindi);  // "X (" + letters: 1000 is mid-letter
  EXPECT_EQ(cut.size(), 999u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "न");
}

TEST(Quote, AddsGstAsTheInvoicesDo) {
  json nil = Quote(50000, 0);
  EXPECT_EQ(nil["price"]["value"], "500.00");
  EXPECT_EQ(nil["breakup"][1]["title"], "CGST @ 0%");
  json taxed = Quote(50001, 1800);  // 9000.18 paise of tax → 9000, half up
  EXPECT_EQ(taxed["breakup"][0]["price"]["value"], "500.01");
  EXPECT_EQ(taxed["breakup"][1]["title"], "CGST @ 9%");
  EXPECT_EQ(taxed["breakup"][1]["price"]["value"], "45.00");
  EXPECT_EQ(taxed["breakup"][2]["price"]["value"], "45.00");
  EXPECT_EQ(taxed["price"]["value"], "590.01");
  EXPECT_EQ(Quote(10001, 500)["breakup"][1]["title"], "CGST @ 2.50%");
}

TEST(OrderState, FollowsTheAppointment) {
  EXPECT_EQ(OrderState("pending_payment"), "INITIALIZED");
  EXPECT_EQ(OrderState("booked"), "CONFIRMED");
  EXPECT_EQ(OrderState("checked_in"), "CONFIRMED");
  EXPECT_EQ(OrderState("in_progress"), "APPOINTMENT_STARTED");
  EXPECT_EQ(OrderState("completed"), "COMPLETED");
  EXPECT_EQ(OrderState("cancelled"), "CANCELLED");
  EXPECT_EQ(OrderState("no_show"), "NO_SHOW");
  EXPECT_EQ(OrderState("expired"), "FAILED");
}

TEST(PinText, IsFourDigits) {
  EXPECT_EQ(PinText(7), "0007");
  EXPECT_EQ(PinText(3774), "3774");
  EXPECT_EQ(PinText(13774), "3774");
}

}  // namespace
}  // namespace healthtech::uhi::domain

namespace healthtech::uhi::domain {
namespace {

TEST(NestedTooDeep, CountsBracketsOutsideStrings) {
  EXPECT_FALSE(NestedTooDeep(R"({"a":[{"b":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]})"));
  EXPECT_FALSE(NestedTooDeep(std::string(32, '[') + std::string(32, ']')));
  EXPECT_TRUE(NestedTooDeep(std::string(33, '[')));
  EXPECT_TRUE(NestedTooDeep(R"({"a":"\"",)" + std::string(40, '{')));  // an escaped quote
  EXPECT_TRUE(NestedTooDeep("[[[", 2));
}

}  // namespace
}  // namespace healthtech::uhi::domain
