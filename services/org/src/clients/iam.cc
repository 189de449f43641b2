#include "clients/iam.h"

#include <grpcpp/grpcpp.h>

#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/status/status.h"

namespace healthtech::org::clients {

Iam::Iam(std::shared_ptr<grpc::Channel> iam, std::string internal_token)
    : stub_(iam::v1::IamService::NewStub(iam)), internal_token_(std::move(internal_token)) {}

absl::Status Iam::SetOrgRole(const std::string& user_id, const std::string& org_id,
                             const std::string& role, bool granted, const std::string& request_id) {
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, internal_token_, request_id);
  iam::v1::SetOrgRoleRequest req;
  req.set_user_id(user_id);
  req.set_org_id(org_id);
  req.set_role(role);
  req.set_granted(granted);
  iam::v1::SetOrgRoleResponse resp;
  grpc::Status s = stub_->SetOrgRole(&ctx, req, &resp);
  if (!s.ok()) {
    log::Error("iam_set_org_role_failed",
               {{"code", static_cast<int>(s.error_code())}, {"error", s.error_message()}});
    return status::Unavailable("IAM_UNAVAILABLE", "Roles could not be updated; try again.");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<iam::v1::User>> Iam::LookupUsers(
    const std::vector<std::string>& ids, const std::vector<std::string>& emails) {
  std::vector<iam::v1::User> out;
  if (ids.empty() && emails.empty()) return out;
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, internal_token_);
  iam::v1::LookupUsersRequest req;
  for (const auto& id : ids) req.add_user_ids(id);
  for (const auto& e : emails) req.add_emails(e);
  iam::v1::LookupUsersResponse resp;
  grpc::Status s = stub_->LookupUsers(&ctx, req, &resp);
  if (!s.ok()) {
    log::Error("iam_lookup_failed", {{"code", static_cast<int>(s.error_code())}});
    return status::Unavailable("IAM_UNAVAILABLE", "User data is temporarily unavailable.");
  }
  out.assign(resp.users().begin(), resp.users().end());
  return out;
}

}  // namespace healthtech::org::clients
