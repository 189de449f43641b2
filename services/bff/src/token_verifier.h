#pragma once
// Access-token checks at the edge: the BFF verifies every bearer token against IAM's
// JWKS (fetched over gRPC, cached, refreshed every 5 min and on an unknown kid at most
// every 5 s) before calling any service. Services verify again themselves.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <absl/status/statusor.h>

#include "asio.h"
#include "healthtech/auth/jwt.h"
#include "upstream.h"

namespace healthtech::bff {

class TokenVerifier {
 public:
  TokenVerifier(Upstream* iam, std::string issuer, std::string audience);
  awaitable<absl::StatusOr<auth::Claims>> Verify(std::string token);
  // Refetches the JWKS; with a kid, only if the refresh throttle allows it.
  awaitable<bool> Refresh(const std::string* unknown_kid);

 private:
  std::shared_ptr<const auth::KeySet> Keys();
  Upstream* iam_;
  std::string issuer_, audience_;
  std::mutex mu_;
  std::shared_ptr<const auth::KeySet> keys_ = std::make_shared<auth::KeySet>();
  std::chrono::steady_clock::time_point fetched_at_{};
  auth::RefreshThrottle throttle_;
  auth::VerifiedTokenCache cache_;
};

}  // namespace healthtech::bff
