// InviteStaff, AcceptInvitation, ListStaff, RemoveStaff: who works for an organization. Org
// roles are mirrored into iam-service (clients/iam.h) so that members' tokens carry them.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "handlers/mapping.h"
#include "healthtech/crypto/hash.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::org {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::SubjectOf;
namespace st = status;

grpc::Status OrgServiceImpl::InviteStaff(Ctx* ctx, const v1::InviteStaffRequest* req,
                                         v1::StaffInvitation* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string email;
    if (!validate::NormalizeEmail(req->email(), &email))
      v.push_back({"email", "must be a valid email address"});
    std::string role = handlers::RoleText(req->role());
    if (role.empty()) v.push_back({"role", "must be one of: practitioner, org_staff, org_admin"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    std::string token = crypto::RandomToken();
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      v1::Organization org;
      if (auto s = handlers::LoadOrg(tx, req->org_id(), false, &org); !s.ok()) return s;
      if (!storage::IsMember(tx, req->org_id(), caller->sub, {"org_admin"})) {
        return st::PermissionDenied("FORBIDDEN", "Only this organization's admins invite staff.");
      }
      // A newer invitation for the same address and role replaces the older one.
      storage::RevokePendingInvitations(tx, req->org_id(), email, role);
      storage::Invitation inv =
          storage::InsertInvitation(tx, req->org_id(), email, role, crypto::TokenHash(token),
                                    caller->sub, config_.invitation_ttl_days);
      std::string org_name = org.display_name().empty() ? org.legal_name() : org.display_name();
      std::string url = config_.public_web_url + "/invitations/accept?token=" + token;
      nlohmann::json ev = {{"invitation_id", inv.id},
                           {"organization_id", req->org_id()},
                           {"organization_name", org_name},
                           {"email", email},
                           {"role", role},
                           {"token", token},
                           {"accept_url", url},
                           {"invited_by", caller->sub},
                           {"expires_at", inv.expires_at_text}};
      outbox::Enqueue(tx, "org", "staff.invited", req->org_id(), ev.dump());
      handlers::ToProto(inv, resp);
      resp->set_role(req->role());
      return absl::OkStatus();
    });
  });
}

grpc::Status OrgServiceImpl::AcceptInvitation(Ctx* ctx, const v1::AcceptInvitationRequest* req,
                                              v1::StaffMember* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (req->token().empty()) return st::ValidationFailed({{"token", "is required"}});
    auto users = iam_.LookupUsers({caller->sub}, {});
    if (!users.ok()) return users.status();
    if (users->empty()) return st::NotFound("USER_NOT_FOUND", "No such user.");
    const iam::v1::User me = users->front();
    const absl::Status invalid =
        st::InvalidArgument("LINK_INVALID", "This invitation is invalid, used or expired.",
                            {{"token", "invalid, used or expired"}});
    // The invitee is not a member yet: the token (checked here) is the authority.
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      auto inv = storage::LockInvitationByToken(tx, crypto::TokenHash(req->token()));
      if (!inv) return invalid;
      if (inv->email != me.email()) {
        return st::PermissionDenied("INVITATION_FOR_ANOTHER_EMAIL",
                                    "This invitation was sent to a different email address.");
      }
      storage::MarkInvitationAccepted(tx, inv->id, caller->sub);
      storage::AddMember(tx, inv->organization_id, caller->sub, inv->role);
      if (auto s = iam_.SetOrgRole(caller->sub, inv->organization_id, inv->role, true,
                                   scope.request_id());
          !s.ok())
        return s;
      resp->set_user_id(caller->sub);
      resp->set_organization_id(inv->organization_id);
      resp->set_email(me.email());
      resp->set_full_name(me.full_name());
      for (const auto& m : storage::MemberRoles(tx, inv->organization_id, caller->sub)) {
        resp->add_roles(handlers::RoleOf(m.role));
        resp->mutable_joined_at()->set_seconds(m.joined_at);
      }
      if (auto p = storage::PractitionerIdOfUser(tx, caller->sub)) resp->set_practitioner_id(*p);
      return absl::OkStatus();
    });
  });
}

