#pragma once
// Delivery rules with no database and no gRPC: which messages wait on standby, what an
// attempt's outcome leads to, the retry schedule, the SMS cap and when an event that keeps
// failing is given up.
#include <cstdint>
#include <string>

namespace healthtech::notification::domain {

// The status a new email starts in: "pending" when the user takes email; else "standby" for
// an urgent message the user takes by SMS only (it goes out if the SMS cannot), else
// "suppressed".
std::string EmailStatus(bool wants_email, bool urgent, bool sms_goes);

// The status after attempt number `attempts` (1 for the first): "sent"; "failed" when the
// provider refused the message (`permanent`) or `max_attempts` are used up; else "pending"
// (retried after BackoffSeconds).
std::string StatusAfterAttempt(bool sent, bool permanent, int attempts, int max_attempts);

// Exponential backoff before the next attempt: 0.5 s × 2^attempts (~1 s, 2 s, 4 s, ...),
// at most 5 minutes, times `jitter` (drawn from [0.5, 1.5)).
double BackoffSeconds(int attempts, double jitter);

// Whether one more non-security SMS may go to a user who had `sent_last_hour` this hour.
bool WithinSmsCap(int sent_last_hour, int hourly_cap);

}  // namespace healthtech::notification::domain
