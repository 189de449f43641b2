#pragma once
// What appointment-service asks iam-service about patients: the name and phone a
// practitioner's or a clinic's screen shows. One call per list, with the internal token.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <grpcpp/channel.h>

#include "healthtech/iam/v1/iam_service.grpc.pb.h"

namespace healthtech::appointment::clients {

class Patients {
 public:
  Patients(std::shared_ptr<grpc::Channel> iam, std::string internal_token);

  // The users with these ids, by id. When iam-service cannot answer, none (logged): the
  // appointments are still shown, without names, rather than not at all.
  std::unordered_map<std::string, iam::v1::User> Lookup(const std::vector<std::string>& ids,
                                                        const std::string& request_id);

 private:
  std::unique_ptr<iam::v1::IamService::Stub> stub_;
  std::string internal_token_;
};

}  // namespace healthtech::appointment::clients
