#include "key_store.h"

#include <sodium.h>

#include "healthtech/iam/domain/crypto.h"
#include "healthtech/status/status.h"

namespace healthtech::iam {

KeyStore::KeyStore(pg::Pool* pool, std::string kek) : pool_(pool), kek_(std::move(kek)) {}

namespace {

absl::Status InsertKey(pqxx::transaction_base& tx, const std::string& kek, std::string* kid_out) {
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
  std::string secret(reinterpret_cast<char*>(sk), sizeof sk);
  sodium_memzero(sk, sizeof sk);
  std::string kid = NewUuid().substr(0, 8) + "-" + std::to_string(std::time(nullptr));
  std::string enc = Encrypt(secret, kek);
  tx.exec_params(
      "INSERT INTO iam.signing_keys (kid, alg, public_key, private_key_enc) VALUES ($1, 'EdDSA', "
      "$2, $3)",
      kid, pqxx::binarystring(pk, sizeof pk), pqxx::binarystring(enc));
  *kid_out = kid;
  return absl::OkStatus();
}

}  // namespace

absl::Status KeyStore::Load() {
  std::string kid, enc;
  bool found = false;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    auto rows = tx.exec(
        "SELECT kid, private_key_enc FROM iam.signing_keys WHERE retired_at IS NULL "
        "ORDER BY created_at DESC LIMIT 1");
    if (rows.empty()) return absl::OkStatus();
    found = true;
    kid = rows[0][0].as<std::string>();
    enc = pqxx::binarystring(rows[0][1]).str();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!found) return status::NotFound("NO_SIGNING_KEY", "no active signing key");
  auto secret = Decrypt(enc, kek_);
  if (!secret) {
    return status::Internal("cannot decrypt signing key: wrong IAM_KEY_ENCRYPTION_KEY?");
  }
  std::lock_guard lock(mu_);
  kid_ = kid;
  secret_ = *secret;
  loaded_at_ = std::chrono::steady_clock::now();
  return absl::OkStatus();
}

absl::Status KeyStore::Init() {
  absl::Status s = Load();
  if (s.code() != absl::StatusCode::kNotFound) return s;
  s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    // Serialize first-key creation across replicas.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('healthtech.iam.signing_keys'))");
    if (!tx.exec("SELECT 1 FROM iam.signing_keys WHERE retired_at IS NULL").empty()) {
      return absl::OkStatus();
    }
    std::string kid;
    return InsertKey(tx, kek_, &kid);
  });
  if (!s.ok()) return s;
  return Load();
}

absl::StatusOr<std::string> KeyStore::Rotate() {
  std::string kid;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('healthtech.iam.signing_keys'))");
    tx.exec("UPDATE iam.signing_keys SET retired_at = now() WHERE retired_at IS NULL");
    return InsertKey(tx, kek_, &kid);
  });
  if (!s.ok()) return s;
  if (auto l = Load(); !l.ok()) return l;
  return kid;
}

absl::StatusOr<std::vector<PublishedKey>> KeyStore::Published() {
  std::vector<PublishedKey> out;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    for (const auto& row :
         tx.exec("SELECT kid, public_key FROM iam.signing_keys WHERE retired_at IS "
                 "NULL OR retired_at > now() - interval '1 hour' ORDER BY "
                 "created_at DESC")) {
      out.push_back({row[0].as<std::string>(), pqxx::binarystring(row[1]).str()});
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<auth::KeySet> KeyStore::KeySet() {
  auto keys = Published();
  if (!keys.ok()) return keys.status();
  auth::KeySet out;
  for (auto& k : *keys) out[k.kid] = k.public_key;
  return out;
}

absl::StatusOr<std::pair<std::string, std::string>> KeyStore::Active() {
  bool stale;
  {
    std::lock_guard lock(mu_);
    stale = std::chrono::steady_clock::now() - loaded_at_ > std::chrono::seconds(30);
  }
  if (stale) {
    if (auto s = Load(); !s.ok()) {
      std::lock_guard lock(mu_);
      if (kid_.empty()) return s;  // keep using the loaded key during a blip
    }
  }
  std::lock_guard lock(mu_);
  return std::make_pair(kid_, secret_);
}

}  // namespace healthtech::iam
