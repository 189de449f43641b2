#include "service.h"

#include "healthtech/validate/validate.h"

namespace healthtech::notification {

NotificationService::NotificationService(const Config& config, pg::Pool* pool,
                                         std::shared_ptr<grpc::Channel> iam, Realtime* realtime,
                                         storage::TimeZones* zones)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience),
      realtime_(realtime),
      zones_(zones) {
  storage::PrepareStatements(*pool_);
}

absl::StatusOr<auth::Claims> NotificationService::Caller(const grpc::ServerContext& ctx) {
  return authn_.Authenticate(ctx);
}

absl::StatusOr<std::optional<storage::Position>> NotificationService::PageAfter(
    std::string_view kind, const std::string& token) const {
  if (token.empty()) return std::nullopt;
  auto pos = page_tokens_.Decode(kind, token, 2);
  if (!pos.ok()) return pos.status();
  auto us = paging::Int64Field((*pos)[0]);
  if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
  return std::make_optional(storage::Position{*us, (*pos)[1]});
}

}  // namespace healthtech::notification
