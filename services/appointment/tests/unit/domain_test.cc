// The appointment rules on their own: no database, no gRPC.
#include <gtest/gtest.h>

#include "domain/availability.h"
#include "domain/booking.h"
#include "domain/status.h"
#include "healthtech/status/status.h"

namespace healthtech::appointment::domain {
namespace {

std::string Reason(const absl::Status& s) { return status::ReasonOf(s); }

TEST(StatusMachine, NamesRoundTrip) {
  for (Status s :
       {Status::kPendingPayment, Status::kBooked, Status::kCheckedIn, Status::kInProgress,
        Status::kCompleted, Status::kCancelled, Status::kExpired, Status::kNoShow}) {
    EXPECT_EQ(ParseStatus(Text(s)), s) << Text(s);
  }
  EXPECT_FALSE(ParseStatus("BOOKED").has_value());
  EXPECT_FALSE(ParseStatus("").has_value());
}

TEST(StatusMachine, FollowsTheVisitInOrder) {
  EXPECT_EQ(*Next(Status::kPendingPayment, Action::kConfirmPayment), Status::kBooked);
  EXPECT_EQ(*Next(Status::kPendingPayment, Action::kExpireHold), Status::kExpired);
  EXPECT_EQ(*Next(Status::kBooked, Action::kCheckIn), Status::kCheckedIn);
  EXPECT_EQ(*Next(Status::kCheckedIn, Action::kStart), Status::kInProgress);
  EXPECT_EQ(*Next(Status::kInProgress, Action::kComplete), Status::kCompleted);
  EXPECT_EQ(*Next(Status::kBooked, Action::kMarkNoShow), Status::kNoShow);
  EXPECT_EQ(*Next(Status::kCheckedIn, Action::kMarkNoShow), Status::kNoShow);
  EXPECT_EQ(*Next(Status::kBooked, Action::kCancel), Status::kCancelled);
  EXPECT_EQ(*Next(Status::kPendingPayment, Action::kCancel), Status::kCancelled);
  EXPECT_EQ(*Next(Status::kBooked, Action::kReschedule), Status::kBooked);
  EXPECT_EQ(*Next(Status::kPendingPayment, Action::kReschedule), Status::kPendingPayment);
}

TEST(StatusMachine, RefusesEverythingElseWithInvalidTransition) {
  int refused = 0;
  for (Status from :
       {Status::kPendingPayment, Status::kBooked, Status::kCheckedIn, Status::kInProgress,
        Status::kCompleted, Status::kCancelled, Status::kExpired, Status::kNoShow}) {
    for (Action a :
         {Action::kConfirmPayment, Action::kExpireHold, Action::kCheckIn, Action::kStart,
          Action::kComplete, Action::kMarkNoShow, Action::kCancel, Action::kReschedule}) {
      auto to = Next(from, a);
      if (!to.ok()) {
        EXPECT_EQ(Reason(to.status()), "INVALID_TRANSITION");
        EXPECT_EQ(to.status().code(), absl::StatusCode::kAborted);
        ++refused;
      }
    }
  }
  EXPECT_EQ(refused, 64 - 11);  // 11 moves exist (above); the rest are refused
  // Final states stay final.
  for (Status done : {Status::kCompleted, Status::kCancelled, Status::kExpired, Status::kNoShow})
    EXPECT_FALSE(Next(done, Action::kCancel).ok());
  EXPECT_EQ(Next(Status::kCompleted, Action::kCancel).status().message(),
            "An appointment that is completed cannot be cancelled.");
}

TEST(StatusMachine, OnlyProvidersRunTheVisit) {
  Actor patient{.patient = true}, practitioner{.practitioner = true}, staff{.org_staff = true};
  Actor stranger{};
  for (Action a : {Action::kCheckIn, Action::kStart, Action::kComplete, Action::kMarkNoShow}) {
    EXPECT_EQ(Reason(MayAct(patient, a)), "FORBIDDEN");
    EXPECT_TRUE(MayAct(practitioner, a).ok());
    EXPECT_TRUE(MayAct(staff, a).ok());
  }
  for (Action a : {Action::kCancel, Action::kReschedule}) {
    EXPECT_TRUE(MayAct(patient, a).ok());
    EXPECT_TRUE(MayAct(staff, a).ok());
    EXPECT_EQ(Reason(MayAct(stranger, a)), "FORBIDDEN");
  }
}

TEST(StatusMachine, PatientsMeetTheCutoffProvidersDoNot) {
  Actor patient{.patient = true}, practitioner{.practitioner = true};
  Actor patient_who_is_staff{.patient = true, .org_staff = true};
  EXPECT_EQ(Reason(WithinCutoff(patient, Status::kBooked, Action::kCancel, false)),
            "CANCELLATION_CUTOFF_PASSED");
  EXPECT_EQ(Reason(WithinCutoff(patient, Status::kBooked, Action::kReschedule, false)),
            "CANCELLATION_CUTOFF_PASSED");
  EXPECT_TRUE(WithinCutoff(patient, Status::kBooked, Action::kCancel, true).ok());
  // An unpaid hold can always be dropped.
  EXPECT_TRUE(WithinCutoff(patient, Status::kPendingPayment, Action::kCancel, false).ok());
  EXPECT_TRUE(WithinCutoff(practitioner, Status::kBooked, Action::kCancel, false).ok());
  EXPECT_TRUE(WithinCutoff(patient_who_is_staff, Status::kBooked, Action::kCancel, false).ok());
}

TEST(StatusMachine, NoShowOnlyAfterTheStart) {
  EXPECT_EQ(Reason(NoShowAllowed(1000.0, 999.0)), "TOO_EARLY");
  EXPECT_TRUE(NoShowAllowed(1000.0, 1000.0).ok());
  EXPECT_TRUE(NoShowAllowed(1000.0, 5000.0).ok());
  EXPECT_TRUE(Remindable(Status::kBooked));
  EXPECT_TRUE(Remindable(Status::kCheckedIn));
  EXPECT_FALSE(Remindable(Status::kPendingPayment));
  EXPECT_FALSE(Remindable(Status::kCancelled));
}

TEST(Booking, OnlineFeesHoldTheSlotUntilPaid) {
  Fees fees{.published = true,
            .first_visit = {.amount_minor = 80000, .currency = "INR"},
            .follow_up = {.amount_minor = 50000, .currency = ""}};
  Charge first = ChargeFor(fees, /*first_visit=*/true, /*pay_at_clinic=*/false);
  EXPECT_EQ(first.fee.amount_minor, 80000);
  EXPECT_TRUE(first.hold);
  EXPECT_EQ(first.status, Status::kPendingPayment);
  Charge again = ChargeFor(fees, false, false);
  EXPECT_EQ(again.fee.amount_minor, 50000);
  EXPECT_EQ(again.fee.currency, "INR");  // unset currency: the platform's default
  Charge at_clinic = ChargeFor(fees, true, /*pay_at_clinic=*/true);
  EXPECT_FALSE(at_clinic.hold);
  EXPECT_EQ(at_clinic.status, Status::kBooked);
  EXPECT_EQ(at_clinic.fee.amount_minor, 80000);
  Charge free = ChargeFor(Fees{}, true, false);
  EXPECT_EQ(free.fee.amount_minor, 0);
  EXPECT_FALSE(free.hold);
  EXPECT_EQ(free.status, Status::kBooked);
}

TEST(Booking, FingerprintChangesWithEveryField) {
  BookingRequest r{.practitioner_id = "p",
                   .facility_id = "f",
                   .mode = "video",
                   .reason = "cough",
                   .start_seconds = 1800000000,
                   .pay_at_clinic = false};
  std::string base = Fingerprint(r);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(Fingerprint(r), base);
  auto differs = [&](auto change) {
    BookingRequest c = r;
    change(c);
    return Fingerprint(c) != base;
  };
  EXPECT_TRUE(differs([](BookingRequest& c) { c.practitioner_id = "q"; }));
  EXPECT_TRUE(differs([](BookingRequest& c) { c.facility_id = "g"; }));
  EXPECT_TRUE(differs([](BookingRequest& c) { c.mode = "in_person"; }));
  EXPECT_TRUE(differs([](BookingRequest& c) { c.reason = "fever"; }));
  EXPECT_TRUE(differs([](BookingRequest& c) { c.start_seconds += 60; }));
  EXPECT_TRUE(differs([](BookingRequest& c) { c.pay_at_clinic = true; }));
}

TEST(Booking, EventTimesAreWholeSecondUtc) {
  EXPECT_EQ(EventTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(EventTime(1796635800.75), "2026-12-07T09:30:00Z");
}

TEST(Availability, NamesEveryProblemOfASchedule) {
  Schedule s;
  s.windows.push_back({.field = "rules[0]",
                       .facility_id = "f1",
                       .mode = "video",
                       .start_local = "09:00",
                       .end_local = "13:00",
                       .slot_minutes = 15,
                       .weekly = true,
                       .weekday = 1,
                       .date = ""});
  s.windows.push_back({.field = "rules[1]",
                       .facility_id = "elsewhere",
                       .mode = "",
                       .start_local = "13:00",
                       .end_local = "09:00",
                       .slot_minutes = 2,
                       .buffer_before_minutes = -1,
                       .buffer_after_minutes = 121,
                       .weekly = true,
                       .weekday = 8,
                       .date = ""});
  s.windows.push_back({.field = "extra_hours[0]",
                       .facility_id = "f1",
                       .mode = "in_person",
                       .start_local = "22:00",
                       .end_local = "24:00",
                       .slot_minutes = 30,
                       .weekly = false,
                       .date = "2026-02-30"});
  s.time_off.push_back({.field = "time_off[0]",
                        .start_date = "2026-12-10",
                        .end_date = "2026-12-09",
                        .facility_id = ""});
  s.horizon_days = 400;
  s.has_max_bookings_per_day = true;
  s.max_bookings_per_day = 0;
  std::vector<std::string> fields;
  for (const auto& v : ScheduleProblems(s, {"f1"})) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "rules[1].facility_id", "rules[1].mode", "rules[1].end_local",
                        "rules[1].slot_minutes", "rules[1].buffer_before_minutes",
                        "rules[1].buffer_after_minutes", "rules[1].weekday", "extra_hours[0].date",
                        "time_off[0].end_date", "horizon_days", "max_bookings_per_day"}));
  s.windows.resize(1);
  s.time_off.clear();
  s.horizon_days = 60;
  s.max_bookings_per_day = 8;
  EXPECT_TRUE(ScheduleProblems(s, {"f1"}).empty());
  EXPECT_EQ(StoredEndTime("24:00"), "23:59:59");
  EXPECT_EQ(StoredEndTime("17:30"), "17:30");
}

