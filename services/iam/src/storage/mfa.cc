#include "storage/store.h"

namespace healthtech::iam::storage {
namespace {

pqxx::binarystring Bin(const std::string& s) { return pqxx::binarystring(s); }

}  // namespace

void InsertChallenge(Tx& tx, const std::string& token_hash, const std::string& user_id) {
  pg::Exec(tx, "challenges/insert", Bin(token_hash), user_id);
}

std::optional<Challenge> FindChallengeForUpdate(Tx& tx, const std::string& token_hash) {
  auto rows = pg::Exec(tx, "challenges/find_for_update", Bin(token_hash));
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  Challenge c;
  c.user_id = r["user_id"].as<std::string>();
  if (!r["totp_secret_enc"].is_null()) {
    c.totp_secret_enc = pqxx::binarystring(r["totp_secret_enc"]).str();
    c.totp_last_step = r["totp_last_step"].as<int64_t>();
  }
  return c;
}

void CountChallengeAttempt(Tx& tx, const std::string& token_hash) {
  pg::Exec(tx, "challenges/count_attempt", Bin(token_hash));
}

void UseChallenge(Tx& tx, const std::string& token_hash) {
  pg::Exec(tx, "challenges/use", Bin(token_hash));
}

void SetTotpLastStep(Tx& tx, const std::string& user_id, int64_t step) {
  pg::Exec(tx, "totp/set_last_step", step, user_id);
}

std::optional<std::string> EnrollTotp(Tx& tx, const std::string& user_id,
                                      const std::string& pending_enc) {
  auto rows = pg::Exec(tx, "totp/enroll", Bin(pending_enc), user_id);
  if (rows.empty()) return std::nullopt;
  return rows[0]["email"].as<std::string>();
}

std::optional<PendingTotp> PendingTotpForUpdate(Tx& tx, const std::string& user_id) {
  auto rows = pg::Exec(tx, "totp/pending_for_update", user_id);
  if (rows.empty()) return std::nullopt;
  return PendingTotp{pqxx::binarystring(rows[0]["totp_pending_enc"]).str(),
                     rows[0]["email"].as<std::string>()};
}

void ActivateTotp(Tx& tx, const std::string& user_id, const std::string& secret_enc, int64_t step) {
  pg::Exec(tx, "totp/activate", Bin(secret_enc), step, user_id);
}

std::optional<EnabledTotp> EnabledTotpForUpdate(Tx& tx, const std::string& user_id) {
  auto rows = pg::Exec(tx, "totp/enabled_for_update", user_id);
  if (rows.empty()) return std::nullopt;
  return EnabledTotp{pqxx::binarystring(rows[0]["totp_secret_enc"]).str(),
                     rows[0]["totp_last_step"].as<int64_t>()};
}

void DisableTotp(Tx& tx, const std::string& user_id, int64_t step) {
  pg::Exec(tx, "totp/disable", step, user_id);
}

bool UseRecoveryCode(Tx& tx, const std::string& user_id, const std::string& code_hash) {
  return !pg::Exec(tx, "recovery/use", user_id, Bin(code_hash)).empty();
}

void DeleteRecoveryCodes(Tx& tx, const std::string& user_id) {
  pg::Exec(tx, "recovery/delete_all", user_id);
}

void InsertRecoveryCode(Tx& tx, const std::string& user_id, const std::string& code_hash) {
  pg::Exec(tx, "recovery/insert", user_id, Bin(code_hash));
}

}  // namespace healthtech::iam::storage
