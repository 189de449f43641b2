#pragma once
// The appointment status machine: which action moves an appointment from which status to
// which, and who may take it. Pure rules (no database, no gRPC), unit-tested on their own.
//
//   pending_payment ──confirm payment──▶ booked ──check in──▶ checked_in ──start──▶ in_progress
//        │  │                             │  │                    │                     │
//        │  └─hold runs out─▶ expired     │  └─no-show─▶ no_show ◀┘ └─complete─▶ completed
//        └──────────cancel──────────▶ cancelled ◀──cancel──┘
// Rescheduling keeps the status (booked or pending_payment) and moves the time.
#include <optional>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace healthtech::appointment::domain {

enum class Status {
  kPendingPayment,
  kBooked,
  kCheckedIn,
  kInProgress,
  kCompleted,
  kCancelled,
  kExpired,
  kNoShow
};

// The stored text of a status ("pending_payment", …) and back.
std::string_view Text(Status s);
std::optional<Status> ParseStatus(std::string_view text);

enum class Action {
  kConfirmPayment,
  kExpireHold,
  kCheckIn,
  kStart,
  kComplete,
  kMarkNoShow,
  kCancel,
  kReschedule
};

// Who acts on an appointment, as far as the rules care.
struct Actor {
  bool patient = false;       // the appointment's patient
  bool practitioner = false;  // its practitioner
  bool org_staff = false;     // staff or admin of its organization
  bool provider() const { return practitioner || org_staff; }
};

// The status `action` leads to from `from`, or 409 INVALID_TRANSITION.
absl::StatusOr<Status> Next(Status from, Action action);

// Whether `actor` may take `action` at all (403 FORBIDDEN if not). Checking in, starting,
// completing and no-shows are the provider's; cancelling and rescheduling are the patient's
// or the provider's; payments and hold expiry are the platform's.
absl::Status MayAct(const Actor& actor, Action action);

// A patient who is not also the provider may cancel or move a booked appointment online
// only before the practitioner's cutoff (a pending payment can always be dropped).
absl::Status WithinCutoff(const Actor& actor, Status from, Action action, bool before_cutoff);

// A no-show is marked once the start time has passed (409 TOO_EARLY before).
absl::Status NoShowAllowed(double start_seconds, double now_seconds);

// Reminders go out for appointments in these statuses.
bool Remindable(Status s);

}  // namespace healthtech::appointment::domain
