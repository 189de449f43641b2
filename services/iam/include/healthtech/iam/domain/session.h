#pragma once
// Session and sign-in rules of IAM, with no database and no gRPC.
#include <cstdint>
#include <string>
#include <vector>

namespace healthtech::iam {

// How long a one-time link lives: a day to verify an email, an hour to reset a password.
int OneTimeTokenTtlSeconds(const std::string& purpose);

// The assurance level of a sign-in: "aal2" when a one-time code was among its methods.
std::string AalFor(const std::vector<std::string>& amr);

// The least recently used devices beyond this many are forgotten.
inline constexpr int kMaxDevices = 50;
// What to do after a sign-in from a device the account has not used before, given how many
// devices it now knows (this one included).
struct NewDevicePlan {
  int forget = 0;       // the oldest devices to forget
  bool notify = false;  // tell the owner (not on the account's very first sign-in)
};
NewDevicePlan PlanNewDevice(int known);

// A TOTP step is accepted only once: it must be later than the last one used.
bool TotpStepFresh(int64_t step, int64_t last_step);

// Sign-in is refused once the failures counted in the window reach the limit.
bool LoginThrottled(int64_t failures, int limit);

// Platform-wide roles that GrantRole/RevokeRole manage, and organisation-scoped ones.
bool IsGlobalRole(const std::string& role);
bool IsOrgRole(const std::string& role);

}  // namespace healthtech::iam
