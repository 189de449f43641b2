#include "clients/org_directory.h"

#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/status/status.h"

namespace healthtech::appointment::clients {

OrgDirectory::OrgDirectory(std::shared_ptr<grpc::Channel> org, std::string internal_token)
    : stub_(org::v1::OrgService::NewStub(org)), internal_token_(std::move(internal_token)) {}

absl::StatusOr<org::v1::PractitionerBookingInfo> OrgDirectory::BookingInfo(
    const std::string& practitioner_id, const std::string& request_id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(practitioner_id);
    if (it != cache_.end() && it->second.expires > now) return it->second.info;
  }
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, internal_token_, request_id);
  org::v1::GetPractitionerBookingInfoRequest req;
  req.set_practitioner_id(practitioner_id);
  org::v1::PractitionerBookingInfo info;
  grpc::Status s = stub_->GetPractitionerBookingInfo(&ctx, req, &info);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
    return status::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
  }
  if (!s.ok()) {
    log::Error("org_booking_info_failed", {{"code", static_cast<int>(s.error_code())}});
    return status::Unavailable("ORG_UNAVAILABLE", "Practitioner data is temporarily unavailable.");
  }
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[practitioner_id] = {now + std::chrono::seconds(5), info};
  return info;
}

void OrgDirectory::Forget(const std::string& practitioner_id) {
  std::lock_guard lock(mu_);
  cache_.erase(practitioner_id);
}

}  // namespace healthtech::appointment::clients