TEST(Booking, PaymentStateFollowsWhatWasRecorded) {
  EXPECT_EQ(PaymentStateOf(Status::kBooked, 0, false, false), PaymentState::kFree);
  EXPECT_EQ(PaymentStateOf(Status::kBooked, 50000, true, false), PaymentState::kAtClinic);
  EXPECT_EQ(PaymentStateOf(Status::kPendingPayment, 50000, false, false), PaymentState::kAwaiting);
  EXPECT_EQ(PaymentStateOf(Status::kBooked, 50000, false, true), PaymentState::kPaid);
  // A paid appointment stays paid when cancelled (the refund is the payment's business).
  EXPECT_EQ(PaymentStateOf(Status::kCancelled, 50000, false, true), PaymentState::kPaid);
  EXPECT_EQ(PaymentStateOf(Status::kExpired, 50000, false, false), PaymentState::kUnpaid);
}

TEST(Booking, AgeCountsWholeYears) {
  EXPECT_EQ(AgeOn("1990-04-21", "2026-12-06"), 36);
  EXPECT_EQ(AgeOn("1990-12-07", "2026-12-06"), 35);  // birthday tomorrow
  EXPECT_EQ(AgeOn("1990-12-06", "2026-12-06"), 36);  // birthday today
  EXPECT_EQ(AgeOn("2026-06-01", "2026-12-06"), 0);
  EXPECT_EQ(AgeOn("2027-01-01", "2026-12-06"), std::nullopt);
  EXPECT_EQ(AgeOn("not a date", "2026-12-06"), std::nullopt);
}

TEST(Booking, MapUrlPrefersCoordinatesAndEncodesTheAddress) {
  double lat = 12.9716, lng = 77.5946;
  EXPECT_EQ(MapUrl("1 MG Road, Bengaluru", &lat, &lng),
            "https://www.google.com/maps/search/?api=1&query=12.971600%2C77.594600");
  EXPECT_EQ(
      MapUrl("1 MG Road, Bengaluru & co", nullptr, nullptr),
      "https://www.google.com/maps/search/?api=1&query=1%20MG%20Road%2C%20Bengaluru%20%26%20co");
  EXPECT_EQ(MapUrl("", nullptr, nullptr), "");
}

}  // namespace
}  // namespace healthtech::appointment::domain
