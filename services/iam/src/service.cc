#include "service.h"

#include "healthtech/grpc_server/server.h"
#include "healthtech/iam/domain/crypto.h"

namespace healthtech::iam {

IamServiceImpl::IamServiceImpl(const Config& config, pg::Pool* pool, redis::Client* redis,
                               KeyStore* keys)
    : config_(config),
      pool_(pool),
      redis_(redis),
      keys_(keys),
      authn_([keys] { return keys->KeySet(); }, config.jwt_issuer, config.jwt_audience),
      dummy_hash_(HashPassword("dummy-password-for-timing", config.argon2)) {}

absl::StatusOr<auth::Claims> IamServiceImpl::Caller(const grpc::ServerContext& ctx) {
  return authn_.Authenticate(ctx);
}

absl::Status IamServiceImpl::CheckInternal(const grpc::ServerContext& ctx) {
  return grpc_server::CheckInternalToken(ctx, config_.internal_token);
}

}  // namespace healthtech::iam
