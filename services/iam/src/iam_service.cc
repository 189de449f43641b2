#include "iam_service.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "healthtech/auth/revocation.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/iam/domain/crypto.h"
#include "healthtech/iam/domain/device.h"
#include "healthtech/iam/domain/validation.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/text_array.h"
#include "healthtech/status/status.h"

namespace healthtech::iam {
namespace {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

pqxx::binarystring Bin(const std::string& s) { return pqxx::binarystring(s); }

const absl::Status kBadCredentials =
    st::Unauthenticated("INVALID_CREDENTIALS", "Email or password is incorrect.");

void AppendAudit(pqxx::transaction_base& tx, const std::string& actor, const std::string& action,
                 const std::string& target, const RpcScope& scope) {
  tx.exec_params(
      "INSERT INTO iam.audit_log (actor_id, action, target_id, client_ip, request_id) "
      "VALUES (nullif($1,'')::uuid, $2, nullif($3,''), nullif($4,''), nullif($5,''))",
      actor, action, target, scope.client_ip(), scope.request_id());
}

}  // namespace

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

namespace {

// The user with every role ("org_admin:<org>" for org-scoped roles) in one statement.
constexpr const char* kLoadUserSql =
    "SELECT u.id::text, u.email, u.full_name, coalesce(u.phone, ''), "
    "u.email_verified_at IS NOT NULL, u.totp_secret_enc IS NOT NULL, "
    "extract(epoch from u.created_at)::bigint, "
    "coalesce((SELECT array_agg(CASE WHEN r.org_id IS NULL THEN r.role ELSE r.role || "
    "':' || r.org_id::text END ORDER BY r.role, r.org_id) FROM iam.user_roles r "
    "WHERE r.user_id = u.id), '{}')::text "
    "FROM iam.users u WHERE u.id = ";

absl::Status FillUser(const pqxx::result& rows, v1::User* out) {
  if (rows.empty()) return st::NotFound("USER_NOT_FOUND", "No such user.");
  const auto& r = rows[0];
  out->set_id(r[0].as<std::string>());
  out->set_email(r[1].as<std::string>());
  out->set_full_name(r[2].as<std::string>());
  out->set_phone(r[3].as<std::string>());
  out->set_email_verified(r[4].as<bool>());
  out->set_mfa_enabled(r[5].as<bool>());
  out->mutable_created_at()->set_seconds(r[6].as<int64_t>());
  out->clear_roles();
  for (auto& role : pg::ParseTextArray(r[7].as<std::string>())) out->add_roles(role);
  return absl::OkStatus();
}

}  // namespace

void RegisterStatements(pg::Pool& pool) {
  pool.Prepare("iam_load_user", std::string(kLoadUserSql) + "$1::uuid");
}

absl::Status IamServiceImpl::LoadUser(pqxx::transaction_base& tx, const std::string& user_id,
                                      v1::User* out) {
  return FillUser(tx.exec_prepared("iam_load_user", user_id), out);
}

absl::Status IamServiceImpl::QueueEmail(pqxx::transaction_base& tx, const std::string& event_type,
                                        const std::string& user_id, const std::string& email,
                                        const std::string& full_name, const std::string& purpose) {
  std::string token = RandomToken();
  bool verify = purpose == "verify_email";
  int ttl_seconds = verify ? 24 * 3600 : 3600;
  auto rows = tx.exec_params(
      "INSERT INTO iam.one_time_tokens (token_hash, user_id, purpose, expires_at) "
      "VALUES ($1, $2::uuid, $3, now() + make_interval(secs => $4)) "
      "RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
      Bin(TokenHash(token)), user_id, purpose, ttl_seconds);
  std::string expires_at = rows[0][0].as<std::string>();
  std::string url =
      config_.public_web_url + (verify ? "/verify-email?token=" : "/reset-password?token=") + token;
  // notification-service renders and sends the message (templates, locale, SMTP).
  nlohmann::json payload = {{"user_id", user_id},
                            {"email", email},
                            {"full_name", full_name},
                            {"token", token},
                            {verify ? "verify_url" : "reset_url", url},
                            {"expires_at", expires_at}};
  outbox::Enqueue(tx, "iam", event_type, user_id, payload.dump());
  return absl::OkStatus();
}

std::vector<std::string> IamServiceImpl::RevokeSessions(pqxx::transaction_base& tx,
                                                        const std::string& user_id,
                                                        const std::string& reason,
                                                        const std::string& keep) {
  // Every refresh token of the user but `keep`'s family ends; the sessions returned are
  // those that may still have live access tokens (a token issued within one lifetime:
  // every issue inserts a refresh-token row).
  auto rows = tx.exec_params(
      "UPDATE iam.refresh_tokens SET revoked_at = now(), revoked_reason = $2 WHERE user_id = "
      "$1::uuid AND revoked_at IS NULL AND family_id IS DISTINCT FROM nullif($3, '')::uuid "
      "RETURNING family_id::text, created_at > now() - make_interval(secs => $4)",
      user_id, reason, validate::ValidUuid(keep) ? keep : "",
      config_.access_token_ttl_seconds + 60);
  std::vector<std::string> families;
  for (const auto& r : rows)
    if (r[1].as<bool>()) families.push_back(r[0].as<std::string>());
  std::sort(families.begin(), families.end());
  families.erase(std::unique(families.begin(), families.end()), families.end());
  return families;
}

void IamServiceImpl::CutAccess(const std::string& user_id, const std::vector<std::string>& sessions,
                               bool everything_before) {
  if (sessions.empty() && !everything_before) return;
  const std::string ttl = std::to_string(config_.access_token_ttl_seconds + 60);
  for (const auto& sid : sessions) {  // each on its own: one failure stops no other
    auto r = redis_->Command({"SET", auth::RevokedSessionKey(sid), "1", "EX", ttl});
    if (!r.ok() || r->type == redis::Reply::Type::kError)
      log::Warn("access_cut_failed", {{"session", sid}});
  }
  // The mark: one second ahead (a token issued earlier in this second is cut as well;
  // IssuedAt stamps later ones at the mark), and past any mark already there, so a token
  // stamped at an earlier cut of this same second is cut by this one.
  static constexpr const char* kRaise =
      "local v = math.max(tonumber(ARGV[1]), tonumber(redis.call('GET', KEYS[1]) or '0') + 1) "
      "redis.call('SET', KEYS[1], v, 'EX', ARGV[2]) return v";
  int64_t before = 0;
  if (everything_before) {
    auto r = redis_->Command({"EVAL", kRaise, "1", auth::RevokedBeforeKey(user_id),
                              std::to_string(NowSeconds() + 1), ttl});
    if (r.ok() && r->type == redis::Reply::Type::kInteger)
      before = r->integer;
    else
      log::Warn("access_cut_failed", {{"user_id", user_id}});
  }
  // Open WebSocket sessions on every BFF replica hear it on the user's channel and close
  // the affected ones (websocket.h); "type" first: the hub tells these notes from
  // notifications by their opening bytes.
  nlohmann::ordered_json note = {{"type", "session_revoked"}, {"sessions", sessions}};
  if (before > 0) note["before"] = before;
  (void)redis_->Command({"PUBLISH", "healthtech:notify:user:" + user_id, note.dump()});
}

int64_t IamServiceImpl::IssuedAt(const std::string& user_id) {
  int64_t now = NowSeconds();
  auto r = redis_->Command({"GET", auth::RevokedBeforeKey(user_id)});
  if (!r.ok() || r->type != redis::Reply::Type::kString) return now;
  try {
    return std::max(now, static_cast<int64_t>(std::stoll(r->str)));
  } catch (...) {
    return now;
  }
}

absl::Status IamServiceImpl::NoteSignIn(pqxx::transaction_base& tx, const std::string& user_id,
                                        const grpc::ServerContext& ctx,
                                        const grpc_server::RpcScope& scope) {
  constexpr int kMaxDevices = 50;  // the least recently used beyond this are forgotten
  std::string user_agent = grpc_server::Metadata(ctx, "x-user-agent");
  std::string fingerprint = TokenHash(DeviceKey(user_agent));
  auto rows = tx.exec_params(
      "INSERT INTO iam.sign_in_devices (user_id, fingerprint, user_agent, first_ip) "
      "VALUES ($1::uuid, $2, $3, $4) ON CONFLICT (user_id, fingerprint) "
      "DO UPDATE SET last_seen_at = now() RETURNING xmax = 0, "
      "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
      user_id, Bin(fingerprint), user_agent, scope.client_ip());
  if (!rows[0][0].as<bool>()) return absl::OkStatus();  // a device seen before
  auto known = tx.exec_params("SELECT count(*) FROM iam.sign_in_devices WHERE user_id = $1::uuid",
                              user_id)[0][0]
                   .as<int>();
  if (known > kMaxDevices) {
    tx.exec_params(
        "DELETE FROM iam.sign_in_devices WHERE user_id = $1::uuid AND fingerprint IN (SELECT "
        "fingerprint FROM iam.sign_in_devices WHERE user_id = $1::uuid ORDER BY last_seen_at "
        "LIMIT $2)",
        user_id, known - kMaxDevices);
  }
  if (known == 1) return absl::OkStatus();  // the first sign-in of the account: nothing new
  nlohmann::json ev = {{"user_id", user_id},
                       {"device", DeviceLabel(user_agent)},
                       {"ip", scope.client_ip()},
                       {"signed_in_at", rows[0][1].as<std::string>()}};
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
  std::string aal = std::find(amr.begin(), amr.end(), "otp") != amr.end() ? "aal2" : "aal1";
  std::string refresh = RandomToken();
  tx.exec_params(
      "INSERT INTO iam.refresh_tokens (family_id, parent_id, user_id, token_hash, amr, aal, "
      "expires_at) VALUES ($1::uuid, nullif($2,'')::uuid, $3::uuid, $4, $5::text[], $6, "
      "now() + make_interval(days => $7))",
      family_id, parent_id, user_id, Bin(TokenHash(refresh)), pg::TextArray(amr), aal,
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

grpc::Status IamServiceImpl::Register(Ctx* ctx, const v1::RegisterRequest* req,
                                      v1::RegisterResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    std::vector<st::Violation> v;
    std::string email;
    if (!NormalizeEmail(req->email(), &email))
      v.push_back({"email", "must be a valid email address"});
    std::string name = Trim(req->full_name());
    if (name.empty())
      v.push_back({"full_name", "is required"});
    else if (CodePoints(name) > 200)
      v.push_back({"full_name", "must be at most 200 characters"});
    else if (auto why = validate::DisplayNameProblem(name); !why.empty())
      v.push_back({"full_name", why});
    if (!req->phone().empty() && !ValidPhone(req->phone()))
      v.push_back({"phone", "must be in E.164 format, e.g. +919812345678"});
    for (auto& p : CheckPassword(req->password(), email, "password")) v.push_back(p);
    if (!v.empty()) return st::ValidationFailed(std::move(v));

    std::string hash = HashPassword(req->password(), config_.argon2);
    std::string user_id;
    bool taken = false;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "INSERT INTO iam.users (email, password_hash, full_name, phone) VALUES ($1, $2, $3, "
              "nullif($4, '')) ON CONFLICT (email) DO NOTHING RETURNING id::text",
              email, hash, name, req->phone());
          if (rows.empty()) {
            taken = true;
            return absl::OkStatus();
          }
          user_id = rows[0][0].as<std::string>();
          tx.exec_params("INSERT INTO iam.user_roles (user_id, role) VALUES ($1::uuid, 'patient')",
                         user_id);
          nlohmann::json reg = {{"user_id", user_id}, {"email", email}, {"full_name", name}};
          outbox::Enqueue(tx, "iam", "user.registered", user_id, reg.dump());
          AppendAudit(tx, user_id, "user.register", user_id, scope);
          return QueueEmail(tx, "user.email_verification_requested", user_id, email, name,
                            "verify_email");
        });
    if (!s.ok()) return s;
    if (taken) {
      // The address is registered already. Tell the caller plainly: a registration form
      // cannot hide this anyway (the second sign-up would otherwise silently fail).
      return st::Conflict("EMAIL_TAKEN", "An account with this email already exists.");
    }
    resp->set_user_id(user_id);
    return absl::OkStatus();
  });
}

