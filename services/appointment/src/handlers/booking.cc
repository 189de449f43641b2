// Booking RPCs: a new booking, moving one, and the payment that confirms a held one.
#include <cmath>

#include "domain/booking.h"
#include "handlers/common.h"
#include "handlers/mapping.h"
#include "healthtech/crypto/hash.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::appointment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

namespace {

// Is `start` (facility, mode) one of the practitioner's slots right now?
absl::StatusOr<storage::Slot> FindSlot(storage::Tx& tx, const std::string& practitioner_id,
                                       double start, const std::string& facility_id,
                                       const std::string& mode) {
  for (const auto& slot :
       storage::Slots(tx, {practitioner_id, start - 1, start + 1, mode, facility_id})) {
    if (std::fabs(slot.start - start) < 0.5) {
      if (slot.taken)
        return st::Conflict("SLOT_UNAVAILABLE", "This slot is taken. Choose another one.");
      return slot;
    }
  }
  return st::InvalidArgument(
      "NOT_A_SLOT",
      "This time is not one of the practitioner's bookable slots (outside their "
      "hours, inside the minimum notice, or beyond the booking horizon).",
      {{"start", "is not a bookable slot"}});
}

absl::Status OverlapError(const pqxx::sql_error& e) {
  if (std::string(e.what()).find("appointments_no_patient_overlap") != std::string::npos) {
    return st::Conflict("PATIENT_OVERLAP", "You already have an appointment at this time.");
  }
  return st::Conflict("SLOT_UNAVAILABLE", "This slot has just been taken. Choose another one.");
}

absl::Status KeyReused() {
  return st::Conflict("IDEMPOTENCY_KEY_REUSED",
                      "This Idempotency-Key was used for a different request.");
}

bool Bookable(const org::v1::PractitionerBookingInfo& info, const std::string& facility_id) {
  if (!info.verified()) return false;
  for (const auto& f : info.facilities())
    if (f.facility_id() == facility_id && f.organization_verified()) return true;
  return false;
}

domain::Fees FeesOf(const org::v1::PractitionerBookingInfo& info) {
  domain::Fees fees;
  fees.published = info.has_fees();
  fees.first_visit = {info.fees().first_visit().amount_minor(),
                      info.fees().first_visit().currency()};
  fees.follow_up = {info.fees().follow_up().amount_minor(), info.fees().follow_up().currency()};
  return fees;
}

// A held appointment whose row was just booked (by its payment, or a UHI confirmation):
// the history, audit, reminders and booked event every such booking records. The booking
// as it now stands.
std::optional<storage::Appointment> RecordBooked(storage::Tx& tx, const std::string& id,
                                                 const std::string& note,
                                                 const std::string& audit_action,
                                                 const RpcScope& scope,
                                                 const nlohmann::json& extra) {
  storage::AddHistory(tx, id, "pending_payment", "booked", "", note);
  storage::Audit(tx, "", audit_action, {id}, scope.client_ip(), scope.request_id());
  storage::ScheduleReminders(tx, id);
  auto a = storage::Find(tx, id);
  if (a) storage::Emit(tx, "appointment.booked", id, EventPayload(*a, extra).dump());
  return a;
}

}  // namespace

