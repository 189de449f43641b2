#pragma once
// The verifier every service uses on every call: reads `authorization: Bearer <jwt>`
// from gRPC metadata and verifies it against a cached key set. Keys come from a fetch
// function (IAM's GetJwks over gRPC in most services; IAM's own key table in IAM), and
// are refreshed every 5 minutes and on an unknown kid (see RefreshThrottle), so key
// rotation never logs anyone out.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <absl/status/statusor.h>

#include "healthtech/auth/jwt.h"

namespace grpc {
class ServerContext;
class Channel;
}  // namespace grpc

namespace healthtech::auth {

class Authenticator {
 public:
  using Fetch = std::function<absl::StatusOr<KeySet>()>;
  Authenticator(Fetch fetch, std::string issuer, std::string audience);

  absl::StatusOr<Claims> VerifyToken(std::string_view token);
  // UNAUTHENTICATED (reason AUTH_REQUIRED) when the header is missing or malformed.
  absl::StatusOr<Claims> Authenticate(const grpc::ServerContext& ctx);
  // Forces the next verification to refetch keys.
  void Invalidate();

 private:
  std::shared_ptr<const KeySet> CurrentKeys(bool force, const std::string& kid = "");

  Fetch fetch_;
  std::string issuer_, audience_;
  std::mutex mu_;
  std::shared_ptr<const KeySet> keys_ = std::make_shared<KeySet>();
  std::chrono::steady_clock::time_point fetched_at_{};
  RefreshThrottle throttle_;
  VerifiedTokenCache cache_;
};

// A fetch function that asks IAM's GetJwks over `channel`.
Authenticator::Fetch JwksFromIam(std::shared_ptr<grpc::Channel> channel);

// "Bearer <token>" -> token, or "" if malformed.
std::string BearerToken(std::string_view header);

}  // namespace healthtech::auth