grpc::Status IamServiceImpl::VerifyEmail(Ctx* ctx, const v1::VerifyEmailRequest* req,
                                         v1::VerifyEmailResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (req->token().empty()) return st::ValidationFailed({{"token", "is required"}});
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "UPDATE iam.one_time_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = "
              "'verify_email' AND used_at IS NULL AND expires_at > now() RETURNING user_id::text",
              Bin(TokenHash(req->token())));
          if (rows.empty()) {
            return st::InvalidArgument("LINK_INVALID",
                                       "This verification link is invalid, used or expired.",
                                       {{"token", "invalid, used or expired"}});
          }
          std::string user_id = rows[0][0].as<std::string>();
          tx.exec_params(
              "UPDATE iam.users SET email_verified_at = coalesce(email_verified_at, now()), "
              "updated_at = now() WHERE id = $1::uuid",
              user_id);
          AppendAudit(tx, user_id, "user.verify_email", user_id, scope);
          resp->set_user_id(user_id);
          resp->set_email_verified(true);
          return absl::OkStatus();
        });
  });
}

grpc::Status IamServiceImpl::ResendVerification(Ctx* ctx, const v1::ResendVerificationRequest* req,
                                                v1::ResendVerificationResponse*) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    std::string email;
    if (!NormalizeEmail(req->email(), &email)) {
      return st::ValidationFailed({{"email", "must be a valid email address"}});
    }
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT id::text, full_name FROM iam.users WHERE email = $1 AND email_verified_at IS "
              "NULL",
              email);
          if (rows.empty()) return absl::OkStatus();  // never reveal whether the email exists
          return QueueEmail(tx, "user.email_verification_requested", rows[0][0].as<std::string>(),
                            email, rows[0][1].as<std::string>(), "verify_email");
        });
  });
}

