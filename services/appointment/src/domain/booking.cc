#include "domain/booking.h"

#include <cmath>
#include <ctime>

#include "healthtech/crypto/hash.h"

namespace healthtech::appointment::domain {

Charge ChargeFor(const Fees& fees, bool first_visit, bool pay_at_clinic) {
  Charge c;
  c.fee.currency = "INR";
  if (fees.published) {
    const Money& m = first_visit ? fees.first_visit : fees.follow_up;
    c.fee.amount_minor = m.amount_minor;
    if (!m.currency.empty()) c.fee.currency = m.currency;
  }
  c.hold = c.fee.amount_minor > 0 && !pay_at_clinic;
  c.status = c.hold ? Status::kPendingPayment : Status::kBooked;
  return c;
}

std::string Fingerprint(const BookingRequest& r) {
  return crypto::Sha256Hex(r.practitioner_id + "|" + r.facility_id + "|" +
                           std::to_string(r.start_seconds) + "|" + r.mode + "|" + r.reason + "|" +
                           (r.pay_at_clinic ? "1" : "0"));
}

std::string EventTime(double seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

}  // namespace healthtech::appointment::domain
