#include "healthtech/iam/domain/session.h"

#include <algorithm>

namespace healthtech::iam {

int OneTimeTokenTtlSeconds(const std::string& purpose) {
  return purpose == "verify_email" ? 24 * 3600 : 3600;
}

std::string AalFor(const std::vector<std::string>& amr) {
  return std::find(amr.begin(), amr.end(), "otp") != amr.end() ? "aal2" : "aal1";
}

NewDevicePlan PlanNewDevice(int known) {
  NewDevicePlan plan;
  if (known > kMaxDevices) plan.forget = known - kMaxDevices;
  plan.notify = known != 1;
  return plan;
}

bool TotpStepFresh(int64_t step, int64_t last_step) { return step > last_step; }

bool LoginThrottled(int64_t failures, int limit) { return failures >= limit; }

bool IsGlobalRole(const std::string& role) {
  return role == "patient" || role == "moderator" || role == "platform_admin";
}

bool IsOrgRole(const std::string& role) {
  return role == "org_admin" || role == "org_staff" || role == "practitioner";
}

}  // namespace healthtech::iam
