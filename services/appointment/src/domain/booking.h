#pragma once
// Booking rules with no database and no gRPC: what a booking costs, whether it waits for
// payment, what an Idempotency-Key replay must match, and what an event says.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/status.h"

namespace healthtech::appointment::domain {

struct Money {
  int64_t amount_minor = 0;
  std::string currency;  // "" means the platform's default, INR
};

// The practitioner's fees, as the organization service publishes them.
struct Fees {
  bool published = false;
  Money first_visit, follow_up;
};

// What a new booking costs and the status it starts in: a fee paid online holds the slot
// as pending_payment until the payment is captured; free or pay-at-clinic bookings are
// booked at once.
struct Charge {
  Money fee;
  bool hold = false;
  Status status = Status::kBooked;
};
Charge ChargeFor(const Fees& fees, bool first_visit, bool pay_at_clinic);

// Where the money for an appointment stands, from what the appointment records.
enum class PaymentState { kFree, kAtClinic, kAwaiting, kPaid, kUnpaid };
PaymentState PaymentStateOf(Status status, int64_t fee_minor, bool pay_at_clinic, bool paid_online);

// Whole years between a date of birth and `today` (both "YYYY-MM-DD"); nullopt when either
// is not a date or the birth is after today.
std::optional<int> AgeOn(std::string_view date_of_birth, std::string_view today);

// A map search for a place: its coordinates when known, else its written address.
std::string MapUrl(const std::string& address_line, const double* latitude,
                   const double* longitude);

// What a booking request means, for Idempotency-Key replays: the same key is answered with
// the first booking only when this fingerprint matches (409 IDEMPOTENCY_KEY_REUSED if not).
struct BookingRequest {
  std::string practitioner_id, facility_id, mode, reason;
  double start_seconds = 0;
  bool pay_at_clinic = false;
};
std::string Fingerprint(const BookingRequest& r);

// An instant as the events carry it: RFC 3339, whole seconds, UTC ("2026-12-07T03:30:00Z").
std::string EventTime(double seconds);

}  // namespace healthtech::appointment::domain
