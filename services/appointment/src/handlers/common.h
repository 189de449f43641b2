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

// An appointment locked for a change, with where the change leads.
struct Locked {
  storage::Appointment appointment;
  domain::Status from, to;
  domain::Actor actor;
};
// Locks appointment `id` for `action` by `caller`: 404 if the caller cannot see it, 403 if
// they may not take the action (everyone who sees an appointment may cancel or move it, so
// this matters for the visit's moves), 409 if its status does not allow it.
inline absl::StatusOr<Locked> LockForAction(storage::Tx& tx, const std::string& id,
                                            const auth::Claims& caller, domain::Action action) {
  auto a = storage::FindForUpdate(tx, id);
  if (!a) return AppointmentNotFound();
  domain::Actor actor = ActorOf(caller, *a);
  if (auto s = domain::MayAct(actor, action); !s.ok()) return s;
  auto from = domain::ParseStatus(a->status);
  if (!from) return status::Internal("unknown status " + a->status);
  auto to = domain::Next(*from, action);
  if (!to.ok()) return to.status();
  return Locked{std::move(*a), *from, *to, actor};
}

}  // namespace healthtech::appointment::handlers
