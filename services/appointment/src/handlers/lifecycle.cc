// Lifecycle RPCs: reading appointments, cancelling, and the provider's moves of a visit.
#include "domain/booking.h"
#include "handlers/common.h"
#include "handlers/mapping.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::appointment {

using grpc_server::RpcScope;
using grpc_server::Serve;
using namespace handlers;
namespace st = status;

grpc::Status AppointmentService::GetAppointment(Ctx* ctx, const v1::GetAppointmentRequest* req,
                                                v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->id())) return AppointmentNotFound();
    auto s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto a = storage::Find(tx, req->id());
      if (!a) return AppointmentNotFound();
      storage::Audit(tx, caller->sub, "appointment.read", {a->id}, scope.client_ip(),
                     scope.request_id());
      ToProto(*a, resp);
      return absl::OkStatus();
    });
    if (s.ok()) NamePatients(caller->sub, scope.request_id(), {resp});
    return s;
  });
}

grpc::Status AppointmentService::ListAppointments(Ctx* ctx, const v1::ListAppointmentsRequest* req,
                                                  v1::ListAppointmentsResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    v1::ListRole role =
        req->role() == v1::LIST_ROLE_UNSPECIFIED ? v1::LIST_ROLE_PATIENT : req->role();
    storage::ListQuery q;
    q.by = role == v1::LIST_ROLE_PATIENT        ? storage::ListBy::kPatient
           : role == v1::LIST_ROLE_PRACTITIONER ? storage::ListBy::kPractitioner
                                                : storage::ListBy::kOrganization;
    q.subject = caller->sub;
    if (role == v1::LIST_ROLE_ORG) {
      const std::string& org_id = req->organization_id();
      if (!validate::ValidUuid(org_id))
        v.push_back({"organization_id", "is required with role=org"});
      else if (!IsOrgStaff(*caller, org_id) && !caller->HasRole("practitioner:" + org_id))
        return st::PermissionDenied("FORBIDDEN",
                                    "Only this organization's staff see its appointments.");
      q.subject = org_id;
    }
    q.status = StatusText(req->status());
    if (req->has_from()) q.from_us = Micros(req->from());
    if (req->has_to()) q.to_us = Micros(req->to());
    if (q.from_us && q.to_us && !(*q.from_us < *q.to_us)) v.push_back({"to", "must be after from"});
    q.newest_first = req->newest_first();
    const char* kind = q.newest_first ? "appointments.desc" : "appointments";
    // Page token: the last item's start (microseconds since the epoch) and id.
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode(kind, req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      q.after = std::make_pair(*us, (*pos)[1]);
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    int limit = paging::Limit(req->limit());
    q.limit = limit + 1;
    auto s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto rows = storage::List(tx, q);
      std::vector<std::string> ids;
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        ToProto(rows[i], resp->add_items());
        ids.push_back(rows[i].id);
      }
      storage::Audit(tx, caller->sub, "appointment.list", ids, scope.client_ip(),
                     scope.request_id());
      if (static_cast<int>(rows.size()) > limit) {
        const auto& last = rows[limit - 1];
        resp->set_next_page_token(
            page_tokens_.Encode(kind, {std::to_string(last.start_us), last.id}));
      }
      return absl::OkStatus();
    });
    if (s.ok()) {
      std::vector<v1::Appointment*> items;
      for (auto& a : *resp->mutable_items()) items.push_back(&a);
      NamePatients(caller->sub, scope.request_id(), items);
    }
    return s;
  });
}