absl::Status IamServiceImpl::CheckLoginThrottle(const std::string& email, const std::string& ip) {
  auto check = [&](const std::string& key, int limit) -> absl::Status {
    auto r = redis_->Command({"GET", key});
    if (!r.ok()) {
      log::Warn("login_throttle_unavailable");
      return absl::OkStatus();  // fail open: Redis holds only rebuildable state
    }
    if (r->type == redis::Reply::Type::kString && std::stoll(r->str) >= limit) {
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
      return kBadCredentials;
    }
    if (auto s = CheckLoginThrottle(email, scope.client_ip()); !s.ok()) return s;

    std::string user_id, hash;
    bool verified = false, mfa = false;
    auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
      auto rows = tx.exec_params(
          "SELECT id::text, password_hash, email_verified_at IS NOT NULL, totp_secret_enc IS NOT "
          "NULL FROM iam.users WHERE email = $1",
          email);
      if (!rows.empty()) {
        user_id = rows[0][0].as<std::string>();
        hash = rows[0][1].as<std::string>();
        verified = rows[0][2].as<bool>();
        mfa = rows[0][3].as<bool>();
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    // Same work whether or not the account exists: always one argon2id verification.
    bool ok = VerifyPassword(user_id.empty() ? dummy_hash_ : hash, req->password());
    if (user_id.empty() || !ok) {
      RecordLoginFailure(email, scope.client_ip());
      return kBadCredentials;
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
          if (!new_hash.empty()) {
            tx.exec_params("UPDATE iam.users SET password_hash = $1 WHERE id = $2::uuid", new_hash,
                           user_id);
          }
          AppendAudit(tx, user_id, mfa ? "user.login_mfa_challenge" : "user.login", user_id, scope);
          if (mfa) {
            std::string token = RandomToken();
            tx.exec_params(
                "INSERT INTO iam.mfa_challenges (token_hash, user_id, expires_at) VALUES "
                "($1, $2::uuid, now() + interval '5 minutes')",
                Bin(TokenHash(token)), user_id);
            resp->set_mfa_required(true);
            resp->set_mfa_token(token);
            return absl::OkStatus();
          }
          if (auto s = NoteSignIn(tx, user_id, *ctx, scope); !s.ok()) return s;
          return IssueTokens(tx, user_id, {"pwd"}, NewUuid(), "", resp);
        });
  });
}

