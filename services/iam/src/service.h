#pragma once
#include <memory>

#include "config.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "key_store.h"

namespace healthtech::grpc_server {
class RpcScope;
}  // namespace healthtech::grpc_server

namespace healthtech::iam {

// iam-service's gRPC class: the constructor, the caller, and the helpers the flows share.
// Each group of RPCs lives in handlers/ (registration, login, mfa, passwords, users,
// roles, keys); the rules they apply are in domain/, the SQL they run in storage/ and sql/.
// Each RPC validates input, runs one transaction, and maps errors with status::ToGrpc;
// no exception leaves a handler.
class IamServiceImpl final : public v1::IamService::Service {
 public:
  IamServiceImpl(const Config& config, pg::Pool* pool, redis::Client* redis, KeyStore* keys);

  using Ctx = grpc::ServerContext;
  // handlers/registration.cc
  grpc::Status Register(Ctx*, const v1::RegisterRequest*, v1::RegisterResponse*) override;
  grpc::Status VerifyEmail(Ctx*, const v1::VerifyEmailRequest*, v1::VerifyEmailResponse*) override;
  grpc::Status ResendVerification(Ctx*, const v1::ResendVerificationRequest*,
                                  v1::ResendVerificationResponse*) override;
  // handlers/login.cc
  grpc::Status Login(Ctx*, const v1::LoginRequest*, v1::LoginResponse*) override;
  // handlers/mfa.cc
  grpc::Status VerifyMfa(Ctx*, const v1::VerifyMfaRequest*, v1::LoginResponse*) override;
  grpc::Status EnrollTotp(Ctx*, const v1::EnrollTotpRequest*, v1::EnrollTotpResponse*) override;
  grpc::Status ActivateTotp(Ctx*, const v1::ActivateTotpRequest*,
                            v1::ActivateTotpResponse*) override;
  grpc::Status DisableTotp(Ctx*, const v1::DisableTotpRequest*, v1::DisableTotpResponse*) override;
  // handlers/login.cc
  grpc::Status Refresh(Ctx*, const v1::RefreshRequest*, v1::LoginResponse*) override;
  grpc::Status Logout(Ctx*, const v1::LogoutRequest*, v1::LogoutResponse*) override;
  grpc::Status LogoutAll(Ctx*, const v1::LogoutAllRequest*, v1::LogoutResponse*) override;
  // handlers/passwords.cc
  grpc::Status ForgotPassword(Ctx*, const v1::ForgotPasswordRequest*,
                              v1::ForgotPasswordResponse*) override;
  grpc::Status ResetPassword(Ctx*, const v1::ResetPasswordRequest*,
                             v1::ResetPasswordResponse*) override;
  // handlers/users.cc
  grpc::Status GetMe(Ctx*, const v1::GetMeRequest*, v1::User*) override;
  grpc::Status UpdateMe(Ctx*, const v1::UpdateMeRequest*, v1::User*) override;
  // handlers/passwords.cc
  grpc::Status ChangePassword(Ctx*, const v1::ChangePasswordRequest*,
                              v1::ChangePasswordResponse*) override;
  // handlers/keys.cc
  grpc::Status GetJwks(Ctx*, const v1::GetJwksRequest*, v1::GetJwksResponse*) override;
  // handlers/roles.cc
  grpc::Status GrantRole(Ctx*, const v1::GrantRoleRequest*, v1::User*) override;
  grpc::Status RevokeRole(Ctx*, const v1::RevokeRoleRequest*, v1::User*) override;
  // handlers/keys.cc
  grpc::Status RotateSigningKey(Ctx*, const v1::RotateSigningKeyRequest*,
                                v1::RotateSigningKeyResponse*) override;
  // handlers/users.cc
  grpc::Status LookupUsers(Ctx*, const v1::LookupUsersRequest*, v1::LookupUsersResponse*) override;
  // handlers/roles.cc
  grpc::Status SetOrgRole(Ctx*, const v1::SetOrgRoleRequest*, v1::SetOrgRoleResponse*) override;
  grpc::Status ResolveAbhaPatient(Ctx*, const v1::ResolveAbhaPatientRequest*,
                                  v1::ResolveAbhaPatientResponse*) override;

  // Grants platform_admin (handlers/roles.cc) to the account with this email (CLI bootstrap of the
  // first admin).
  absl::Status GrantAdminByEmail(const std::string& email);

 private:
  // handlers/login.cc: tokens, sessions, sign-in bookkeeping.
  absl::Status IssueTokens(pqxx::transaction_base& tx, const std::string& user_id,
                           const std::vector<std::string>& amr, const std::string& family_id,
                           const std::string& parent_id, v1::LoginResponse* out);
  // handlers/registration.cc: a one-time link and the event that mails it.
  absl::Status QueueEmail(pqxx::transaction_base& tx, const std::string& event_type,
                          const std::string& user_id, const std::string& email,
                          const std::string& full_name, const std::string& purpose);
  // Remembers the device a sign-in came from and, when the account has signed in before
  // but never from it, tells the owner (user.new_sign_in).
  absl::Status NoteSignIn(pqxx::transaction_base& tx, const std::string& user_id,
                          const grpc::ServerContext& ctx, const grpc_server::RpcScope& scope);
  // Ends every session of the user but `keep` (refresh tokens revoked with `reason`) and
  // returns the ended sessions' ids.
  std::vector<std::string> RevokeSessions(pqxx::transaction_base& tx, const std::string& user_id,
                                          const std::string& reason, const std::string& keep);
  // Cuts the access tokens of these sessions of the user, and with `everything_before`
  // every token of the user issued until now, before they expire (auth/revocation.h), and
  // tells open WebSocket sessions. Best effort, after the commit that ended the sessions:
  // their refresh tokens, in PostgreSQL, are what must not fail.
  void CutAccess(const std::string& user_id, const std::vector<std::string>& sessions,
                 bool everything_before);
  // "Now" for a new token's iat: never before the user's revoked_before mark, so a token
  // issued just after a cut (in the same second) is not cut too.
  int64_t IssuedAt(const std::string& user_id);
  absl::StatusOr<auth::Claims> Caller(const grpc::ServerContext& ctx);
  // OK when the call carries the internal service token (service-to-service RPCs).
  absl::Status CheckInternal(const grpc::ServerContext& ctx);
  absl::Status CheckLoginThrottle(const std::string& email, const std::string& ip);
  void RecordLoginFailure(const std::string& email, const std::string& ip);
  // handlers/users.cc
  absl::Status LoadUser(pqxx::transaction_base& tx, const std::string& user_id, v1::User* out);

  const Config& config_;
  pg::Pool* pool_;
  redis::Client* redis_;
  KeyStore* keys_;
  auth::Authenticator authn_;
  std::string dummy_hash_;
};

}  // namespace healthtech::iam
