// Two-factor authentication: the second step of a sign-in (VerifyMfa, with a TOTP code or
// a recovery code), and TOTP enrolment, activation (recovery codes) and removal.
#include <nlohmann/json.hpp>

#include "handlers/common.h"
#include "healthtech/iam/domain/crypto.h"
#include "healthtech/iam/domain/session.h"
#include "healthtech/outbox/relay.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::AppendAudit;
using handlers::NowSeconds;
namespace st = status;

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
          auto ch = storage::FindChallengeForUpdate(tx, TokenHash(req->mfa_token()));
          if (!ch || !ch->totp_secret_enc) {
            challenge_over = true;  // used, expired, out of attempts, or never issued
            return absl::OkStatus();
          }
          const std::string& user_id = ch->user_id;
          bool ok = false;
          if (!req->code().empty()) {
            auto secret = Decrypt(*ch->totp_secret_enc, config_.key_encryption_key);
            if (!secret) return st::Internal("cannot decrypt TOTP secret");
            auto step = MatchTotp(*secret, req->code(), NowSeconds());
            if (step && TotpStepFresh(*step, ch->totp_last_step)) {
              storage::SetTotpLastStep(tx, user_id, *step);
              ok = true;
            }
          } else {
            ok = storage::UseRecoveryCode(tx, user_id,
                                          TokenHash(NormalizeRecoveryCode(req->recovery_code())));
          }
          if (!ok) {
            storage::CountChallengeAttempt(tx, TokenHash(req->mfa_token()));
            failed = true;
            return absl::OkStatus();  // commit the attempt count
          }
          storage::UseChallenge(tx, TokenHash(req->mfa_token()));
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
          auto email =
              storage::EnrollTotp(tx, caller->sub, Encrypt(secret, config_.key_encryption_key));
          if (!email) {
            return st::Conflict("MFA_ALREADY_ENABLED", "Two-factor authentication is already on.");
          }
          std::string b32 = Base32Encode(secret);
          resp->set_secret(b32);
          resp->set_otpauth_uri("otpauth://totp/HealthTech:" + *email + "?secret=" + b32 +
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
          auto pending = storage::PendingTotpForUpdate(tx, caller->sub);
          if (!pending) {
            return st::Conflict("MFA_NOT_ENROLLING", "Start TOTP enrolment first.");
          }
          const std::string& enc = pending->pending_enc;
          auto secret = Decrypt(enc, config_.key_encryption_key);
          if (!secret) return st::Internal("cannot decrypt TOTP secret");
          auto step = MatchTotp(*secret, req->code(), NowSeconds());
          if (!step) {
            return st::InvalidArgument("MFA_CODE_INVALID", "The code is wrong or expired.");
          }
          storage::ActivateTotp(tx, caller->sub, enc, *step);
          storage::DeleteRecoveryCodes(tx, caller->sub);
          for (int i = 0; i < 10; ++i) {
            std::string code = NewRecoveryCode();
            storage::InsertRecoveryCode(tx, caller->sub, TokenHash(code));
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
          auto totp = storage::EnabledTotpForUpdate(tx, caller->sub);
          if (!totp) {
            return st::Conflict("MFA_NOT_ENABLED", "Two-factor authentication is off.");
          }
          auto secret = Decrypt(totp->secret_enc, config_.key_encryption_key);
          if (!secret) return st::Internal("cannot decrypt TOTP secret");
          auto step = MatchTotp(*secret, req->code(), NowSeconds());
          if (!step || !TotpStepFresh(*step, totp->last_step)) {
            return st::InvalidArgument("MFA_CODE_INVALID",
                                       "The code is wrong, expired or already used.");
          }
          storage::DisableTotp(tx, caller->sub, *step);
          storage::DeleteRecoveryCodes(tx, caller->sub);
          nlohmann::json ev = {{"user_id", caller->sub}, {"enabled", false}};
          outbox::Enqueue(tx, "iam", "user.mfa_changed", caller->sub, ev.dump());
          AppendAudit(tx, caller->sub, "user.mfa_disable", caller->sub, scope);
          resp->set_mfa_enabled(false);
          return absl::OkStatus();
        });
  });
}

}  // namespace healthtech::iam