grpc::Status AppointmentService::Transition(grpc::ServerContext* ctx, const std::string& id,
                                            int action_value, const std::string& note,
                                            v1::Appointment* resp) {
  const auto action = static_cast<domain::Action>(action_value);
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (validate::CodePoints(note) > 1000)
      return st::ValidationFailed({{"note", "must be at most 1000 characters"}});
    if (!validate::ValidUuid(id)) return AppointmentNotFound();
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto locked = LockForAction(tx, id, *caller, action);
      if (!locked.ok()) return locked.status();
      const storage::Appointment* a = &locked->appointment;
      const domain::Status* to = &locked->to;
      if (action == domain::Action::kMarkNoShow) {
        if (auto s = domain::NoShowAllowed(a->start, NowSeconds()); !s.ok()) return s;
      }
      const std::string to_text(domain::Text(*to));
      storage::SetStatus(tx, id, a->status, to_text, caller->sub, note);
      storage::Audit(tx, caller->sub, "appointment." + to_text, {id}, scope.client_ip(),
                     scope.request_id());
      auto moved = storage::Find(tx, id);
      if (!moved) return AppointmentNotFound();
      if (*to == domain::Status::kCompleted || *to == domain::Status::kNoShow) {
        storage::DropReminders(tx, id);
        storage::Emit(
            tx, "appointment." + to_text, id,
            EventPayload(*moved, {{*to == domain::Status::kCompleted ? "completed_at" : "marked_at",
                                   domain::EventTime(NowSeconds())}})
                .dump());
      } else if (*to == domain::Status::kInProgress) {
        storage::Emit(
            tx, "appointment.started", id,
            EventPayload(*moved, {{"started_at", domain::EventTime(NowSeconds())}}).dump());
      }
      ToProto(*moved, resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status AppointmentService::CheckIn(Ctx* ctx, const v1::CheckInRequest* req,
                                         v1::Appointment* resp) {
  return Transition(ctx, req->id(), static_cast<int>(domain::Action::kCheckIn), req->note(), resp);
}
grpc::Status AppointmentService::Start(Ctx* ctx, const v1::StartRequest* req,
                                       v1::Appointment* resp) {
  return Transition(ctx, req->id(), static_cast<int>(domain::Action::kStart), req->note(), resp);
}
grpc::Status AppointmentService::Complete(Ctx* ctx, const v1::CompleteRequest* req,
                                          v1::Appointment* resp) {
  return Transition(ctx, req->id(), static_cast<int>(domain::Action::kComplete), req->note(), resp);
}
grpc::Status AppointmentService::MarkNoShow(Ctx* ctx, const v1::MarkNoShowRequest* req,
                                            v1::Appointment* resp) {
  return Transition(ctx, req->id(), static_cast<int>(domain::Action::kMarkNoShow), req->note(),
                    resp);
}

grpc::Status AppointmentService::CancelAppointment(Ctx* ctx,
                                                   const v1::CancelAppointmentRequest* req,
                                                   v1::Appointment* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string reason = validate::Trim(req->reason());
    if (validate::CodePoints(reason) > 1000)
      return st::ValidationFailed({{"reason", "must be at most 1000 characters"}});
    if (!validate::ValidUuid(req->id())) return AppointmentNotFound();
    std::string practitioner_for_cache;
    absl::Status result =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
          auto locked = LockForAction(tx, req->id(), *caller, domain::Action::kCancel);
          if (!locked.ok()) return locked.status();
          const storage::Appointment* a = &locked->appointment;
          const domain::Status* from = &locked->from;
          const domain::Actor& actor = locked->actor;
          practitioner_for_cache = a->practitioner_id;
          bool before_cutoff = true;
          if (actor.patient && !actor.provider()) {
            before_cutoff = storage::BeforeCancellationCutoff(tx, req->id());
            if (auto s = domain::WithinCutoff(actor, *from, domain::Action::kCancel, before_cutoff);
                !s.ok())
              return s;
          }
          storage::Cancel(tx, req->id(), reason);
          storage::AddHistory(tx, req->id(), a->status, "cancelled", caller->sub, reason);
          storage::Audit(tx, caller->sub, "appointment.cancel", {req->id()}, scope.client_ip(),
                         scope.request_id());
          storage::DropReminders(tx, req->id());
          std::string role = actor.patient && !actor.provider() ? "patient"
                             : actor.practitioner               ? "practitioner"
                                                                : "org_staff";
          auto cancelled = storage::Find(tx, req->id());
          if (!cancelled) return AppointmentNotFound();
          storage::Emit(tx, "appointment.cancelled", req->id(),
                        EventPayload(*cancelled, {{"cancelled_by", caller->sub},
                                                  {"cancelled_by_role", role},
                                                  {"before_cutoff", before_cutoff},
                                                  {"was_status", a->status}})
                            .dump());
          storage::OfferFreedSlot(
              tx, {a->practitioner_id, a->start, a->end, a->facility_id, a->mode, a->timezone},
              config_.waitlist_offer_minutes);
          ToProto(*cancelled, resp);
          return absl::OkStatus();
        });
    if (result.ok()) ForgetSlots(practitioner_for_cache);
    return result;
  });
}

}  // namespace healthtech::appointment