grpc::Status IamServiceImpl::VerifyMfa(Ctx* ctx, const v1::VerifyMfaRequest* req,
                                       v1::LoginResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    std::vector<st::Violation> v;
    if (req->mfa_token().empty()) v.push_back({"mfa_token", "is required"});
    if (req->code().empty() == req->recovery_code().empty())
      v.push_back({"code", "give either code or recovery_code"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    const absl::Status invalid =
        st::InvalidArgument("MFA_CODE_INVALID", "The code is wrong, expired or already used.");
    bool failed = false, challenge_over = false;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto ch = tx.exec_params(
              "SELECT c.user_id::text, u.totp_secret_enc, u.totp_last_step FROM iam.mfa_challenges "
              "c "
              "JOIN iam.users u ON u.id = c.user_id WHERE c.token_hash = $1 AND c.used_at IS NULL "
              "AND "
              "c.expires_at > now() AND c.attempts < 5 FOR UPDATE OF c, u",
              Bin(TokenHash(req->mfa_token())));
          if (ch.empty() || ch[0][1].is_null()) {
            challenge_over = true;  // used, expired, out of attempts, or never issued
            return absl::OkStatus();
          }
          std::string user_id = ch[0][0].as<std::string>();
          bool ok = false;
          if (!req->code().empty()) {
            auto secret = Decrypt(pqxx::binarystring(ch[0][1]).str(), config_.key_encryption_key);
            if (!secret) return st::Internal("cannot decrypt TOTP secret");
            auto step = MatchTotp(*secret, req->code(), NowSeconds());
            if (step && *step > ch[0][2].as<int64_t>()) {
              tx.exec_params("UPDATE iam.users SET totp_last_step = $1 WHERE id = $2::uuid", *step,
                             user_id);
              ok = true;
            }
          } else {
            auto used = tx.exec_params(
                "UPDATE iam.recovery_codes SET used_at = now() WHERE user_id = $1::uuid AND "
                "code_hash "
                "= $2 AND used_at IS NULL RETURNING 1",
                user_id, Bin(TokenHash(NormalizeRecoveryCode(req->recovery_code()))));
            ok = !used.empty();
          }
          if (!ok) {
            tx.exec_params(
                "UPDATE iam.mfa_challenges SET attempts = attempts + 1 WHERE token_hash = $1",
                Bin(TokenHash(req->mfa_token())));
            failed = true;
            return absl::OkStatus();  // commit the attempt count
          }
          tx.exec_params("UPDATE iam.mfa_challenges SET used_at = now() WHERE token_hash = $1",
                         Bin(TokenHash(req->mfa_token())));
          AppendAudit(tx, user_id, req->code().empty() ? "user.mfa_recovery_code" : "user.mfa_totp",
                      user_id, scope);
          if (auto s = NoteSignIn(tx, user_id, *ctx, scope); !s.ok()) return s;
          return IssueTokens(tx, user_id, {"pwd", "otp"}, NewUuid(), "", resp);
        });
    if (!s.ok()) return s;
    if (challenge_over) {
      resp->Clear();
      return st::Unauthenticated("TOKEN_INVALID",
                                 "This sign-in challenge is over (used, expired or too many "
                                 "tries): sign in again.");
    }
    if (failed) {
      resp->Clear();
      return invalid;
    }
    return absl::OkStatus();
  });
}

grpc::Status IamServiceImpl::EnrollTotp(Ctx* ctx, const v1::EnrollTotpRequest*,
                                        v1::EnrollTotpResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string secret = NewTotpSecret();
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "UPDATE iam.users SET totp_pending_enc = $1, updated_at = now() WHERE id = $2::uuid "
              "AND "
              "totp_secret_enc IS NULL RETURNING email",
              Bin(Encrypt(secret, config_.key_encryption_key)), caller->sub);
          if (rows.empty()) {
            return st::Conflict("MFA_ALREADY_ENABLED", "Two-factor authentication is already on.");
          }
          std::string b32 = Base32Encode(secret);
          resp->set_secret(b32);
          resp->set_otpauth_uri("otpauth://totp/HealthTech:" + rows[0][0].as<std::string>() +
                                "?secret=" + b32 +
                                "&issuer=HealthTech&algorithm=SHA1&digits=6&period=30");
          return absl::OkStatus();
        });
  });
}

