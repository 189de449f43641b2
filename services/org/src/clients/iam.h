#pragma once
// What org-service asks iam-service: users by id or email, and org roles granted or revoked
// (so that a member's next token carries them). Calls use the internal token.
#include <memory>
#include <string>
#include <vector>

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <grpcpp/channel.h>

#include "healthtech/iam/v1/iam_service.grpc.pb.h"

namespace healthtech::org::clients {

class Iam {
 public:
  Iam(std::shared_ptr<grpc::Channel> iam, std::string internal_token);

  // Grants or revokes `role` of `org_id` to `user_id`; 503 IAM_UNAVAILABLE on failure.
  absl::Status SetOrgRole(const std::string& user_id, const std::string& org_id,
                          const std::string& role, bool granted, const std::string& request_id);
  // The users with these ids or emails (none asked, none returned without a call);
  // 503 IAM_UNAVAILABLE on failure.
  absl::StatusOr<std::vector<iam::v1::User>> LookupUsers(const std::vector<std::string>& ids,
                                                         const std::vector<std::string>& emails);

 private:
  std::unique_ptr<iam::v1::IamService::Stub> stub_;
  std::string internal_token_;
};

}  // namespace healthtech::org::clients