// Five round trips to PostgreSQL: BEGIN with the caller's identity; the slot's lock with the
// Idempotency-Key lookup and the first-visit check; the slot query; one statement writing
// the appointment, history, audit, event and reminders; COMMIT. The response is built from
// what was written, not read back.
grpc::Status AppointmentService::CreateAppointment(Ctx* ctx,
                                                   const v1::CreateAppointmentRequest* req,
                                                   v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string key = req->idempotency_key().empty()
                          ? grpc_server::Metadata(*ctx, "idempotency-key")
                          : req->idempotency_key();
    std::vector<st::Violation> v;
    if (!validate::ValidUuid(req->practitioner_id()))
      v.push_back({"practitioner_id", "must be a practitioner id"});
    if (!validate::ValidUuid(req->facility_id()))
      v.push_back({"facility_id", "must be a facility id"});
    if (!req->has_start()) v.push_back({"start", "is required"});
    std::string mode = ModeText(req->mode());
    if (mode.empty()) v.push_back({"mode", "must be in_person or video"});
    if (validate::CodePoints(req->reason()) > 1000)
      v.push_back({"reason", "must be at most 1000 characters"});
    if (key.size() > 255) v.push_back({"Idempotency-Key", "must be at most 255 characters"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    const double start = Seconds(req->start());
    const std::string fingerprint =
        domain::Fingerprint({req->practitioner_id(), req->facility_id(), mode, req->reason(), start,
                             req->pay_at_clinic()});
    auto info = org_.BookingInfo(req->practitioner_id(), scope.request_id());
    if (!info.ok()) return info.status();
    if (!Bookable(*info, req->facility_id())) {
      return st::NotFound("PRACTITIONER_NOT_FOUND",
                          "This practitioner cannot be booked at this facility.");
    }
    if (caller->sub == info->user_id()) {
      return st::PermissionDenied("SELF_BOOKING", "Practitioners cannot book themselves.");
    }
    // A replay answers with the booking made under the key, as it is now.
    auto replay = [&](storage::Tx& tx, const std::string& id) -> absl::Status {
      auto prior = storage::Find(tx, id);
      if (!prior) return AppointmentNotFound();
      ToProto(*prior, resp);
      return absl::OkStatus();
    };
    bool replayed = false, key_raced = false;
    absl::Status s =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
          auto begun = storage::StartBooking(tx, req->practitioner_id(),
                                             static_cast<int64_t>(start), caller->sub, key);
          if (begun.prior_id) {
            if (begun.prior_fingerprint != fingerprint) return KeyReused();
            replayed = true;
            return replay(tx, *begun.prior_id);
          }
          auto slot = FindSlot(tx, req->practitioner_id(), start, req->facility_id(), mode);
          if (!slot.ok()) return slot.status();
          domain::Charge charge =
              domain::ChargeFor(FeesOf(*info), begun.first_visit, req->pay_at_clinic());
          if (req->hold()) {  // a UHI init: held until ConfirmHold, whatever the payment
            charge.hold = true;
            charge.status = domain::Status::kPendingPayment;
          }
          storage::Appointment a;
          a.patient_id = caller->sub;
          a.practitioner_id = req->practitioner_id();
          a.practitioner_user_id = info->user_id();
          a.organization_id = slot->organization_id;
          a.facility_id = req->facility_id();
          a.start = slot->start;
          a.end = slot->end;
          a.timezone = slot->timezone;
          a.mode = mode;
          a.status = std::string(domain::Text(charge.status));
          a.reason = req->reason();
          a.fee_minor = charge.fee.amount_minor;
          a.currency = charge.fee.currency;
          a.pay_at_clinic = req->pay_at_clinic();
          a.is_first_visit = begun.first_visit;
          a.details_json =
              DetailsOf(*info, req->facility_id(),
                        mode == "video" ? config_.video_room_base_url + crypto::RandomToken() : "")
                  .dump();
          nlohmann::json payload = EventPayload(a);
          payload.erase("appointment_id");  // added by the statement
          storage::Booked booked;
          try {
            booked = storage::InsertBooking(
                tx,
                {.patient_id = a.patient_id,
                 .practitioner_id = a.practitioner_id,
                 .practitioner_user_id = a.practitioner_user_id,
                 .slot = *slot,
                 .status = a.status,
                 .reason = a.reason,
                 .fee_minor = a.fee_minor,
                 .currency = a.currency,
                 .pay_at_clinic = a.pay_at_clinic,
                 .first_visit = a.is_first_visit,
                 .hold = charge.hold,
                 .hold_minutes = config_.hold_minutes,
                 .idempotency_key = key,
                 .fingerprint = fingerprint,
                 .event_type = charge.hold ? "appointment.pending_payment" : "appointment.booked",
                 .event_payload_json = payload.dump(),
                 .details_json = a.details_json,
                 .schedule_reminders = !charge.hold,
                 .client_ip = scope.client_ip(),
                 .request_id = scope.request_id()});
          } catch (const pqxx::sql_error& e) {
            std::string state = e.sqlstate();
            if (state == "23P01") return OverlapError(e);  // exclusion: slot or patient overlap
            if (state == "23505" && !key.empty()) {
              key_raced = true;  // the same key raced us: answered below, like a replay
              return st::Conflict("IDEMPOTENCY_KEY_REUSED", "raced");
            }
            throw;
          }
          a.id = booked.id;
          a.start_us = booked.start_us;
          a.created_at = booked.created_at;
          a.updated_at = booked.updated_at;
          a.hold_expires_at = booked.hold_expires_at;
          a.cancellable_until = booked.cancellable_until;
          a.history.push_back({caller->sub, "", a.status, booked.created_at, std::nullopt});
          ToProto(a, resp);
          return absl::OkStatus();
        });
    if (key_raced) {
      resp->Clear();
      s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
        auto prior = storage::FindByKey(tx, caller->sub, key);
        if (!prior || prior->second != fingerprint) return KeyReused();
        return replay(tx, prior->first);
      });
    }
    if (s.ok() && !replayed && !key_raced) ForgetSlots(req->practitioner_id());
    return s;
  });
}