grpc::Status IamServiceImpl::ActivateTotp(Ctx* ctx, const v1::ActivateTotpRequest* req,
                                          v1::ActivateTotpResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (req->code().empty()) return st::ValidationFailed({{"code", "is required"}});
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT totp_pending_enc, email FROM iam.users WHERE id = $1::uuid AND "
              "totp_secret_enc IS "
              "NULL AND totp_pending_enc IS NOT NULL FOR UPDATE",
              caller->sub);
          if (rows.empty()) {
            return st::Conflict("MFA_NOT_ENROLLING", "Start TOTP enrolment first.");
          }
          std::string enc = pqxx::binarystring(rows[0][0]).str();
          auto secret = Decrypt(enc, config_.key_encryption_key);
          if (!secret) return st::Internal("cannot decrypt TOTP secret");
          auto step = MatchTotp(*secret, req->code(), NowSeconds());
          if (!step) {
            return st::InvalidArgument("MFA_CODE_INVALID", "The code is wrong or expired.");
          }
          tx.exec_params(
              "UPDATE iam.users SET totp_secret_enc = $1, totp_pending_enc = NULL, "
              "totp_last_step = $2, updated_at = now() WHERE id = $3::uuid",
              Bin(enc), *step, caller->sub);
          tx.exec_params("DELETE FROM iam.recovery_codes WHERE user_id = $1::uuid", caller->sub);
          for (int i = 0; i < 10; ++i) {
            std::string code = NewRecoveryCode();
            tx.exec_params(
                "INSERT INTO iam.recovery_codes (user_id, code_hash) VALUES ($1::uuid, $2)",
                caller->sub, Bin(TokenHash(code)));
            resp->add_recovery_codes(code);
          }
          nlohmann::json ev = {{"user_id", caller->sub}, {"enabled", true}};
          outbox::Enqueue(tx, "iam", "user.mfa_changed", caller->sub, ev.dump());
          AppendAudit(tx, caller->sub, "user.mfa_enable", caller->sub, scope);
          return absl::OkStatus();
        });
  });
}

grpc::Status IamServiceImpl::DisableTotp(Ctx* ctx, const v1::DisableTotpRequest* req,
                                         v1::DisableTotpResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (req->code().empty()) return st::ValidationFailed({{"code", "is required"}});
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT totp_secret_enc, totp_last_step FROM iam.users WHERE id = $1::uuid AND "
              "totp_secret_enc IS NOT NULL FOR UPDATE",
              caller->sub);
          if (rows.empty()) {
            return st::Conflict("MFA_NOT_ENABLED", "Two-factor authentication is off.");
          }
          auto secret = Decrypt(pqxx::binarystring(rows[0][0]).str(), config_.key_encryption_key);
          if (!secret) return st::Internal("cannot decrypt TOTP secret");
          auto step = MatchTotp(*secret, req->code(), NowSeconds());
          if (!step || *step <= rows[0][1].as<int64_t>()) {
            return st::InvalidArgument("MFA_CODE_INVALID",
                                       "The code is wrong, expired or already used.");
          }
          tx.exec_params(
              "UPDATE iam.users SET totp_secret_enc = NULL, totp_pending_enc = NULL, "
              "totp_last_step = $1, updated_at = now() WHERE id = $2::uuid",
              *step, caller->sub);
          tx.exec_params("DELETE FROM iam.recovery_codes WHERE user_id = $1::uuid", caller->sub);
          nlohmann::json ev = {{"user_id", caller->sub}, {"enabled", false}};
          outbox::Enqueue(tx, "iam", "user.mfa_changed", caller->sub, ev.dump());
          AppendAudit(tx, caller->sub, "user.mfa_disable", caller->sub, scope);
          resp->set_mfa_enabled(false);
          return absl::OkStatus();
        });
  });
}

grpc::Status IamServiceImpl::Refresh(Ctx* ctx, const v1::RefreshRequest* req,
                                     v1::LoginResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (req->refresh_token().empty())
      return st::ValidationFailed({{"refresh_token", "is required"}});
    const absl::Status invalid =
        st::Unauthenticated("REFRESH_TOKEN_INVALID", "The session has ended. Sign in again.");
    bool rejected = false;
    std::string reused_family, reused_user;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT id::text, family_id::text, user_id::text, amr::text, rotated_at IS NOT NULL, "
              "revoked_at IS NOT NULL, expires_at <= now() FROM iam.refresh_tokens WHERE "
              "token_hash = "
              "$1 FOR UPDATE",
              Bin(TokenHash(req->refresh_token())));
          if (rows.empty()) {
            rejected = true;
            return absl::OkStatus();
          }
          const auto& r = rows[0];
          std::string id = r[0].as<std::string>(), family = r[1].as<std::string>(),
                      user_id = r[2].as<std::string>();
          if (r[4].as<bool>() && !r[5].as<bool>()) {
            // A rotated token came back: it was stolen or replayed. End the whole family.
            tx.exec_params(
                "UPDATE iam.refresh_tokens SET revoked_at = now(), revoked_reason = "
                "'reuse_detected' WHERE family_id = $1::uuid AND revoked_at IS NULL",
                family);
            reused_family = family;
            reused_user = user_id;
            AppendAudit(tx, user_id, "session.reuse_detected", family, scope);
            log::Warn("refresh_token_reuse", {{"user_id", user_id}, {"family_id", family}});
            rejected = true;
            return absl::OkStatus();  // commit the revocation
          }
          if (r[4].as<bool>() || r[5].as<bool>() || r[6].as<bool>()) {
            rejected = true;
            return absl::OkStatus();
          }
          tx.exec_params("UPDATE iam.refresh_tokens SET rotated_at = now() WHERE id = $1::uuid",
                         id);
          return IssueTokens(tx, user_id, pg::ParseTextArray(r[3].as<std::string>()), family, id,
                             resp);
        });
    if (!s.ok()) return s;
    if (!reused_family.empty()) CutAccess(reused_user, {reused_family}, false);
    if (rejected) {
      resp->Clear();
      return invalid;
    }
    return absl::OkStatus();
  });
}

