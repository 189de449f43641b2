#include "healthtech/auth/authenticator.h"

#include <grpcpp/grpcpp.h>

#include "healthtech/grpc_server/server.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/log/log.h"
#include "healthtech/status/status.h"

namespace healthtech::auth {

Authenticator::Authenticator(Fetch fetch, std::string issuer, std::string audience)
    : fetch_(std::move(fetch)), issuer_(std::move(issuer)), audience_(std::move(audience)) {}

std::shared_ptr<const KeySet> Authenticator::CurrentKeys(bool force, const std::string& kid) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  bool stale = keys_->empty() || now - fetched_at_ > std::chrono::minutes(5);
  bool may_force =
      force &&
      throttle_.Allow(
          kid,
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  if (stale || may_force) {
    auto fetched = fetch_();
    if (fetched.ok()) {
      for (const auto& [kid_old, _] : *keys_) {
        if (fetched->count(kid_old) == 0) cache_.Clear();  // a key was withdrawn
      }
      keys_ = std::make_shared<const KeySet>(std::move(*fetched));
      fetched_at_ = now;
    } else {
      log::Warn("jwks_fetch_failed", {{"error", std::string(fetched.status().message())}});
      // Keep using the cached keys; try again in 30 s rather than on every call.
      if (!keys_->empty()) fetched_at_ = now - std::chrono::minutes(5) + std::chrono::seconds(30);
    }
  }
  return keys_;
}

void Authenticator::Invalidate() {
  std::lock_guard lock(mu_);
  fetched_at_ = {};
  cache_.Clear();
}

absl::StatusOr<Claims> Authenticator::VerifyToken(std::string_view token) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (auto hit = cache_.Get(token, now)) return *hit;
  bool unknown_kid = false;
  auto claims = Verify(token, *CurrentKeys(false), issuer_, audience_, now, &unknown_kid);
  if (!claims.ok() && unknown_kid) {
    claims =
        Verify(token, *CurrentKeys(true, PeekKid(token)), issuer_, audience_, now, &unknown_kid);
  }
  if (claims.ok()) cache_.Put(token, *claims);
  return claims;
}

std::string BearerToken(std::string_view header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size()) return "";
  std::string_view p = header.substr(0, kPrefix.size());
  if (p != kPrefix && p != "bearer ") return "";
  return std::string(header.substr(kPrefix.size()));
}

absl::StatusOr<Claims> Authenticator::Authenticate(const grpc::ServerContext& ctx) {
  std::string token = BearerToken(grpc_server::Metadata(ctx, "authorization"));
  if (token.empty()) {
    return status::Unauthenticated("AUTH_REQUIRED", "Sign in to do this.");
  }
  return VerifyToken(token);
}

Authenticator::Fetch JwksFromIam(std::shared_ptr<grpc::Channel> channel) {
  auto stub = std::shared_ptr<iam::v1::IamService::Stub>(iam::v1::IamService::NewStub(channel));
  return [stub]() -> absl::StatusOr<KeySet> {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    iam::v1::GetJwksRequest req;
    iam::v1::GetJwksResponse resp;
    grpc::Status s = stub->GetJwks(&ctx, req, &resp);
    if (!s.ok()) return absl::UnavailableError("GetJwks: " + s.error_message());
    KeySet keys;
    for (const auto& k : resp.keys()) {
      auto x = Base64UrlDecode(k.x());
      if (k.kty() == "OKP" && x.ok()) keys[k.kid()] = *x;
    }
    return keys;
  };
}

}  // namespace healthtech::auth
