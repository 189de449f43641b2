#include "service.h"

#include <algorithm>

#include "domain/booking.h"
#include "handlers/mapping.h"
#include "storage/store.h"

namespace healthtech::appointment {

AppointmentService::AppointmentService(const Config& config, pg::Pool* pool,
                                       std::shared_ptr<grpc::Channel> iam,
                                       std::shared_ptr<grpc::Channel> org)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      org_(std::move(org), config.internal_token),
      patients_(iam, config.internal_token),
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

void AppointmentService::NamePatients(const std::string& caller, const std::string& request_id,
                                      const std::vector<v1::Appointment*>& items) {
  std::vector<std::string> ids;
  for (const auto* a : items) {
    if (a->patient_id() != caller &&
        std::find(ids.begin(), ids.end(), a->patient_id()) == ids.end())
      ids.push_back(a->patient_id());
  }
  if (ids.empty()) return;
  auto users = patients_.Lookup(ids, request_id);
  const std::string today = domain::EventTime(handlers::NowSeconds()).substr(0, 10);
  for (auto* a : items) {
    if (a->patient_id() == caller) continue;
    auto it = users.find(a->patient_id());
    if (it == users.end()) continue;
    a->mutable_patient()->set_full_name(it->second.full_name());
    a->mutable_patient()->set_phone(it->second.phone());
    if (auto age = domain::AgeOn(it->second.date_of_birth(), today))
      a->mutable_patient()->set_age(*age);
  }
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
