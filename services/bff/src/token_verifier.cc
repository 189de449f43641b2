#include "token_verifier.h"

#include "healthtech/iam/v1/iam_service.pb.h"
#include "healthtech/log/log.h"

namespace healthtech::bff {

TokenVerifier::TokenVerifier(Upstream* iam, std::string issuer, std::string audience)
    : iam_(iam), issuer_(std::move(issuer)), audience_(std::move(audience)) {}

std::shared_ptr<const auth::KeySet> TokenVerifier::Keys() {
  std::lock_guard lock(mu_);
  return keys_;
}

awaitable<bool> TokenVerifier::Refresh(const std::string* unknown_kid) {
  auto now = std::chrono::steady_clock::now();
  if (unknown_kid != nullptr &&
      !throttle_.Allow(
          *unknown_kid,
          std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count())) {
    co_return false;
  }
  std::string method = "/healthtech.iam.v1.IamService/GetJwks";
  auto r =
      co_await iam_->Call(std::move(method), std::string(), {}, std::chrono::milliseconds(2000));
  iam::v1::GetJwksResponse resp;
  if (!r.status.ok() || !resp.ParseFromString(r.response)) {
    log::Warn("jwks_fetch_failed", {{"grpc_code", static_cast<int>(r.status.error_code())}});
    co_return false;
  }
  auto keys = std::make_shared<auth::KeySet>();
  for (const auto& k : resp.keys()) {
    auto x = auth::Base64UrlDecode(k.x());
    if (k.kty() == "OKP" && x.ok()) (*keys)[k.kid()] = *x;
  }
  std::lock_guard lock(mu_);
  for (const auto& [kid, _] : *keys_) {
    if (keys->count(kid) == 0) cache_.Clear();  // a key was withdrawn: re-verify everything
  }
  keys_ = std::move(keys);
  fetched_at_ = now;
  co_return true;
}

awaitable<absl::StatusOr<auth::Claims>> TokenVerifier::Verify(std::string token) {
  bool stale;
  {
    std::lock_guard lock(mu_);
    stale =
        keys_->empty() || std::chrono::steady_clock::now() - fetched_at_ > std::chrono::minutes(5);
  }
  if (stale) co_await Refresh(nullptr);
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  if (auto hit = cache_.Get(token, now)) co_return *hit;
  bool unknown_kid = false;
  auto claims = auth::Verify(token, *Keys(), issuer_, audience_, now, &unknown_kid);
  std::string kid = unknown_kid ? auth::PeekKid(token) : std::string();
  if (!claims.ok() && unknown_kid && co_await Refresh(&kid)) {
    claims = auth::Verify(token, *Keys(), issuer_, audience_, now, &unknown_kid);
  }
  if (claims.ok()) cache_.Put(token, *claims);
  co_return claims;
}

}  // namespace healthtech::bff
