#pragma once
// The only code of iam-service that runs SQL. Every statement is a file of sql/, embedded at
// build time and prepared by name on each connection; results come back as structs with
// named fields, read from columns by name. Errors of the driver propagate to the caller's
// pg::WithTransaction, which turns them into a status (as before the split).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/statusor.h>
#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"

namespace healthtech::iam::storage {

using Tx = pqxx::transaction_base;

// Registers every statement of sql/ with `pool` (call before the first transaction).
void PrepareStatements(pg::Pool& pool);

// ------------------------------------------------------------------ users (users.cc)

// A user with every role ("org_admin:<org>" for org-scoped roles).
struct User {
  std::string id, email, full_name, phone;
  std::string date_of_birth;  // "YYYY-MM-DD" or ""
  bool email_verified = false, mfa_enabled = false;
  int64_t created_at = 0;
  std::vector<std::string> roles;
};
std::optional<User> LoadUser(Tx& tx, const std::string& user_id);
// The same read in one round trip (RLS subject + statement in one implicit transaction).
absl::StatusOr<std::optional<User>> LoadUserOnce(pg::Pool& pool, const pg::Subject& subject,
                                                 const std::string& user_id);

// The new user's id, or nullopt when the email is taken.
std::optional<std::string> InsertUser(Tx& tx, const std::string& email, const std::string& hash,
                                      const std::string& full_name, const std::string& phone);
void MarkEmailVerified(Tx& tx, const std::string& user_id);

struct UserRef {
  std::string id, full_name;
};
std::optional<UserRef> FindUnverifiedByEmail(Tx& tx, const std::string& email);
std::optional<UserRef> FindByEmail(Tx& tx, const std::string& email);
std::optional<std::string> IdByEmail(Tx& tx, const std::string& email);

struct LoginAccount {
  std::string id, password_hash;
  bool verified = false, mfa = false;
};
std::optional<LoginAccount> FindForLogin(Tx& tx, const std::string& email);
void Rehash(Tx& tx, const std::string& user_id, const std::string& hash);
// Sets the password after a reset (and marks the email verified); returns the email.
std::string ResetPassword(Tx& tx, const std::string& user_id, const std::string& hash);
void UpdateProfile(Tx& tx, const std::string& user_id, bool set_name, const std::string& name,
                   bool set_phone, const std::string& phone, bool set_birth,
                   const std::string& date_of_birth);

struct Credentials {
  std::string password_hash, email;
};
std::optional<Credentials> PasswordOf(Tx& tx, const std::string& user_id);
void SetPassword(Tx& tx, const std::string& user_id, const std::string& hash);
bool UserExists(Tx& tx, const std::string& user_id);
// The account of an ABHA address (lower case, checked), created without email or password
// when there is none; `created` tells which.
struct AbhaAccount {
  std::string id;
  bool created = false;
};
AbhaAccount UpsertAbhaAccount(Tx& tx, const std::string& abha_address,
                              const std::string& full_name);
// Ids of the users with these emails or ids, by email.
std::vector<std::string> Lookup(Tx& tx, const std::vector<std::string>& emails,
                                const std::vector<std::string>& ids);

void AppendAudit(Tx& tx, const std::string& actor, const std::string& action,
                 const std::string& target, const std::string& client_ip,
                 const std::string& request_id);
void AuditCliGrantAdmin(Tx& tx, const std::string& user_id);

// ------------------------------------------------------------------ roles (users.cc)

void GrantPatient(Tx& tx, const std::string& user_id);
void GrantRole(Tx& tx, const std::string& user_id, const std::string& role,
               const std::string& granted_by);
void LockPlatformAdmins(Tx& tx);
int CountPlatformAdmins(Tx& tx);
bool IsPlatformAdmin(Tx& tx, const std::string& user_id);
void RevokeRole(Tx& tx, const std::string& user_id, const std::string& role);
void GrantOrgRole(Tx& tx, const std::string& user_id, const std::string& role,
                  const std::string& org_id);
void RevokeOrgRole(Tx& tx, const std::string& user_id, const std::string& role,
                   const std::string& org_id);
void GrantPlatformAdmin(Tx& tx, const std::string& user_id);

// ------------------------------------------------------------------ one-time tokens, sessions,
// devices (sessions.cc)

// Stores a link token's hash; returns its expiry as "YYYY-MM-DDTHH:MM:SSZ".
std::string InsertOneTimeToken(Tx& tx, const std::string& token_hash, const std::string& user_id,
                               const std::string& purpose, int ttl_seconds);
// Uses an unused, unexpired link token; returns its user.
std::optional<std::string> UseVerifyEmailToken(Tx& tx, const std::string& token_hash);
std::optional<std::string> UseResetPasswordToken(Tx& tx, const std::string& token_hash);
void EndResetLinks(Tx& tx, const std::string& user_id);

struct RevokedSession {
  std::string family_id;
  bool recent = false;  // created within `recent_seconds`: may have live access tokens
};
std::vector<RevokedSession> RevokeOtherSessions(Tx& tx, const std::string& user_id,
                                                const std::string& reason,
                                                const std::string& keep_family, int recent_seconds);
void InsertRefreshToken(Tx& tx, const std::string& family_id, const std::string& parent_id,
                        const std::string& user_id, const std::string& token_hash,
                        const std::vector<std::string>& amr, const std::string& aal, int ttl_days);
struct RefreshToken {
  std::string id, family_id, user_id;
  std::vector<std::string> amr;
  bool rotated = false, revoked = false, expired = false;
};
std::optional<RefreshToken> FindForRefresh(Tx& tx, const std::string& token_hash);
void RevokeReusedFamily(Tx& tx, const std::string& family_id);
void Rotate(Tx& tx, const std::string& id);
struct LoggedOut {
  std::string user_id, family_id;
};
std::optional<LoggedOut> Logout(Tx& tx, const std::string& token_hash);
int CountActiveSessions(Tx& tx, const std::string& user_id);

struct DeviceSeen {
  bool is_new = false;
  std::string signed_in_at;  // "YYYY-MM-DDTHH:MM:SSZ"
};
DeviceSeen UpsertDevice(Tx& tx, const std::string& user_id, const std::string& fingerprint,
                        const std::string& user_agent, const std::string& ip);
int CountDevices(Tx& tx, const std::string& user_id);
void ForgetOldestDevices(Tx& tx, const std::string& user_id, int how_many);

// ------------------------------------------------------------------ MFA (mfa.cc)

void InsertChallenge(Tx& tx, const std::string& token_hash, const std::string& user_id);
struct Challenge {
  std::string user_id;
  std::optional<std::string> totp_secret_enc;  // nullopt: TOTP is off
  int64_t totp_last_step = 0;
};
// A live challenge (unused, unexpired, tries left) and its user, both locked.
std::optional<Challenge> FindChallengeForUpdate(Tx& tx, const std::string& token_hash);
void CountChallengeAttempt(Tx& tx, const std::string& token_hash);
void UseChallenge(Tx& tx, const std::string& token_hash);

void SetTotpLastStep(Tx& tx, const std::string& user_id, int64_t step);
// Stores a pending secret unless TOTP is on; returns the email, or nullopt when it is on.
std::optional<std::string> EnrollTotp(Tx& tx, const std::string& user_id,
                                      const std::string& pending_enc);
struct PendingTotp {
  std::string pending_enc, email;
};
std::optional<PendingTotp> PendingTotpForUpdate(Tx& tx, const std::string& user_id);
void ActivateTotp(Tx& tx, const std::string& user_id, const std::string& secret_enc, int64_t step);
struct EnabledTotp {
  std::string secret_enc;
  int64_t last_step = 0;
};
std::optional<EnabledTotp> EnabledTotpForUpdate(Tx& tx, const std::string& user_id);
void DisableTotp(Tx& tx, const std::string& user_id, int64_t step);

bool UseRecoveryCode(Tx& tx, const std::string& user_id, const std::string& code_hash);
void DeleteRecoveryCodes(Tx& tx, const std::string& user_id);
void InsertRecoveryCode(Tx& tx, const std::string& user_id, const std::string& code_hash);

// ------------------------------------------------------------------ signing keys (keys.cc)

void InsertSigningKey(Tx& tx, const std::string& kid, const std::string& public_key,
                      const std::string& private_key_enc);
struct ActiveKey {
  std::string kid, private_key_enc;
};
std::optional<ActiveKey> ActiveSigningKey(Tx& tx);
// Serialises key creation and rotation across replicas (transaction-scoped).
void LockSigningKeys(Tx& tx);
bool AnyActiveSigningKey(Tx& tx);
void RetireSigningKeys(Tx& tx);
struct PublicKey {
  std::string kid, public_key;
};
std::vector<PublicKey> PublishedSigningKeys(Tx& tx);

}  // namespace healthtech::iam::storage
