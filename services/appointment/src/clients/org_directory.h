#pragma once
// What appointment-service asks organization-service: a practitioner's verification, user,
// facilities and fees. Answers are cached for 5 seconds per practitioner (bookings are
// always checked against the database, so a stale answer can only lead to a clear 4xx).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <absl/status/statusor.h>
#include <grpcpp/channel.h>

#include "healthtech/org/v1/org_service.grpc.pb.h"

namespace healthtech::appointment::clients {

class OrgDirectory {
 public:
  OrgDirectory(std::shared_ptr<grpc::Channel> org, std::string internal_token);

  // 404 PRACTITIONER_NOT_FOUND, or 503 ORG_UNAVAILABLE when organization-service is down.
  absl::StatusOr<org::v1::PractitionerBookingInfo> BookingInfo(const std::string& practitioner_id,
                                                               const std::string& request_id);
  // Drops the cached answer (after this replica changed what it depends on).
  void Forget(const std::string& practitioner_id);

 private:
  struct Cached {
    std::chrono::steady_clock::time_point expires;
    org::v1::PractitionerBookingInfo info;
  };
  std::unique_ptr<org::v1::OrgService::Stub> stub_;
  std::string internal_token_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace healthtech::appointment::clients