grpc::Status OrgServiceImpl::ListStaff(Ctx* ctx, const v1::ListStaffRequest* req,
                                       v1::ListStaffResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string after;
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("staff", req->page_token(), 1);
      if (!pos.ok()) return pos.status();
      if (!validate::ValidUuid((*pos)[0])) return paging::InvalidPageToken();
      after = (*pos)[0];
    }
    int limit = paging::Limit(req->limit());
    std::vector<std::string> ids;
    std::map<std::string, v1::StaffMember> members;
    auto s = pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      v1::Organization org;
      if (auto s = handlers::LoadOrg(tx, req->org_id(), false, &org); !s.ok()) return s;
      if (!storage::IsMember(tx, req->org_id(), caller->sub,
                             {"org_admin", "org_staff", "practitioner"}) &&
          !caller->HasRole("platform_admin")) {
        return st::PermissionDenied("FORBIDDEN", "Only this organization's staff see its members.");
      }
      auto rows = storage::ListMembers(tx, req->org_id(), after, limit + 1);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
        v1::StaffMember m;
        m.set_user_id(rows[i].user_id);
        m.set_organization_id(req->org_id());
        for (const auto& r : rows[i].roles) m.add_roles(handlers::RoleOf(r));
        m.mutable_joined_at()->set_seconds(rows[i].joined_at);
        if (rows[i].practitioner_id) m.set_practitioner_id(*rows[i].practitioner_id);
        ids.push_back(m.user_id());
        members[m.user_id()] = m;
      }
      if (static_cast<int>(rows.size()) > limit)
        resp->set_next_page_token(page_tokens_.Encode("staff", {rows[limit - 1].user_id}));
      if (after.empty()) {
        for (const auto& inv : storage::ListPendingInvitations(tx, req->org_id()))
          handlers::ToProto(inv, resp->add_pending_invitations());
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    auto users = iam_.LookupUsers(ids, {});
    if (!users.ok()) return users.status();
    for (const auto& u : *users) {
      auto it = members.find(u.id());
      if (it == members.end()) continue;
      it->second.set_email(u.email());
      it->second.set_full_name(u.full_name());
    }
    for (const auto& id : ids) *resp->add_items() = members[id];
    return absl::OkStatus();
  });
}

grpc::Status OrgServiceImpl::RemoveStaff(Ctx* ctx, const v1::RemoveStaffRequest* req,
                                         v1::RemoveStaffResponse*) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->user_id()))
      return st::NotFound("MEMBER_NOT_FOUND", "No such member.");
    std::string only_role = req->has_role() ? handlers::RoleText(req->role()) : "";
    if (req->has_role() && only_role.empty()) {
      return st::ValidationFailed({{"role", "must be one of: practitioner, org_staff, org_admin"}});
    }
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      v1::Organization org;
      if (auto s = handlers::LoadOrg(tx, req->org_id(), false, &org); !s.ok()) return s;
      if (!storage::IsMember(tx, req->org_id(), caller->sub, {"org_admin"})) {
        return st::PermissionDenied("FORBIDDEN", "Only this organization's admins remove staff.");
      }
      // Serialize admin changes of this organization so two removals cannot both pass.
      storage::LockOrganization(tx, req->org_id());
      auto removed = storage::RemoveMember(tx, req->org_id(), req->user_id(), only_role);
      if (removed.empty()) return st::NotFound("MEMBER_NOT_FOUND", "No such member.");
      if (std::find(removed.begin(), removed.end(), "practitioner") != removed.end()) {
        // No longer consulting here: not listed, searchable or bookable at its facilities.
        storage::LeaveOrganizationFacilities(tx, req->org_id(), req->user_id());
      }
      if (!storage::HasAdmin(tx, req->org_id())) {
        return st::Conflict("LAST_ORG_ADMIN", "An organization must keep at least one admin.");
      }
      for (const auto& role : removed) {
        if (auto s =
                iam_.SetOrgRole(req->user_id(), req->org_id(), role, false, scope.request_id());
            !s.ok())
          return s;
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::org