grpc::Status AppointmentService::RescheduleAppointment(Ctx* ctx,
                                                       const v1::RescheduleAppointmentRequest* req,
                                                       v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!req->has_start()) return st::ValidationFailed({{"start", "is required"}});
    if (!req->facility_id().empty() && !validate::ValidUuid(req->facility_id()))
      return st::ValidationFailed({{"facility_id", "must be a facility id"}});
    if (!validate::ValidUuid(req->id())) return AppointmentNotFound();
    // Atomic: the old slot is freed and the new one taken in one transaction, or nothing changes.
    std::string practitioner_for_cache;
    absl::Status result =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
          auto locked = LockForAction(tx, req->id(), *caller, domain::Action::kReschedule);
          if (!locked.ok()) return locked.status();
          const storage::Appointment* a = &locked->appointment;
          const domain::Status* from = &locked->from;
          const domain::Actor& actor = locked->actor;
          practitioner_for_cache = a->practitioner_id;
          if (actor.patient && !actor.provider() && *from == domain::Status::kBooked) {
            if (auto s = domain::WithinCutoff(actor, *from, domain::Action::kReschedule,
                                              storage::BeforeCancellationCutoff(tx, req->id()));
                !s.ok())
              return s;
          }
          std::string facility = req->facility_id().empty() ? a->facility_id : req->facility_id();
          auto info = org_.BookingInfo(a->practitioner_id, scope.request_id());
          if (!info.ok()) return info.status();
          if (!Bookable(*info, facility)) {
            return st::Conflict("NOT_BOOKABLE",
                                "The practitioner cannot be booked at this facility now.");
          }
          storage::FreedSlot old{a->practitioner_id, a->start, a->end,
                                 a->facility_id,     a->mode,  a->timezone};
          // Free the old slot inside this transaction, so that it does not block the search.
          storage::Vacate(tx, req->id());
          storage::StartBooking(tx, a->practitioner_id, static_cast<int64_t>(Seconds(req->start())),
                                caller->sub, "");
          auto slot = FindSlot(tx, a->practitioner_id, Seconds(req->start()), facility, a->mode);
          if (!slot.ok()) return slot.status();
          try {
            auto prior = nlohmann::json::parse(a->details_json, nullptr, false);
            std::string room = prior.is_object() && prior.value("video_url", "") != ""
                                   ? prior.value("video_url", "")
                                   : "";
            if (room.empty() && a->mode == "video")
              room = config_.video_room_base_url + crypto::RandomToken();
            storage::Move(tx, req->id(), a->status, *slot, DetailsOf(*info, facility, room).dump());
          } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() == "23P01") return OverlapError(e);
            throw;
          }
          storage::AddHistory(tx, req->id(), a->status, a->status, caller->sub, "rescheduled");
          storage::Audit(tx, caller->sub, "appointment.reschedule", {req->id()}, scope.client_ip(),
                         scope.request_id());
          if (*from == domain::Status::kBooked) storage::ScheduleReminders(tx, req->id());
          auto moved = storage::Find(tx, req->id());
          if (!moved) return AppointmentNotFound();
          storage::Emit(tx, "appointment.rescheduled", req->id(),
                        EventPayload(*moved, {{"old_start", domain::EventTime(old.start)},
                                              {"rescheduled_by", caller->sub}})
                            .dump());
          storage::OfferFreedSlot(tx, old, config_.waitlist_offer_minutes);
          ToProto(*moved, resp);
          return absl::OkStatus();
        });
    if (result.ok()) ForgetSlots(practitioner_for_cache);
    return result;
  });
}

