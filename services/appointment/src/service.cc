#include "service.h"

#include "storage/store.h"

namespace healthtech::appointment {

AppointmentService::AppointmentService(const Config& config, pg::Pool* pool,
                                       std::shared_ptr<grpc::Channel> iam,
                                       std::shared_ptr<grpc::Channel> org)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      org_(std::move(org), config.internal_token),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience) {
  storage::PrepareStatements(*pool_);
}

AppointmentService::~AppointmentService() { StopSweeper(); }

absl::StatusOr<auth::Claims> AppointmentService::Caller(const grpc::ServerContext& ctx) {
  return authn_.Authenticate(ctx);
}

absl::Status AppointmentService::CheckInternal(const grpc::ServerContext& ctx) {
  return grpc_server::CheckInternalToken(ctx, config_.internal_token);
}

void AppointmentService::ForgetSlots(const std::string& practitioner_id) {
  std::lock_guard lock(cache_mu_);
  for (auto it = slot_cache_.begin(); it != slot_cache_.end();) {
    it = it->first.rfind(practitioner_id, 0) == 0 ? slot_cache_.erase(it) : std::next(it);
  }
}

void AppointmentService::ForgetAllSlots() {
  std::lock_guard lock(cache_mu_);
  slot_cache_.clear();
}

}  // namespace healthtech::appointment
