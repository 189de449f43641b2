#include "service.h"

#include "healthtech/grpc_server/server.h"

namespace healthtech::org {

OrgServiceImpl::OrgServiceImpl(const Config& config, pg::Pool* pool,
                               std::shared_ptr<grpc::Channel> iam)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      facets_(std::chrono::milliseconds(config.search_facets_ttl_ms), 10000),
      iam_(iam, config.internal_token),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience) {}

absl::StatusOr<auth::Claims> OrgServiceImpl::Caller(const grpc::ServerContext& ctx) {
  return authn_.Authenticate(ctx);
}

absl::Status OrgServiceImpl::CheckInternal(const grpc::ServerContext& ctx) {
  return grpc_server::CheckInternalToken(ctx, config_.internal_token);
}

}  // namespace healthtech::org
