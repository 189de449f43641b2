// Sign-in: Login (argon2id, lockout counters, MFA challenge), the device a sign-in came
// from (new-device notice), and the tokens a sign-in or refresh issues.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "healthtech/iam/domain/crypto.h"
#include "healthtech/iam/domain/device.h"
#include "healthtech/iam/domain/session.h"
#include "healthtech/iam/domain/validation.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::AppendAudit;
namespace st = status;

absl::Status IamServiceImpl::CheckLoginThrottle(const std::string& email, const std::string& ip) {
  auto check = [&](const std::string& key, int limit) -> absl::Status {
    auto r = redis_->Command({"GET", key});
    if (!r.ok()) {
      log::Warn("login_throttle_unavailable");
      return absl::OkStatus();  // fail open: Redis holds only rebuildable state
    }
    if (r->type == redis::Reply::Type::kString && LoginThrottled(std::stoll(r->str), limit)) {
      auto ttl = redis_->Command({"TTL", key});
      int retry = ttl.ok() && ttl->integer > 0 ? static_cast<int>(ttl->integer) : 60;
      return st::ResourceExhausted("LOGIN_THROTTLED",
                                   "Too many failed sign-in attempts. Try again later.", retry);
    }
    return absl::OkStatus();
  };
  if (!email.empty()) {
    auto hex = auth::Base64UrlEncode(TokenHash(email));
    if (auto s =
            check("healthtech:iam:loginfail:account:" + hex, config_.login_failures_per_account);
        !s.ok())
      return s;
  }
  if (!ip.empty()) {
    if (auto s = check("healthtech:iam:loginfail:ip:" + ip, config_.login_failures_per_ip); !s.ok())
      return s;
  }
  return absl::OkStatus();
}

void IamServiceImpl::RecordLoginFailure(const std::string& email, const std::string& ip) {
  auto bump = [&](const std::string& key) {
    auto r = redis_->Command({"INCR", key});
    if (r.ok() && r->integer == 1) {
      (void)redis_->Command({"EXPIRE", key, std::to_string(config_.login_failure_window_seconds)});
    }
  };
  if (!email.empty())
    bump("healthtech:iam:loginfail:account:" + auth::Base64UrlEncode(TokenHash(email)));
  if (!ip.empty()) bump("healthtech:iam:loginfail:ip:" + ip);
}

grpc::Status IamServiceImpl::Login(Ctx* ctx, const v1::LoginRequest* req, v1::LoginResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    std::vector<st::Violation> v;
    if (req->email().empty()) v.push_back({"email", "is required"});
    if (req->password().empty()) v.push_back({"password", "is required"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    // One normalised form keys the lockout counter and the lookup alike; what cannot be an
    // email address matches no account (same work as a wrong password, counted per IP).
    std::string email;
    if (!NormalizeEmail(req->email(), &email)) {
      if (auto s = CheckLoginThrottle("", scope.client_ip()); !s.ok()) return s;
      VerifyPassword(dummy_hash_, req->password());
      RecordLoginFailure("", scope.client_ip());
      return handlers::BadCredentials();
    }
    if (auto s = CheckLoginThrottle(email, scope.client_ip()); !s.ok()) return s;

    std::string user_id, hash;
    bool verified = false, mfa = false;
    auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
      if (auto account = storage::FindForLogin(tx, email)) {
        user_id = account->id;
        hash = account->password_hash;
        verified = account->verified;
        mfa = account->mfa;
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    // Same work whether or not the account exists: always one argon2id verification.
    bool ok = VerifyPassword(user_id.empty() ? dummy_hash_ : hash, req->password());
    if (user_id.empty() || !ok) {
      RecordLoginFailure(email, scope.client_ip());
      return handlers::BadCredentials();
    }
    if (!verified) {
      return st::PermissionDenied("EMAIL_NOT_VERIFIED",
                                  "Verify your email address before signing in.");
    }
    std::string new_hash = NeedsRehash(hash, config_.argon2)
                               ? HashPassword(req->password(), config_.argon2)
                               : std::string();
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          if (!new_hash.empty()) storage::Rehash(tx, user_id, new_hash);
          AppendAudit(tx, user_id, mfa ? "user.login_mfa_challenge" : "user.login", user_id, scope);
          if (mfa) {
            std::string token = RandomToken();
            storage::InsertChallenge(tx, TokenHash(token), user_id);
            resp->set_mfa_required(true);
            resp->set_mfa_token(token);
            return absl::OkStatus();
          }
          if (auto s = NoteSignIn(tx, user_id, *ctx, scope); !s.ok()) return s;
          return IssueTokens(tx, user_id, {"pwd"}, NewUuid(), "", resp);
        });
  });
}

absl::Status IamServiceImpl::NoteSignIn(pqxx::transaction_base& tx, const std::string& user_id,
                                        const grpc::ServerContext& ctx,
                                        const grpc_server::RpcScope& scope) {
  std::string user_agent = grpc_server::Metadata(ctx, "x-user-agent");
  std::string fingerprint = TokenHash(DeviceKey(user_agent));
  auto seen = storage::UpsertDevice(tx, user_id, fingerprint, user_agent, scope.client_ip());
  if (!seen.is_new) return absl::OkStatus();  // a device seen before
  NewDevicePlan plan = PlanNewDevice(storage::CountDevices(tx, user_id));
  if (plan.forget > 0) storage::ForgetOldestDevices(tx, user_id, plan.forget);
  if (!plan.notify) return absl::OkStatus();  // the first sign-in of the account: nothing new
  nlohmann::json ev = {{"user_id", user_id},
                       {"device", DeviceLabel(user_agent)},
                       {"ip", scope.client_ip()},
                       {"signed_in_at", seen.signed_in_at}};
  outbox::Enqueue(tx, "iam", "user.new_sign_in", user_id, ev.dump());
  return absl::OkStatus();
}

absl::Status IamServiceImpl::IssueTokens(pqxx::transaction_base& tx, const std::string& user_id,
                                         const std::vector<std::string>& amr,
                                         const std::string& family_id, const std::string& parent_id,
                                         v1::LoginResponse* out) {
  // The cut-off mark before the roles: a role removal that commits (and then marks) in
  // between is either seen by LoadUser or cuts this token.
  const int64_t issued_at = IssuedAt(user_id);
  v1::User user;
  if (auto s = LoadUser(tx, user_id, &user); !s.ok()) return s;
  auto active = keys_->Active();
  if (!active.ok()) return active.status();
  std::string aal = AalFor(amr);
  std::string refresh = RandomToken();
  storage::InsertRefreshToken(tx, family_id, parent_id, user_id, TokenHash(refresh), amr, aal,
                              config_.refresh_token_ttl_days);
  auth::Claims c;
  c.iss = config_.jwt_issuer;
  c.aud = config_.jwt_audience;
  c.sub = user_id;
  c.sid = family_id;
  c.iat = issued_at;
  c.exp = c.iat + config_.access_token_ttl_seconds;
  c.jti = NewUuid();
  c.roles.assign(user.roles().begin(), user.roles().end());
  c.amr = amr;
  c.aal = aal;
  out->set_access_token(auth::Sign(c, active->first, active->second));
  out->set_refresh_token(refresh);
  out->set_token_type("Bearer");
  out->set_expires_in(config_.access_token_ttl_seconds);
  return absl::OkStatus();
}

}  // namespace healthtech::iam
