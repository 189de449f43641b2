#include <map>

#include "healthtech/pg/text_array.h"
#include "storage/store.h"

namespace healthtech::iam {
// Generated from sql/ at build time: relative path -> statement.
const std::map<std::string, std::string>& Statements();
}  // namespace healthtech::iam

namespace healthtech::iam::storage {
namespace {

User ReadUser(const pqxx::row& r) {
  User u;
  u.id = r["id"].as<std::string>();
  u.email = r["email"].as<std::string>();
  u.full_name = r["full_name"].as<std::string>();
  u.phone = r["phone"].as<std::string>();
  u.email_verified = r["email_verified"].as<bool>();
  u.mfa_enabled = r["mfa_enabled"].as<bool>();
  u.created_at = r["created_at"].as<int64_t>();
  u.date_of_birth = r["date_of_birth"].as<std::string>();
  u.roles = pg::ParseTextArray(r["roles"].as<std::string>());
  return u;
}

std::optional<User> OneUser(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return ReadUser(rows[0]);
}

std::optional<UserRef> OneRef(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return UserRef{rows[0]["id"].as<std::string>(), rows[0]["full_name"].as<std::string>()};
}

}  // namespace

void PrepareStatements(pg::Pool& pool) {
  for (const auto& [path, sql] : Statements()) {
    std::string name = path.substr(0, path.size() - 4);  // "users/load.sql" -> "users/load"
    pool.Prepare(name, sql);
  }
}

std::optional<User> LoadUser(Tx& tx, const std::string& user_id) {
  return OneUser(pg::Exec(tx, "users/load", user_id));
}

absl::StatusOr<std::optional<User>> LoadUserOnce(pg::Pool& pool, const pg::Subject& subject,
                                                 const std::string& user_id) {
  auto rows = pg::ReadOnce(pool, subject, [&](pqxx::connection& conn) {
    return "EXECUTE " + conn.quote_name("users/load") + "(" + conn.quote(user_id) + ")";
  });
  if (!rows.ok()) return rows.status();
  return OneUser(*rows);
}

std::optional<std::string> InsertUser(Tx& tx, const std::string& email, const std::string& hash,
                                      const std::string& full_name, const std::string& phone) {
  auto rows = pg::Exec(tx, "users/insert", email, hash, full_name, phone);
  if (rows.empty()) return std::nullopt;
  return rows[0]["id"].as<std::string>();
}

void MarkEmailVerified(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "users/mark_email_verified", user_id);
}

std::optional<UserRef> FindUnverifiedByEmail(Tx& tx, const std::string& email) {
  return OneRef(pg::Exec(tx, "users/find_unverified_by_email", email));
}

std::optional<UserRef> FindByEmail(Tx& tx, const std::string& email) {
  return OneRef(pg::Exec(tx, "users/find_by_email", email));
}

std::optional<std::string> IdByEmail(Tx& tx, const std::string& email) {
  auto rows = pg::Exec(tx, "users/id_by_email", email);
  if (rows.empty()) return std::nullopt;
  return rows[0]["id"].as<std::string>();
}

std::optional<LoginAccount> FindForLogin(Tx& tx, const std::string& email) {
  auto rows = pg::Exec(tx, "users/find_for_login", email);
  if (rows.empty()) return std::nullopt;
  LoginAccount a;
  a.id = rows[0]["id"].as<std::string>();
  a.password_hash = rows[0]["password_hash"].as<std::string>();
  a.verified = rows[0]["verified"].as<bool>();
  a.mfa = rows[0]["mfa"].as<bool>();
  return a;
}

void Rehash(Tx& tx, const std::string& user_id, const std::string& hash) {
  pg::Exec(tx, "users/rehash", hash, user_id);
}

std::string ResetPassword(Tx& tx, const std::string& user_id, const std::string& hash) {
  return pg::Exec(tx, "users/reset_password", hash, user_id)[0]["email"].as<std::string>();
}

void UpdateProfile(Tx& tx, const std::string& user_id, bool set_name, const std::string& name,
                   bool set_phone, const std::string& phone, bool set_birth,
                   const std::string& date_of_birth) {
  pg::Exec(tx, "users/update_profile", set_name, name, set_phone, phone, user_id, set_birth,
           date_of_birth);
}

std::optional<Credentials> PasswordOf(Tx& tx, const std::string& user_id) {
  auto rows = pg::Exec(tx, "users/password_of", user_id);
  if (rows.empty()) return std::nullopt;
  return Credentials{rows[0]["password_hash"].as<std::string>(),
                     rows[0]["email"].as<std::string>()};
}

void SetPassword(Tx& tx, const std::string& user_id, const std::string& hash) {
  pg::Exec(tx, "users/set_password", hash, user_id);
}

bool UserExists(Tx& tx, const std::string& user_id) {
  return !pg::Exec(tx, "users/exists", user_id).empty();
}

AbhaAccount UpsertAbhaAccount(Tx& tx, const std::string& abha_address,
                              const std::string& full_name) {
  auto rows = pg::Exec(tx, "users/upsert_abha", abha_address, full_name);
  return {rows[0]["id"].as<std::string>(), rows[0]["created"].as<bool>()};
}

std::vector<std::string> Lookup(Tx& tx, const std::vector<std::string>& emails,
                                const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  for (const auto& row : pg::Exec(tx, "users/lookup", pg::TextArray(emails), pg::TextArray(ids)))
    out.push_back(row["id"].as<std::string>());
  return out;
}

void AppendAudit(Tx& tx, const std::string& actor, const std::string& action,
                 const std::string& target, const std::string& client_ip,
                 const std::string& request_id) {
  pg::Exec(tx, "audit/append", actor, action, target, client_ip, request_id);
}

void AuditCliGrantAdmin(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "audit/cli_grant_admin", user_id);
}

void GrantPatient(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "roles/grant_patient", user_id);
}

void GrantRole(Tx& tx, const std::string& user_id, const std::string& role,
               const std::string& granted_by) {
  pg::Exec(tx, "roles/grant", user_id, role, granted_by);
}

void LockPlatformAdmins(Tx& tx) { pg::Exec(tx, "roles/lock_platform_admins"); }

int CountPlatformAdmins(Tx& tx) {
  return pg::Exec(tx, "roles/count_platform_admins")[0]["admins"].as<int>();
}

bool IsPlatformAdmin(Tx& tx, const std::string& user_id) {
  return !pg::Exec(tx, "roles/is_platform_admin", user_id).empty();
}

void RevokeRole(Tx& tx, const std::string& user_id, const std::string& role) {
  pg::Exec(tx, "roles/revoke", user_id, role);
}

void GrantOrgRole(Tx& tx, const std::string& user_id, const std::string& role,
                  const std::string& org_id) {
  pg::Exec(tx, "roles/grant_org", user_id, role, org_id);
}

void RevokeOrgRole(Tx& tx, const std::string& user_id, const std::string& role,
                   const std::string& org_id) {
  pg::Exec(tx, "roles/revoke_org", user_id, role, org_id);
}

void GrantPlatformAdmin(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "roles/grant_platform_admin", user_id);
}

}  // namespace healthtech::iam::storage
