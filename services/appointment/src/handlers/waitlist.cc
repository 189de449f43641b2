// The waitlist, and the background sweeps: expired payment holds, due reminders, lapsed offers.
#include <algorithm>

#include "domain/booking.h"
#include "handlers/common.h"
#include "handlers/mapping.h"
#include "healthtech/log/log.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::appointment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

grpc::Status AppointmentService::JoinWaitlist(Ctx* ctx, const v1::JoinWaitlistRequest* req,
                                              v1::WaitlistEntry* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    if (!validate::ValidDate(req->date_from()))
      v.push_back({"date_from", "must be a date YYYY-MM-DD"});
    if (!validate::ValidDate(req->date_to())) v.push_back({"date_to", "must be a date YYYY-MM-DD"});
    if (v.empty() && req->date_to() < req->date_from())
      v.push_back({"date_to", "must not be before date_from"});
    if (!req->facility_id().empty() && !validate::ValidUuid(req->facility_id()))
      v.push_back({"facility_id", "must be a facility id"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    auto info = org_.BookingInfo(req->practitioner_id(), scope.request_id());
    if (!info.ok()) return info.status();
    if (!info->verified()) return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto w = storage::JoinWaitlist(tx, req->practitioner_id(), caller->sub, req->date_from(),
                                     req->date_to(), ModeText(req->mode()), req->facility_id());
      resp->set_id(w.id);
      resp->set_practitioner_id(w.practitioner_id);
      resp->set_patient_id(w.patient_id);
      resp->set_date_from(w.date_from);
      resp->set_date_to(w.date_to);
      if (w.mode) resp->set_mode(ModeOf(*w.mode));
      if (w.facility_id) resp->set_facility_id(*w.facility_id);
      std::string s = "WAITLIST_STATUS_" + w.status;
      std::transform(s.begin(), s.end(), s.begin(), ::toupper);
      v1::WaitlistStatus ws = v1::WAITLIST_STATUS_UNSPECIFIED;
      v1::WaitlistStatus_Parse(s, &ws);
      resp->set_status(ws);
      resp->mutable_created_at()->set_seconds(w.created_at);
      return absl::OkStatus();
    });
  });
}

int AppointmentService::SweepOnce() {
  int done = 0;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    // 1. Payment holds that ran out free their slot.
    for (const auto& hold : storage::ExpiredHolds(tx)) {
      storage::SetStatus(tx, hold.id, "pending_payment", "expired", "", "payment hold expired");
      if (auto a = storage::Find(tx, hold.id))
        storage::Emit(tx, "appointment.expired", hold.id, EventPayload(*a).dump());
      storage::OfferFreedSlot(tx, hold.slot, config_.waitlist_offer_minutes);
      ++done;
    }
    // 2. Reminders that are due, for appointments still booked.
    for (const auto& r : storage::DueReminders(tx)) {
      storage::ReminderSent(tx, r);
      if (auto a = storage::Find(tx, r.appointment_id))
        storage::Emit(tx, "appointment.reminder_due", r.appointment_id,
                      EventPayload(*a, {{"lead", r.kind}}).dump());
      ++done;
    }
    // 3. Waitlist offers that were not taken pass to the next patient.
    for (const auto& lapsed : storage::ExpireLapsedOffers(tx)) {
      if (lapsed.still_free)
        storage::OfferFreedSlot(tx, lapsed.slot, config_.waitlist_offer_minutes);
      ++done;
    }
    // 4. A waitlisted patient who booked that practitioner since is no longer waiting.
    storage::CloseBookedWaits(tx);
    return absl::OkStatus();
  });
  if (!s.ok()) log::Warn("sweep_failed", {{"error", std::string(s.message())}});
  if (done > 0) ForgetAllSlots();
  return done;
}

int AppointmentService::PublishFreeDaysOnce() {
  int events = 0;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    // A practitioner's whole horizon (rules changed) is ~1 ms of slot computation.
    events = storage::PublishFreeDays(tx, 50);
    return absl::OkStatus();
  });
  if (!s.ok()) log::Warn("free_days_publish_failed", {{"error", std::string(s.message())}});
  return events;
}

void AppointmentService::StartSweeper() {
  auto every = [this](int interval_ms, auto work) {
    return std::thread([this, interval_ms, work]() mutable {
      while (!stop_) {
        work();
        for (int i = 0; i < interval_ms / 20 && !stop_; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  };
  sweeper_ = every(
      config_.sweep_interval_ms, [this, last = std::chrono::steady_clock::time_point()]() mutable {
        SweepOnce();
        // Days entering the horizon (a day per practitioner and day): checked each minute.
        auto now = std::chrono::steady_clock::now();
        if (now - last < std::chrono::minutes(1)) return;
        last = now;
        auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
          storage::ExtendFreeDays(tx);
          return absl::OkStatus();
        });
        if (!s.ok()) log::Warn("free_days_extend_failed", {{"error", std::string(s.message())}});
      });
  // Each beat drains the marks, a batch at a time.
  free_days_ = every(config_.free_days_interval_ms, [this] {
    while (!stop_ && PublishFreeDaysOnce() > 0) {
    }
  });
}

void AppointmentService::StopSweeper() {
  stop_ = true;
  if (sweeper_.joinable()) sweeper_.join();
  if (free_days_.joinable()) free_days_.join();
}

}  // namespace healthtech::appointment
