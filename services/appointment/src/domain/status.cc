#include "domain/status.h"

#include <array>
#include <utility>

#include "healthtech/status/status.h"

namespace healthtech::appointment::domain {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 8> kNames = {{
    {Status::kPendingPayment, "pending_payment"},
    {Status::kBooked, "booked"},
    {Status::kCheckedIn, "checked_in"},
    {Status::kInProgress, "in_progress"},
    {Status::kCompleted, "completed"},
    {Status::kCancelled, "cancelled"},
    {Status::kExpired, "expired"},
    {Status::kNoShow, "no_show"},
}};

std::string_view Verb(Action a) {
  switch (a) {
    case Action::kConfirmPayment:
      return "be confirmed";
    case Action::kExpireHold:
      return "expire";
    case Action::kCheckIn:
      return "become checked_in";
    case Action::kStart:
      return "become in_progress";
    case Action::kComplete:
      return "become completed";
    case Action::kMarkNoShow:
      return "become no_show";
    case Action::kCancel:
      return "be cancelled";
    case Action::kReschedule:
      return "be rescheduled";
  }
  return "change";
}

}  // namespace

std::string_view Text(Status s) {
  for (const auto& [status, name] : kNames)
    if (status == s) return name;
  return "";
}

std::optional<Status> ParseStatus(std::string_view text) {
  for (const auto& [status, name] : kNames)
    if (name == text) return status;
  return std::nullopt;
}

absl::StatusOr<Status> Next(Status from, Action action) {
  using S = Status;
  std::optional<S> to;
  switch (action) {
    case Action::kConfirmPayment:
    case Action::kExpireHold:
      if (from == S::kPendingPayment)
        to = action == Action::kConfirmPayment ? S::kBooked : S::kExpired;
      break;
    case Action::kCheckIn:
      if (from == S::kBooked) to = S::kCheckedIn;
      break;
    case Action::kStart:
      if (from == S::kCheckedIn) to = S::kInProgress;
      break;
    case Action::kComplete:
      if (from == S::kInProgress) to = S::kCompleted;
      break;
    case Action::kMarkNoShow:
      if (from == S::kBooked || from == S::kCheckedIn) to = S::kNoShow;
      break;
    case Action::kCancel:
      if (from == S::kPendingPayment || from == S::kBooked) to = S::kCancelled;
      break;
    case Action::kReschedule:
      if (from == S::kPendingPayment || from == S::kBooked) to = from;
      break;
  }
  if (!to) {
    return status::Conflict("INVALID_TRANSITION", "An appointment that is " +
                                                      std::string(Text(from)) + " cannot " +
                                                      std::string(Verb(action)) + ".");
  }
  return *to;
}

absl::Status MayAct(const Actor& actor, Action action) {
  switch (action) {
    case Action::kCheckIn:
    case Action::kStart:
    case Action::kComplete:
    case Action::kMarkNoShow:
      if (actor.provider()) return absl::OkStatus();
      return status::PermissionDenied(
          "FORBIDDEN", "Only the practitioner or their organization's staff do this.");
    case Action::kCancel:
      if (actor.patient || actor.provider()) return absl::OkStatus();
      return status::PermissionDenied("FORBIDDEN", "You cannot cancel this appointment.");
    case Action::kReschedule:
      if (actor.patient || actor.provider()) return absl::OkStatus();
      return status::PermissionDenied("FORBIDDEN", "You cannot reschedule this appointment.");
    case Action::kConfirmPayment:
    case Action::kExpireHold:
      return absl::OkStatus();  // internal callers only, checked by the transport
  }
  return status::PermissionDenied("FORBIDDEN", "Not allowed.");
}

absl::Status WithinCutoff(const Actor& actor, Status from, Action action, bool before_cutoff) {
  if (!actor.patient || actor.provider() || from != Status::kBooked || before_cutoff)
    return absl::OkStatus();
  return status::Conflict(
      "CANCELLATION_CUTOFF_PASSED",
      action == Action::kReschedule
          ? "It is too late to move this appointment online; contact the clinic."
          : "It is too late to cancel this appointment online; contact the "
            "clinic.");
}

absl::Status NoShowAllowed(double start_seconds, double now_seconds) {
  if (start_seconds <= now_seconds) return absl::OkStatus();
  return status::Conflict("TOO_EARLY", "A no-show can be marked once the start time has passed.");
}

bool Remindable(Status s) { return s == Status::kBooked || s == Status::kCheckedIn; }

}  // namespace healthtech::appointment::domain