grpc::Status IamServiceImpl::Logout(Ctx* ctx, const v1::LogoutRequest* req,
                                    v1::LogoutResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (req->refresh_token().empty())
      return st::ValidationFailed({{"refresh_token", "is required"}});
    std::string family, user_id;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "UPDATE iam.refresh_tokens SET revoked_at = now(), revoked_reason = 'logout' WHERE "
              "family_id = (SELECT family_id FROM iam.refresh_tokens WHERE token_hash = $1) AND "
              "revoked_at IS NULL RETURNING user_id::text, family_id::text",
              Bin(TokenHash(req->refresh_token())));
          resp->set_sessions_revoked(rows.empty() ? 0 : 1);
          if (!rows.empty()) {
            user_id = rows[0][0].as<std::string>();
            family = rows[0][1].as<std::string>();
            AppendAudit(tx, rows[0][0].as<std::string>(), "user.logout", "", scope);
          }
          return absl::OkStatus();
        });
    if (s.ok() && !family.empty()) CutAccess(user_id, {family}, false);
    return s;
  });
}

grpc::Status IamServiceImpl::LogoutAll(Ctx* ctx, const v1::LogoutAllRequest*,
                                       v1::LogoutResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<std::string> families;
    auto s = pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          auto r = tx.exec_params(
              "SELECT count(DISTINCT family_id) FROM iam.refresh_tokens WHERE user_id = $1::uuid "
              "AND "
              "revoked_at IS NULL AND rotated_at IS NULL AND expires_at > now()",
              caller->sub);
          families = RevokeSessions(tx, caller->sub, "logout_all", "");
          resp->set_sessions_revoked(r[0][0].as<int>());
          AppendAudit(tx, caller->sub, "user.logout_all", caller->sub, scope);
          return absl::OkStatus();
        });
    if (s.ok()) CutAccess(caller->sub, families, true);
    return s;
  });
}

grpc::Status IamServiceImpl::ForgotPassword(Ctx* ctx, const v1::ForgotPasswordRequest* req,
                                            v1::ForgotPasswordResponse*) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    std::string email;
    if (!NormalizeEmail(req->email(), &email)) {
      return st::ValidationFailed({{"email", "must be a valid email address"}});
    }
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows =
              tx.exec_params("SELECT id::text, full_name FROM iam.users WHERE email = $1", email);
          if (rows.empty()) return absl::OkStatus();  // same answer whether or not it exists
          std::string user_id = rows[0][0].as<std::string>();
          AppendAudit(tx, "", "user.password_reset_requested", user_id, scope);
          return QueueEmail(tx, "user.password_reset_requested", user_id, email,
                            rows[0][1].as<std::string>(), "reset_password");
        });
  });
}

grpc::Status IamServiceImpl::ResetPassword(Ctx* ctx, const v1::ResetPasswordRequest* req,
                                           v1::ResetPasswordResponse* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    std::vector<st::Violation> v;
    if (req->token().empty()) v.push_back({"token", "is required"});
    for (auto& p : CheckPassword(req->new_password(), "", "new_password")) v.push_back(p);
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    std::string hash = HashPassword(req->new_password(), config_.argon2);
    std::vector<std::string> families;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "UPDATE iam.one_time_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = "
              "'reset_password' AND used_at IS NULL AND expires_at > now() RETURNING user_id::text",
              Bin(TokenHash(req->token())));
          if (rows.empty()) {
            return st::InvalidArgument("LINK_INVALID",
                                       "This reset link is invalid, used or expired.",
                                       {{"token", "invalid, used or expired"}});
          }
          std::string user_id = rows[0][0].as<std::string>();
          auto u = tx.exec_params(
              "UPDATE iam.users SET password_hash = $1, password_changed_at = now(), updated_at = "
              "now(), email_verified_at = coalesce(email_verified_at, now()) WHERE id = $2::uuid "
              "RETURNING email",
              hash, user_id);
          // The link proved control of the mailbox: other reset links die, every session ends.
          tx.exec_params(
              "UPDATE iam.one_time_tokens SET used_at = now() WHERE user_id = $1::uuid AND "
              "purpose = 'reset_password' AND used_at IS NULL",
              user_id);
          families = RevokeSessions(tx, user_id, "password_reset", "");
          nlohmann::json ev = {{"user_id", user_id}, {"email", u[0][0].as<std::string>()}};
          outbox::Enqueue(tx, "iam", "user.password_changed", user_id, ev.dump());
          AppendAudit(tx, user_id, "user.password_reset", user_id, scope);
          resp->set_user_id(user_id);
          return absl::OkStatus();
        });
    if (s.ok()) CutAccess(resp->user_id(), families, true);
    return s;
  });
}

grpc::Status IamServiceImpl::GetMe(Ctx* ctx, const v1::GetMeRequest*, v1::User* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    // The hottest read: one round trip (RLS caller + query in one implicit transaction).
    auto rows = pg::ReadOnce(*pool_, {caller->sub, ""}, [&](pqxx::connection& conn) {
      return "EXECUTE iam_load_user(" + conn.quote(caller->sub) + ")";
    });
    if (!rows.ok()) return rows.status();
    return FillUser(*rows, resp);
  });
}

