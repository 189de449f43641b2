// Private consultations between a patient and a practitioner, audited.
#include "handlers/common.h"

namespace healthtech::forum {

grpc::Status ForumServiceImpl::CreatePrivateThread(Ctx* ctx,
                                                   const v1::CreatePrivateThreadRequest* req,
                                                   v1::PrivateThread* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    if (!validate::ValidUuid(req->practitioner_id())) {
      v.push_back({"practitioner_id", "must be a UUID"});
    }
    if (req->has_appointment_id() && !req->appointment_id().empty() &&
        !validate::ValidUuid(req->appointment_id())) {
      v.push_back({"appointment_id", "must be a UUID"});
    }
    std::string subject = validate::Trim(req->subject());
    size_t sn = validate::CodePoints(subject);
    if (sn == 0 || sn > kMaxTitle) v.push_back({"subject", "must be 1-200 characters"});
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    // The practitioner, from OrgService (verified practitioners only).
    org::v1::Practitioner practitioner;
    {
      grpc::Status gs =
          directory_.GetPractitioner(req->practitioner_id(), scope.request_id(), &practitioner);
      if (gs.error_code() == grpc::StatusCode::NOT_FOUND) {
        return st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
      }
      if (!gs.ok()) return st::Unavailable("ORG_UNAVAILABLE", "Practitioners are unavailable.");
    }
    if (practitioner.user_id() == caller->id()) {
      return st::InvalidArgument("OWN_PRACTITIONER_PROFILE",
                                 "You cannot open a private thread with yourself.",
                                 {{"practitioner_id", "is you"}});
    }
    // The appointment, asked of the appointment service as the caller: it must be theirs
    // and with this practitioner.
    if (req->has_appointment_id() && !req->appointment_id().empty()) {
      appointment::v1::Appointment appt;
      grpc::Status gs =
          directory_.GetAppointment(req->appointment_id(), scope.request_id(),
                                    grpc_server::Metadata(*ctx, "authorization"), &appt);
      if (gs.error_code() == grpc::StatusCode::NOT_FOUND ||
          gs.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
          (gs.ok() && appt.patient_id() != caller->id())) {
        return st::NotFound("APPOINTMENT_NOT_FOUND", "No such appointment of yours.");
      }
      if (!gs.ok()) {
        return st::Unavailable("APPOINTMENTS_UNAVAILABLE", "Appointments are unavailable.");
      }
      if (appt.practitioner_id() != practitioner.id()) {
        return st::InvalidArgument("APPOINTMENT_MISMATCH",
                                   "That appointment is with another practitioner.",
                                   {{"appointment_id", "is not with this practitioner"}});
      }
    }
    Person me = People({caller->id()}, scope.request_id())[caller->id()];
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      std::string html = RenderMarkdown(req->body(), {Trust::kNew});
      storage::NewPrivateThread nt;
      nt.patient_id = caller->id();
      nt.practitioner_id = practitioner.id();
      nt.practitioner_user_id = practitioner.user_id();
      nt.practitioner_display_name = practitioner.display_name();
      nt.appointment_id = req->appointment_id();
      nt.subject = subject;
      std::string id = storage::InsertPrivateThread(tx, nt);
      auto p =
          storage::InsertFirstPrivatePost(tx, id, caller->id(), me.display_name, req->body(), html);
      storage::AuditCreate(tx, caller->id(), id, {scope.client_ip(), scope.request_id()});
      json payload = {{"private_thread_id", id},
                      {"post_id", p.id},
                      {"author_id", caller->id()},
                      {"recipient_user_id", practitioner.user_id()},
                      {"created_at", p.created_iso}};
      storage::Emit(tx, "forum.private_post_created", id, payload.dump());
      ToProto(*storage::FindPrivateThread(tx, id), resp);
      return absl::OkStatus();
    });
  });
}

