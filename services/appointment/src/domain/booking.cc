#include "domain/booking.h"

#include <cctype>
#include <cmath>
#include <cstdio>
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

PaymentState PaymentStateOf(Status status, int64_t fee_minor, bool pay_at_clinic,
                            bool paid_online) {
  if (paid_online) return PaymentState::kPaid;
  if (fee_minor <= 0) return PaymentState::kFree;
  if (pay_at_clinic) return PaymentState::kAtClinic;
  if (status == Status::kPendingPayment) return PaymentState::kAwaiting;
  return PaymentState::kUnpaid;
}

std::optional<int> AgeOn(std::string_view dob, std::string_view today) {
  auto parse = [](std::string_view d, int* y, int* m, int* day) {
    return d.size() == 10 && std::sscanf(std::string(d).c_str(), "%4d-%2d-%2d", y, m, day) == 3;
  };
  int by = 0, bm = 0, bd = 0, ty = 0, tm = 0, td = 0;
  if (!parse(dob, &by, &bm, &bd) || !parse(today, &ty, &tm, &td)) return std::nullopt;
  if (std::string(dob) > std::string(today)) return std::nullopt;
  int age = ty - by;
  if (tm < bm || (tm == bm && td < bd)) --age;  // the birthday is still to come this year
  return age;
}

namespace {
std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}
}  // namespace

std::string MapUrl(const std::string& address_line, const double* latitude,
                   const double* longitude) {
  std::string query;
  if (latitude && longitude) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f,%.6f", *latitude, *longitude);
    query = buf;
  } else {
    query = address_line;
  }
  if (query.empty()) return "";
  return "https://www.google.com/maps/search/?api=1&query=" + PercentEncode(query);
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