grpc::Status IamServiceImpl::UpdateMe(Ctx* ctx, const v1::UpdateMeRequest* req, v1::User* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string name;
    if (req->has_full_name()) {
      name = Trim(req->full_name());
      if (name.empty())
        v.push_back({"full_name", "must not be empty"});
      else if (CodePoints(name) > 200)
        v.push_back({"full_name", "must be at most 200 characters"});
      else if (auto why = validate::DisplayNameProblem(name); !why.empty())
        v.push_back({"full_name", why});
    }
    if (req->has_phone() && !req->phone().empty() && !ValidPhone(req->phone()))
      v.push_back({"phone", "must be in E.164 format, e.g. +919812345678"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          tx.exec_params(
              "UPDATE iam.users SET full_name = CASE WHEN $1 THEN $2 ELSE full_name END, "
              "phone = CASE WHEN $3 THEN nullif($4, '') ELSE phone END, updated_at = now() "
              "WHERE id = $5::uuid",
              req->has_full_name(), name, req->has_phone(), req->phone(), caller->sub);
          return LoadUser(tx, caller->sub, resp);
        });
  });
}

grpc::Status IamServiceImpl::ChangePassword(Ctx* ctx, const v1::ChangePasswordRequest* req,
                                            v1::ChangePasswordResponse*) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    if (req->current_password().empty()) v.push_back({"current_password", "is required"});
    std::string current_hash, email;
    auto s = pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT password_hash, email FROM iam.users WHERE id = $1::uuid", caller->sub);
          if (rows.empty()) return st::NotFound("USER_NOT_FOUND", "No such user.");
          current_hash = rows[0][0].as<std::string>();
          email = rows[0][1].as<std::string>();
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    for (auto& p : CheckPassword(req->new_password(), email, "new_password")) v.push_back(p);
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    if (!VerifyPassword(current_hash, req->current_password())) {
      return st::InvalidArgument("CURRENT_PASSWORD_INCORRECT", "The current password is incorrect.",
                                 {{"current_password", "is incorrect"}});
    }
    std::string hash = HashPassword(req->new_password(), config_.argon2);
    std::vector<std::string> families;
    auto saved = pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          tx.exec_params(
              "UPDATE iam.users SET password_hash = $1, password_changed_at = now(), "
              "updated_at = now() WHERE id = $2::uuid",
              hash, caller->sub);
          // Every other session ends; this one (the token's sid) goes on.
          families = RevokeSessions(tx, caller->sub, "password_changed", caller->sid);
          nlohmann::json ev = {{"user_id", caller->sub}, {"email", email}};
          outbox::Enqueue(tx, "iam", "user.password_changed", caller->sub, ev.dump());
          AppendAudit(tx, caller->sub, "user.password_change", caller->sub, scope);
          return absl::OkStatus();
        });
    // A token without a session id cannot be told apart from the others: all end.
    if (saved.ok()) CutAccess(caller->sub, families, caller->sid.empty());
    return saved;
  });
}

grpc::Status IamServiceImpl::GetJwks(Ctx* ctx, const v1::GetJwksRequest*,
                                     v1::GetJwksResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto keys = keys_->Published();
    if (!keys.ok()) return keys.status();
    for (const auto& k : *keys) {
      auto* jwk = resp->add_keys();
      jwk->set_kty("OKP");
      jwk->set_crv("Ed25519");
      jwk->set_x(auth::Base64UrlEncode(k.public_key));
      jwk->set_kid(k.kid);
      jwk->set_alg("EdDSA");
      jwk->set_use("sig");
    }
    return absl::OkStatus();
  });
}

namespace {

absl::Status ValidateGlobalRole(const std::string& role) {
  if (role == "patient" || role == "moderator" || role == "platform_admin") return absl::OkStatus();
  return st::InvalidArgument("VALIDATION_FAILED", "Unknown role.",
                             {{"role", "must be one of patient, moderator, platform_admin"}});
}

}  // namespace

grpc::Status IamServiceImpl::GrantRole(Ctx* ctx, const v1::GrantRoleRequest* req, v1::User* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins can grant roles.");
    }
    if (auto s = ValidateGlobalRole(req->role()); !s.ok()) return s;
    return pg::WithTransaction(
        *pool_, pg::Subject{"", "system"}, [&](pqxx::transaction_base& tx) -> absl::Status {
          auto u = tx.exec_params("SELECT 1 FROM iam.users WHERE id::text = $1", req->user_id());
          if (u.empty()) return st::NotFound("USER_NOT_FOUND", "No such user.");
          tx.exec_params(
              "INSERT INTO iam.user_roles (user_id, role, granted_by) VALUES ($1::uuid, $2, "
              "$3::uuid) ON CONFLICT DO NOTHING",
              req->user_id(), req->role(), caller->sub);
          AppendAudit(tx, caller->sub, "role.grant:" + req->role(), req->user_id(), scope);
          return LoadUser(tx, req->user_id(), resp);
        });
  });
}