grpc::Status AppointmentService::ConfirmPayment(Ctx* ctx, const v1::ConfirmPaymentRequest* req,
                                                v1::ConfirmPaymentResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    if (!validate::ValidUuid(req->appointment_id())) return AppointmentNotFound();
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      auto a = storage::FindForUpdate(tx, req->appointment_id());
      if (!a) return AppointmentNotFound();
      const std::string& status = a->status;
      if (status == "pending_payment") {
        // Exactly once: only the first confirmation moves it.
        storage::ConfirmPayment(tx, a->id, req->payment_id());
        a = RecordBooked(tx, a->id, "payment " + req->payment_id(), "appointment.confirm_payment",
                         scope, {{"payment_id", req->payment_id()}});
        if (!a) return AppointmentNotFound();
        resp->set_outcome(v1::CONFIRM_PAYMENT_OUTCOME_CONFIRMED);
      } else if (a->payment_id.value_or("") == req->payment_id() && status != "expired" &&
                 status != "cancelled") {
        resp->set_outcome(v1::CONFIRM_PAYMENT_OUTCOME_ALREADY_CONFIRMED);
      } else {
        // Expired hold or cancelled: the payment service refunds.
        resp->set_outcome(v1::CONFIRM_PAYMENT_OUTCOME_NOT_CONFIRMABLE);
      }
      ToProto(*a, resp->mutable_appointment());
      return absl::OkStatus();
    });
  });
}

grpc::Status AppointmentService::ConfirmHold(Ctx* ctx, const v1::ConfirmHoldRequest* req,
                                             v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    if (!validate::ValidUuid(req->appointment_id())) return AppointmentNotFound();
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      auto a = storage::FindForUpdate(tx, req->appointment_id());
      if (!a) return AppointmentNotFound();
      const bool held = a->status == "pending_payment" &&
                        (!a->hold_expires_at || *a->hold_expires_at > NowSeconds());
      if (held && (a->pay_at_clinic || a->fee_minor <= 0)) {
        storage::ConfirmAtClinic(tx, a->id);
        a = RecordBooked(tx, a->id, "confirmed through UHI", "appointment.confirm_hold", scope,
                         nlohmann::json::object());
        if (!a) return AppointmentNotFound();
      } else if (held) {
        return st::Conflict("INVALID_TRANSITION", "This appointment waits for an online payment.");
      } else if (a->status == "pending_payment" || a->status == "expired") {
        // Past its hold (the sweeper expires it within a second): never booked late.
        return st::Conflict("HOLD_EXPIRED",
                            "The hold on this slot has ended; choose a slot again.");
      }
      // Booked (or further on), or cancelled: answered as it is.
      ToProto(*a, resp);
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::appointment
