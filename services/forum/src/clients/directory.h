#pragma once
// Calls to other services: display names (IAM) and practitioner badges (OrgService), cached
// for a minute; a practitioner (OrgService); an appointment, asked as the caller
// (AppointmentService).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "healthtech/appointment/v1/appointment_service.grpc.pb.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/org/v1/org_service.grpc.pb.h"

namespace healthtech::forum::clients {

struct Person {
  std::string display_name;
  bool verified_practitioner = false;
  std::string specialty;
};

class Directory {
 public:
  Directory(std::shared_ptr<grpc::Channel> iam, std::shared_ptr<grpc::Channel> org,
            std::shared_ptr<grpc::Channel> appointment, std::string internal_token);

  // Display names and badges of `user_ids`. On an upstream failure the answer is empty
  // (reads never fail because of a badge) and `upstream_ok` is set to false.
  std::map<std::string, Person> People(const std::vector<std::string>& user_ids,
                                       const std::string& request_id, bool* upstream_ok = nullptr);
  grpc::Status GetPractitioner(const std::string& id, const std::string& request_id,
                               org::v1::Practitioner* out);
  // As the caller (their `authorization` metadata), so only their own appointments show.
  grpc::Status GetAppointment(const std::string& id, const std::string& request_id,
                              const std::string& authorization, appointment::v1::Appointment* out);

 private:
  std::unique_ptr<iam::v1::IamService::Stub> iam_;
  std::unique_ptr<org::v1::OrgService::Stub> org_;
  std::unique_ptr<appointment::v1::AppointmentService::Stub> appointment_;
  std::string internal_token_;

  struct CachedPerson {
    std::chrono::steady_clock::time_point expires;
    Person person;
  };
  std::mutex people_mu_;
  std::unordered_map<std::string, CachedPerson> people_;
};

}  // namespace healthtech::forum::clients
