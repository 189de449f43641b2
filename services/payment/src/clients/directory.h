#pragma once
// Who is on an invoice and what an organization's policy is: organization-service (the
// seller, its late-cancellation refund) and iam-service (the buyer).
#include <memory>
#include <string>

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>

#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/org/v1/org_service.grpc.pb.h"

namespace healthtech::payment::clients {

class Directory {
 public:
  Directory(std::shared_ptr<grpc::Channel> orgs, std::shared_ptr<grpc::Channel> iam,
            std::string internal_token);

  // The (public) organization, 3 s deadline: 503 ORG_UNAVAILABLE on any failure.
  absl::StatusOr<org::v1::Organization> Organization(const std::string& id);
  // The user (internal call): 503 IAM_UNAVAILABLE on a failure or when there is none.
  absl::StatusOr<iam::v1::User> User(const std::string& user_id);

 private:
  std::unique_ptr<org::v1::OrgService::Stub> orgs_;
  std::unique_ptr<iam::v1::IamService::Stub> iam_;
  std::string internal_token_;
};

}  // namespace healthtech::payment::clients
