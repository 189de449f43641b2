// Registration and email verification: Register, VerifyEmail, ResendVerification, and the
// one-time links (verification, password reset) they and handlers/passwords.cc mail.
#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "healthtech/iam/domain/crypto.h"
#include "healthtech/iam/domain/session.h"
#include "healthtech/iam/domain/validation.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::AppendAudit;
namespace st = status;

absl::Status IamServiceImpl::QueueEmail(pqxx::transaction_base& tx, const std::string& event_type,
                                        const std::string& user_id, const std::string& email,
                                        const std::string& full_name, const std::string& purpose) {
  std::string token = RandomToken();
  bool verify = purpose == "verify_email";
  int ttl_seconds = OneTimeTokenTtlSeconds(purpose);
  std::string expires_at =
      storage::InsertOneTimeToken(tx, TokenHash(token), user_id, purpose, ttl_seconds);
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
          auto id = storage::InsertUser(tx, email, hash, name, req->phone());
          if (!id) {
            taken = true;
            return absl::OkStatus();
          }
          user_id = *id;
          storage::GrantPatient(tx, user_id);
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
          auto user_id = storage::UseVerifyEmailToken(tx, TokenHash(req->token()));
          if (!user_id) {
            return st::InvalidArgument("LINK_INVALID",
                                       "This verification link is invalid, used or expired.",
                                       {{"token", "invalid, used or expired"}});
          }
          storage::MarkEmailVerified(tx, *user_id);
          AppendAudit(tx, *user_id, "user.verify_email", *user_id, scope);
          resp->set_user_id(*user_id);
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
          auto user = storage::FindUnverifiedByEmail(tx, email);
          if (!user) return absl::OkStatus();  // never reveal whether the email exists
          return QueueEmail(tx, "user.email_verification_requested", user->id, email,
                            user->full_name, "verify_email");
        });
  });
}

}  // namespace healthtech::iam
