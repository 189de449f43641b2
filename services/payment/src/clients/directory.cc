#include "clients/directory.h"

#include <chrono>

#include <grpcpp/grpcpp.h>

#include "healthtech/grpc_server/server.h"
#include "healthtech/status/status.h"

namespace healthtech::payment::clients {

Directory::Directory(std::shared_ptr<grpc::Channel> orgs, std::shared_ptr<grpc::Channel> iam,
                     std::string internal_token)
    : orgs_(org::v1::OrgService::NewStub(orgs)),
      iam_(iam::v1::IamService::NewStub(iam)),
      internal_token_(std::move(internal_token)) {}

absl::StatusOr<org::v1::Organization> Directory::Organization(const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  org::v1::GetOrganizationRequest req;
  req.set_id(id);
  org::v1::Organization org;
  grpc::Status gs = orgs_->GetOrganization(&ctx, req, &org);
  if (!gs.ok()) return status::Unavailable("ORG_UNAVAILABLE", "Seller details are unavailable.");
  return org;
}

absl::StatusOr<iam::v1::User> Directory::User(const std::string& user_id) {
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, internal_token_);
  iam::v1::LookupUsersRequest req;
  req.add_user_ids(user_id);
  iam::v1::LookupUsersResponse resp;
  grpc::Status gs = iam_->LookupUsers(&ctx, req, &resp);
  if (!gs.ok() || resp.users().empty())
    return status::Unavailable("IAM_UNAVAILABLE", "Buyer details are unavailable.");
  return resp.users(0);
}

}  // namespace healthtech::payment::clients
