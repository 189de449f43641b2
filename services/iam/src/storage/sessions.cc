#include "healthtech/pg/text_array.h"
#include "storage/store.h"

namespace healthtech::iam::storage {
namespace {

pqxx::binarystring Bin(const std::string& s) { return pqxx::binarystring(s); }

std::optional<std::string> UserOf(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return rows[0]["user_id"].as<std::string>();
}

}  // namespace

std::string InsertOneTimeToken(Tx& tx, const std::string& token_hash, const std::string& user_id,
                               const std::string& purpose, int ttl_seconds) {
  auto rows = pg::Exec(tx, "tokens/insert", Bin(token_hash), user_id, purpose, ttl_seconds);
  return rows[0]["expires_at"].as<std::string>();
}

std::optional<std::string> UseVerifyEmailToken(Tx& tx, const std::string& token_hash) {
  return UserOf(pg::Exec(tx, "tokens/use_verify_email", Bin(token_hash)));
}

std::optional<std::string> UseResetPasswordToken(Tx& tx, const std::string& token_hash) {
  return UserOf(pg::Exec(tx, "tokens/use_reset_password", Bin(token_hash)));
}

void EndResetLinks(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "tokens/end_reset_links", user_id);
}

std::vector<RevokedSession> RevokeOtherSessions(Tx& tx, const std::string& user_id,
                                                const std::string& reason,
                                                const std::string& keep_family,
                                                int recent_seconds) {
  std::vector<RevokedSession> out;
  for (const auto& r :
       pg::Exec(tx, "sessions/revoke_others", user_id, reason, keep_family, recent_seconds)) {
    RevokedSession s;
    s.family_id = r["family_id"].as<std::string>();
    s.recent = r["recent"].as<bool>();
    out.push_back(std::move(s));
  }
  return out;
}

void InsertRefreshToken(Tx& tx, const std::string& family_id, const std::string& parent_id,
                        const std::string& user_id, const std::string& token_hash,
                        const std::vector<std::string>& amr, const std::string& aal, int ttl_days) {
  pg::Exec(tx, "sessions/insert", family_id, parent_id, user_id, Bin(token_hash),
           pg::TextArray(amr), aal, ttl_days);
}

std::optional<RefreshToken> FindForRefresh(Tx& tx, const std::string& token_hash) {
  auto rows = pg::Exec(tx, "sessions/find_for_refresh", Bin(token_hash));
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  RefreshToken t;
  t.id = r["id"].as<std::string>();
  t.family_id = r["family_id"].as<std::string>();
  t.user_id = r["user_id"].as<std::string>();
  t.amr = pg::ParseTextArray(r["amr"].as<std::string>());
  t.rotated = r["rotated"].as<bool>();
  t.revoked = r["revoked"].as<bool>();
  t.expired = r["expired"].as<bool>();
  return t;
}

void RevokeReusedFamily(Tx& tx, const std::string& family_id) {
  pg::Exec(tx, "sessions/revoke_reused_family", family_id);
}

void Rotate(Tx& tx, const std::string& id) { pg::Exec(tx, "sessions/rotate", id); }

std::optional<LoggedOut> Logout(Tx& tx, const std::string& token_hash) {
  auto rows = pg::Exec(tx, "sessions/logout", Bin(token_hash));
  if (rows.empty()) return std::nullopt;
  return LoggedOut{rows[0]["user_id"].as<std::string>(), rows[0]["family_id"].as<std::string>()};
}

int CountActiveSessions(Tx& tx, const std::string& user_id) {
  return pg::Exec(tx, "sessions/count_active", user_id)[0]["sessions"].as<int>();
}

DeviceSeen UpsertDevice(Tx& tx, const std::string& user_id, const std::string& fingerprint,
                        const std::string& user_agent, const std::string& ip) {
  auto rows = pg::Exec(tx, "devices/upsert", user_id, Bin(fingerprint), user_agent, ip);
  DeviceSeen d;
  d.is_new = rows[0]["is_new"].as<bool>();
  d.signed_in_at = rows[0]["signed_in_at"].as<std::string>();
  return d;
}

int CountDevices(Tx& tx, const std::string& user_id) {
  return pg::Exec(tx, "devices/count", user_id)[0]["known"].as<int>();
}

void ForgetOldestDevices(Tx& tx, const std::string& user_id, int how_many) {
  pg::Exec(tx, "devices/forget_oldest", user_id, how_many);
}

}  // namespace healthtech::iam::storage
