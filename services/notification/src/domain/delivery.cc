#include "domain/delivery.h"

#include <algorithm>

namespace healthtech::notification::domain {

std::string EmailStatus(bool wants_email, bool urgent, bool sms_goes) {
  return wants_email ? "pending" : (urgent && sms_goes) ? "standby" : "suppressed";
}

std::string StatusAfterAttempt(bool sent, bool permanent, int attempts, int max_attempts) {
  return sent ? "sent" : (permanent || attempts >= max_attempts) ? "failed" : "pending";
}

double BackoffSeconds(int attempts, double jitter) {
  return std::min(300.0, 0.5 * (1 << std::min(attempts, 10))) * jitter;
}

bool WithinSmsCap(int sent_last_hour, int hourly_cap) { return sent_last_hour < hourly_cap; }

}  // namespace healthtech::notification::domain
