#pragma once
// What every handler of appointment-service shares: the caller as a database subject and as
// an actor of the rules, and the one "not found" answer.
#include <string>

#include "domain/status.h"
#include "healthtech/auth/jwt.h"
#include "healthtech/pg/pool.h"
#include "healthtech/status/status.h"
#include "storage/store.h"

namespace healthtech::appointment::handlers {

inline pg::Subject SubjectOf(const auth::Claims& c) { return {c.sub, c.RolesCsv()}; }

inline bool IsOrgStaff(const auth::Claims& c, const std::string& org_id) {
  return c.HasRole("org_staff:" + org_id) || c.HasRole("org_admin:" + org_id);
}

inline domain::Actor ActorOf(const auth::Claims& c, const storage::Appointment& a) {
  return {.patient = c.sub == a.patient_id,
          .practitioner = c.sub == a.practitioner_user_id,
          .org_staff = IsOrgStaff(c, a.organization_id)};
}

// Not found, or not the caller's to see (row-level security): the same answer.
inline absl::Status AppointmentNotFound() {
  return status::NotFound("APPOINTMENT_NOT_FOUND",
                          "No appointment with this id is visible to you.");
}

}  // namespace healthtech::appointment::handlers
