// SubmitForVerification, ListVerifications, DecideVerification: an organization's review by
// a platform admin, and of a verified organization's change of identity.
#include <nlohmann/json.hpp>

#include "handlers/mapping.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/org/domain/rules.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::org {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::SubjectOf;
namespace st = status;

grpc::Status OrgServiceImpl::SubmitForVerification(Ctx* ctx,
                                                   const v1::SubmitForVerificationRequest* req,
                                                   v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    const std::string& id = req->organization_id();
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      v1::Organization org;
      if (auto s = handlers::LoadOrg(tx, id, false, &org); !s.ok()) return s;
      if (auto s = MaySubmitForVerification(storage::IsMember(tx, id, caller->sub, {"org_admin"}));
          !s.ok())
        return s;
      std::string from = storage::LockStatus(tx, id);
      if (!SubmittableStatus(from)) {
        return st::Conflict("INVALID_TRANSITION",
                            "Only a new organization, or one asked for changes, can be submitted.");
      }
      if (!storage::HasDocuments(tx, id)) {
        return st::Conflict("DOCUMENTS_REQUIRED",
                            "Upload at least one verification document first.");
      }
      storage::MarkSubmitted(tx, id);
      storage::RecordTransition(tx, id, from, "under_review", caller->sub, "", "");
      return handlers::LoadOrg(tx, id, true, resp);
    });
  });
}

grpc::Status OrgServiceImpl::ListVerifications(Ctx* ctx, const v1::ListVerificationsRequest* req,
                                               v1::ListVerificationsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (auto s = MayListVerifications(caller->HasRole("platform_admin")); !s.ok()) return s;
    storage::QueueQuery q;
    q.status = req->status() == v1::ORGANIZATION_STATUS_UNSPECIFIED
                   ? "under_review"
                   : handlers::StatusText(req->status());
    q.after_id = "00000000-0000-0000-0000-000000000000";
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("verifications:" + q.status, req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      q.after = true;
      q.after_us = *us;
      q.after_id = (*pos)[1];
    }
    int limit = paging::Limit(req->limit());
    q.limit = limit + 1;
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      auto rows = storage::ReviewQueue(tx, q);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        auto* item = resp->add_items();
        const std::string& id = rows[i].organization.id;
        if (auto s = handlers::LoadOrg(tx, id, true, item->mutable_organization()); !s.ok())
          return s;
        item->mutable_submitted_at()->set_seconds(rows[i].requested_us / 1000000);
        for (const auto& d : storage::ListDocuments(tx, id))
          handlers::ToProto(d, id, item->add_documents());
      }
      if (static_cast<int>(rows.size()) > limit) {
        const auto& last = rows[limit - 1];
        resp->set_next_page_token(
            page_tokens_.Encode("verifications:" + q.status,
                                {std::to_string(last.requested_us), last.organization.id}));
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status OrgServiceImpl::DecideVerification(Ctx* ctx, const v1::DecideVerificationRequest* req,
                                                v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (auto s = MayDecideVerification(caller->HasRole("platform_admin")); !s.ok()) return s;
    std::string decision = handlers::DecisionText(req->decision());
    std::string reason = validate::Trim(req->reason());
    std::vector<st::Violation> v;
    if (decision.empty())
      v.push_back({"decision", "must be one of: approve, reject, request_changes"});
    if (decision != "approve" && reason.empty())
      v.push_back({"reason", "is required to reject or request changes"});
    if (validate::CodePoints(reason) > 2000)
      v.push_back({"reason", "must be at most 2000 characters"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    std::string to = DecisionTarget(decision);
    const std::string& id = req->organization_id();
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      v1::Organization org;
      if (auto s = handlers::LoadOrg(tx, id, false, &org); !s.ok()) return s;
      storage::DecisionState state = storage::LockForDecision(tx, id);
      if (state.status == "verified" && state.has_pending_identity) {
        // A verified organization's change of identity: applied on approval, dropped
        // otherwise; the organization stays verified under its reviewed identity.
        if (decision == "approve")
          storage::ApproveIdentityChange(tx, id);
        else
          storage::DropIdentityChange(tx, id);
        storage::RecordTransition(tx, id, "verified", "verified", caller->sub, decision,
                                  IdentityChangeDecidedNote(decision, reason));
        return handlers::LoadOrg(tx, id, true, resp);
      }
      if (state.status != "under_review") {
        return st::Conflict("INVALID_TRANSITION",
                            "Only an organization under review can be decided.");
      }
      storage::SetStatus(tx, id, to);
      storage::RecordTransition(tx, id, "under_review", to, caller->sub, decision, reason);
      nlohmann::json admins = nlohmann::json::array();
      for (const auto& admin : storage::AdminIds(tx, id)) admins.push_back(admin);
      nlohmann::json ev = {{"organization_id", id},
                           {"legal_name", state.legal_name},
                           {"admin_user_ids", admins},
                           {"decided_by", caller->sub},
                           {"reason", reason}};
      outbox::Enqueue(tx, "org", "organization." + to, id, ev.dump());
      return handlers::LoadOrg(tx, id, true, resp);
    });
  });
}

}  // namespace healthtech::org