grpc::Status ForumServiceImpl::ListPrivateThreads(Ctx* ctx,
                                                  const v1::ListPrivateThreadsRequest* req,
                                                  v1::ListPrivateThreadsResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    int limit = Limit(req->limit(), 20, 100);
    auto offset = OffsetFromToken(page_tokens_, "private-threads", req->page_token());
    if (!offset.ok()) return offset.status();
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      // Mine only, as patient or practitioner (admins read others' one at a time, audited).
      auto rows = storage::ListMyPrivateThreads(tx, caller->id(), limit + 1, *offset);
      std::vector<std::string> listed;
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        ToProto(rows[i], resp->add_items());
        listed.push_back(resp->items(i).id());
      }
      if (static_cast<int>(rows.size()) > limit) {
        resp->set_next_page_token(OffsetToken(page_tokens_, "private-threads", *offset + limit));
      }
      // A list shows subjects (PHI): each listed thread's read is audited too.
      if (!listed.empty()) {
        storage::AuditList(tx, caller->id(), listed, {scope.client_ip(), scope.request_id()});
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status ForumServiceImpl::GetPrivateThread(Ctx* ctx, const v1::GetPrivateThreadRequest* req,
                                                v1::GetPrivateThreadResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->id())) return PrivateNotFound();
    int limit = Limit(req->limit(), 50, 200);
    auto after = SeqFromToken(page_tokens_, "private-posts", req->page_token());
    if (!after.ok()) return after.status();
    std::string reason = validate::Trim(req->access_reason());
    if (validate::CodePoints(reason) > kMaxReason) {
      return st::ValidationFailed({{"access_reason", "must be at most 500 characters"}});
    }
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      // Row-level security shows the row to its patient, its practitioner and platform
      // admins only; everyone else gets the same 404 as for a missing id.
      auto found = storage::FindPrivateThread(tx, req->id());
      if (!found) return PrivateNotFound();
      ToProto(*found, resp->mutable_thread());
      bool participant = resp->thread().patient_id() == caller->id() ||
                         resp->thread().practitioner_user_id() == caller->id();
      if (!participant && !caller->admin) {
        resp->Clear();
        return PrivateNotFound();
      }
      if (!participant && reason.empty()) {
        resp->Clear();
        return st::InvalidArgument(
            "ACCESS_REASON_REQUIRED",
            "Reading another user's private thread needs a reason, which is audited.",
            {{"access_reason", "is required for platform admins"}});
      }
      storage::AuditRead(tx, caller->id(), participant ? "read" : "admin_read", req->id(), reason,
                         {scope.client_ip(), scope.request_id()});
      auto posts = storage::PrivatePosts(tx, req->id(), *after, limit + 1);
      for (int i = 0; i < static_cast<int>(posts.size()) && i < limit; ++i) {
        ToProto(posts[i], resp->add_items());
      }
      if (static_cast<int>(posts.size()) > limit) {
        resp->set_next_page_token(SeqToken(page_tokens_, "private-posts", posts[limit - 1].seq));
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status ForumServiceImpl::CreatePrivatePost(Ctx* ctx, const v1::CreatePrivatePostRequest* req,
                                                 v1::PrivatePost* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = SignedIn(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->thread_id())) return PrivateNotFound();
    std::vector<st::Violation> v;
    CheckBody(req->body(), "body", &v).IgnoreError();
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    Person me = People({caller->id()}, scope.request_id())[caller->id()];
    return pg::WithTransaction(*pool_, caller->subject(), [&](Tx& tx) -> absl::Status {
      auto t = storage::LockPrivateThread(tx, req->thread_id());
      if (!t) return PrivateNotFound();
      std::string patient = t->patient_id, doctor = t->practitioner_user_id;
      if (caller->id() != patient && caller->id() != doctor) {
        // A platform admin sees the thread but does not take part in it.
        return st::PermissionDenied("FORBIDDEN",
                                    "Only the patient and the practitioner post here.");
      }
      std::string html = RenderMarkdown(req->body(), {Trust::kNew});
      storage::PrivatePost p = storage::InsertPrivatePost(tx, req->thread_id(), caller->id(),
                                                          me.display_name, req->body(), html);
      ToProto(p, resp);
      storage::CountPrivatePost(tx, req->thread_id());
      storage::AuditPost(tx, caller->id(), req->thread_id(),
                         {scope.client_ip(), scope.request_id()});
      json payload = {{"private_thread_id", req->thread_id()},
                      {"post_id", resp->id()},
                      {"author_id", caller->id()},
                      {"recipient_user_id", caller->id() == patient ? doctor : patient},
                      {"created_at", p.created_iso}};
      storage::Emit(tx, "forum.private_post_created", req->thread_id(), payload.dump());
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::forum
