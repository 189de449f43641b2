#include "key_store.h"

#include <sodium.h>

#include "healthtech/iam/domain/crypto.h"
#include "healthtech/status/status.h"
#include "storage/store.h"

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
  storage::InsertSigningKey(tx, kid, std::string(reinterpret_cast<char*>(pk), sizeof pk), enc);
  *kid_out = kid;
  return absl::OkStatus();
}

}  // namespace

absl::Status KeyStore::Load() {
  std::string kid, enc;
  bool found = false;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    auto key = storage::ActiveSigningKey(tx);
    if (!key) return absl::OkStatus();
    found = true;
    kid = key->kid;
    enc = key->private_key_enc;
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
    storage::LockSigningKeys(tx);
    if (storage::AnyActiveSigningKey(tx)) {
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
    storage::LockSigningKeys(tx);
    storage::RetireSigningKeys(tx);
    return InsertKey(tx, kek_, &kid);
  });
  if (!s.ok()) return s;
  if (auto l = Load(); !l.ok()) return l;
  return kid;
}

absl::StatusOr<std::vector<PublishedKey>> KeyStore::Published() {
  std::vector<PublishedKey> out;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    for (auto& k : storage::PublishedSigningKeys(tx))
      out.push_back({std::move(k.kid), std::move(k.public_key)});
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
