#include "clients/patients.h"

#include <grpcpp/grpcpp.h>

#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"

namespace healthtech::appointment::clients {

Patients::Patients(std::shared_ptr<grpc::Channel> iam, std::string internal_token)
    : stub_(iam::v1::IamService::NewStub(iam)), internal_token_(std::move(internal_token)) {}

std::unordered_map<std::string, iam::v1::User> Patients::Lookup(const std::vector<std::string>& ids,
                                                                const std::string& request_id) {
  std::unordered_map<std::string, iam::v1::User> out;
  if (ids.empty()) return out;
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, internal_token_, request_id, /*timeout_seconds=*/2);
  iam::v1::LookupUsersRequest req;
  for (const auto& id : ids) req.add_user_ids(id);
  iam::v1::LookupUsersResponse resp;
  grpc::Status s = stub_->LookupUsers(&ctx, req, &resp);
  if (!s.ok()) {
    log::Warn("iam_patient_lookup_failed", {{"code", static_cast<int>(s.error_code())}});
    return out;
  }
  for (auto& u : *resp.mutable_users()) out.emplace(u.id(), std::move(u));
  return out;
}

}  // namespace healthtech::appointment::clients
