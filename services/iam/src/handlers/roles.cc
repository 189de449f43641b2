// Roles: GrantRole and RevokeRole (platform admins, platform-wide roles), SetOrgRole
// (service-to-service, organisation roles), and the CLI's first platform admin.
#include "handlers/common.h"
#include "healthtech/iam/domain/session.h"
#include "healthtech/iam/domain/validation.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::AppendAudit;
namespace st = status;

namespace {

absl::Status ValidateGlobalRole(const std::string& role) {
  if (IsGlobalRole(role)) return absl::OkStatus();
  return st::InvalidArgument("VALIDATION_FAILED", "Unknown role.",
                             {{"role", "must be one of patient, moderator, platform_admin"}});
}

}  // namespace

grpc::Status IamServiceImpl::GrantRole(Ctx* ctx, const v1::GrantRoleRequest* req, v1::User* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins can grant roles.");
    }
    if (auto s = ValidateGlobalRole(req->role()); !s.ok()) return s;
    return pg::WithTransaction(
        *pool_, pg::Subject{"", "system"}, [&](pqxx::transaction_base& tx) -> absl::Status {
          if (!storage::UserExists(tx, req->user_id())) return handlers::UserNotFound();
          storage::GrantRole(tx, req->user_id(), req->role(), caller->sub);
          AppendAudit(tx, caller->sub, "role.grant:" + req->role(), req->user_id(), scope);
          return LoadUser(tx, req->user_id(), resp);
        });
  });
}

grpc::Status IamServiceImpl::RevokeRole(Ctx* ctx, const v1::RevokeRoleRequest* req,
                                        v1::User* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins can revoke roles.");
    }
    if (auto s = ValidateGlobalRole(req->role()); !s.ok()) return s;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject{"", "system"}, [&](pqxx::transaction_base& tx) -> absl::Status {
          if (!storage::UserExists(tx, req->user_id())) return handlers::UserNotFound();
          if (req->role() == "platform_admin") {
            storage::LockPlatformAdmins(tx);
            int admins = storage::CountPlatformAdmins(tx);
            bool has = storage::IsPlatformAdmin(tx, req->user_id());
            if (has && admins <= 1) {
              return st::Conflict("LAST_PLATFORM_ADMIN",
                                  "The platform must keep at least one platform admin.");
            }
          }
          storage::RevokeRole(tx, req->user_id(), req->role());
          AppendAudit(tx, caller->sub, "role.revoke:" + req->role(), req->user_id(), scope);
          return LoadUser(tx, req->user_id(), resp);
        });
    // Tokens that still carry the role stop working; the next refresh carries the new roles.
    if (s.ok()) CutAccess(req->user_id(), {}, true);
    return s;
  });
}

grpc::Status IamServiceImpl::SetOrgRole(Ctx* ctx, const v1::SetOrgRoleRequest* req,
                                        v1::SetOrgRoleResponse*) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    if (!IsOrgRole(req->role())) {
      return st::ValidationFailed({{"role", "must be org_admin, org_staff or practitioner"}});
    }
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          if (!storage::UserExists(tx, req->user_id())) return handlers::UserNotFound();
          if (req->granted()) {
            storage::GrantOrgRole(tx, req->user_id(), req->role(), req->org_id());
          } else {
            storage::RevokeOrgRole(tx, req->user_id(), req->role(), req->org_id());
          }
          AppendAudit(tx, "",
                      std::string(req->granted() ? "role.grant:" : "role.revoke:") + req->role(),
                      req->user_id() + "@" + req->org_id(), scope);
          return absl::OkStatus();
        });
    if (s.ok() && !req->granted()) CutAccess(req->user_id(), {}, true);
    return s;
  });
}

absl::Status IamServiceImpl::GrantAdminByEmail(const std::string& raw_email) {
  std::string email;
  if (!NormalizeEmail(raw_email, &email)) {
    return st::InvalidArgument("VALIDATION_FAILED", "not a valid email address");
  }
  return pg::WithTransaction(
      *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
        auto user_id = storage::IdByEmail(tx, email);
        if (!user_id) {
          return st::NotFound("USER_NOT_FOUND", "no account with this email; register it first");
        }
        storage::GrantPlatformAdmin(tx, *user_id);
        storage::AuditCliGrantAdmin(tx, *user_id);
        return absl::OkStatus();
      });
}

}  // namespace healthtech::iam
