#include "storage/store.h"

namespace healthtech::iam::storage {

void InsertSigningKey(Tx& tx, const std::string& kid, const std::string& public_key,
                      const std::string& private_key_enc) {
  pg::Exec(tx, "keys/insert", kid, pqxx::binarystring(public_key),
           pqxx::binarystring(private_key_enc));
}

std::optional<ActiveKey> ActiveSigningKey(Tx& tx) {
  auto rows = pg::Exec(tx, "keys/active");
  if (rows.empty()) return std::nullopt;
  return ActiveKey{rows[0]["kid"].as<std::string>(),
                   pqxx::binarystring(rows[0]["private_key_enc"]).str()};
}

void LockSigningKeys(Tx& tx) { pg::Exec(tx, "keys/lock"); }

bool AnyActiveSigningKey(Tx& tx) { return !pg::Exec(tx, "keys/any_active").empty(); }

void RetireSigningKeys(Tx& tx) { pg::Exec(tx, "keys/retire_all"); }

std::vector<PublicKey> PublishedSigningKeys(Tx& tx) {
  std::vector<PublicKey> out;
  for (const auto& row : pg::Exec(tx, "keys/published"))
    out.push_back({row["kid"].as<std::string>(), pqxx::binarystring(row["public_key"]).str()});
  return out;
}

}  // namespace healthtech::iam::storage