grpc::Status IamServiceImpl::RevokeRole(Ctx* ctx, const v1::RevokeRoleRequest* req,
                                        v1::User* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins can revoke roles.");
    }
    if (auto s = ValidateGlobalRole(req->role()); !s.ok()) return s;
    auto s = pg::WithTransaction(
        *pool_, pg::Subject{"", "system"}, [&](pqxx::transaction_base& tx) -> absl::Status {
          auto u = tx.exec_params("SELECT 1 FROM iam.users WHERE id::text = $1", req->user_id());
          if (u.empty()) return st::NotFound("USER_NOT_FOUND", "No such user.");
          if (req->role() == "platform_admin") {
            tx.exec("SELECT pg_advisory_xact_lock(hashtext('healthtech.iam.platform_admins'))");
            auto n = tx.exec("SELECT count(*) FROM iam.user_roles WHERE role = 'platform_admin'");
            auto has = tx.exec_params(
                "SELECT 1 FROM iam.user_roles WHERE role = 'platform_admin' AND "
                "user_id = $1::uuid",
                req->user_id());
            if (!has.empty() && n[0][0].as<int>() <= 1) {
              return st::Conflict("LAST_PLATFORM_ADMIN",
                                  "The platform must keep at least one platform admin.");
            }
          }
          tx.exec_params(
              "DELETE FROM iam.user_roles WHERE user_id = $1::uuid AND role = $2 AND org_id "
              "IS NULL",
              req->user_id(), req->role());
          AppendAudit(tx, caller->sub, "role.revoke:" + req->role(), req->user_id(), scope);
          return LoadUser(tx, req->user_id(), resp);
        });
    // Tokens that still carry the role stop working; the next refresh carries the new roles.
    if (s.ok()) CutAccess(req->user_id(), {}, true);
    return s;
  });
}

grpc::Status IamServiceImpl::RotateSigningKey(Ctx* ctx, const v1::RotateSigningKeyRequest*,
                                              v1::RotateSigningKeyResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins can rotate keys.");
    }
    auto kid = keys_->Rotate();
    if (!kid.ok()) return kid.status();
    resp->set_kid(*kid);
    return absl::OkStatus();
  });
}

grpc::Status IamServiceImpl::LookupUsers(Ctx* ctx, const v1::LookupUsersRequest* req,
                                         v1::LookupUsersResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    if (req->emails_size() + req->user_ids_size() > 500) {
      return st::ValidationFailed({{"emails", "at most 500 lookups per call"}});
    }
    std::vector<std::string> emails, ids;
    for (const auto& e : req->emails()) {
      std::string n;
      if (NormalizeEmail(e, &n)) emails.push_back(n);
    }
    for (const auto& id : req->user_ids()) ids.push_back(id);
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT id::text FROM iam.users WHERE email = ANY($1::text[]) OR id::text = "
              "ANY($2::text[]) "
              "ORDER BY email",
              pg::TextArray(emails), pg::TextArray(ids));
          for (const auto& row : rows) {
            if (auto s = LoadUser(tx, row[0].as<std::string>(), resp->add_users()); !s.ok())
              return s;
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status IamServiceImpl::SetOrgRole(Ctx* ctx, const v1::SetOrgRoleRequest* req,
                                        v1::SetOrgRoleResponse*) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    if (req->role() != "org_admin" && req->role() != "org_staff" && req->role() != "practitioner") {
      return st::ValidationFailed({{"role", "must be org_admin, org_staff or practitioner"}});
    }
    auto s = pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          if (tx.exec_params("SELECT 1 FROM iam.users WHERE id::text = $1", req->user_id())
                  .empty()) {
            return st::NotFound("USER_NOT_FOUND", "No such user.");
          }
          if (req->granted()) {
            tx.exec_params(
                "INSERT INTO iam.user_roles (user_id, role, org_id) VALUES ($1::uuid, $2, "
                "$3::uuid) ON CONFLICT DO NOTHING",
                req->user_id(), req->role(), req->org_id());
          } else {
            tx.exec_params(
                "DELETE FROM iam.user_roles WHERE user_id = $1::uuid AND role = $2 AND "
                "org_id = $3::uuid",
                req->user_id(), req->role(), req->org_id());
          }
          AppendAudit(tx, "",
                      std::string(req->granted() ? "role.grant:" : "role.revoke:") + req->role(),
                      req->user_id() + "@" + req->org_id(), scope);
          return absl::OkStatus();
        });
    if (s.ok() && !req->granted()) CutAccess(req->user_id(), {}, true);
    return s;
  });
}

absl::Status IamServiceImpl::GrantAdminByEmail(const std::string& raw_email) {
  std::string email;
  if (!NormalizeEmail(raw_email, &email)) {
    return st::InvalidArgument("VALIDATION_FAILED", "not a valid email address");
  }
  return pg::WithTransaction(
      *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
        auto rows = tx.exec_params("SELECT id::text FROM iam.users WHERE email = $1", email);
        if (rows.empty()) {
          return st::NotFound("USER_NOT_FOUND", "no account with this email; register it first");
        }
        tx.exec_params(
            "INSERT INTO iam.user_roles (user_id, role) VALUES ($1::uuid, "
            "'platform_admin') ON CONFLICT DO NOTHING",
            rows[0][0].as<std::string>());
        tx.exec_params(
            "INSERT INTO iam.audit_log (actor_id, action, target_id) VALUES (NULL, "
            "'role.grant:platform_admin:cli', $1)",
            rows[0][0].as<std::string>());
        return absl::OkStatus();
      });
}

}  // namespace healthtech::iam
