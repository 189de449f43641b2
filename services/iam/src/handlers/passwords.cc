// Passwords: ForgotPassword (mails a reset link), ResetPassword (every session ends) and
// ChangePassword (every other session ends).
#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "healthtech/iam/domain/crypto.h"
#include "healthtech/iam/domain/validation.h"
#include "healthtech/outbox/relay.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::AppendAudit;
namespace st = status;

grpc::Status IamServiceImpl::ForgotPassword(Ctx* ctx, const v1::ForgotPasswordRequest* req,
                                            v1::ForgotPasswordResponse*) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    std::string email;
    if (!NormalizeEmail(req->email(), &email)) {
      return st::ValidationFailed({{"email", "must be a valid email address"}});
    }
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) -> absl::Status {
          auto user = storage::FindByEmail(tx, email);
          if (!user) return absl::OkStatus();  // same answer whether or not it exists
          AppendAudit(tx, "", "user.password_reset_requested", user->id, scope);
          return QueueEmail(tx, "user.password_reset_requested", user->id, email, user->full_name,
                            "reset_password");
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
          auto user_id = storage::UseResetPasswordToken(tx, TokenHash(req->token()));
          if (!user_id) {
            return st::InvalidArgument("LINK_INVALID",
                                       "This reset link is invalid, used or expired.",
                                       {{"token", "invalid, used or expired"}});
          }
          std::string email = storage::ResetPassword(tx, *user_id, hash);
          // The link proved control of the mailbox: other reset links die, every session ends.
          storage::EndResetLinks(tx, *user_id);
          families = RevokeSessions(tx, *user_id, "password_reset", "");
          nlohmann::json ev = {{"user_id", *user_id}, {"email", email}};
          outbox::Enqueue(tx, "iam", "user.password_changed", *user_id, ev.dump());
          AppendAudit(tx, *user_id, "user.password_reset", *user_id, scope);
          resp->set_user_id(*user_id);
          return absl::OkStatus();
        });
    if (s.ok()) CutAccess(resp->user_id(), families, true);
    return s;
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
    auto s = pg::WithTransaction(*pool_, {caller->sub, ""},
                                 [&](pqxx::transaction_base& tx) -> absl::Status {
                                   auto creds = storage::PasswordOf(tx, caller->sub);
                                   if (!creds) return handlers::UserNotFound();
                                   current_hash = creds->password_hash;
                                   email = creds->email;
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
          storage::SetPassword(tx, caller->sub, hash);
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

}  // namespace healthtech::iam
