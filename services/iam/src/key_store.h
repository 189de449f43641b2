#pragma once
// Signing keys in iam.signing_keys. The newest unretired key signs; retired keys stay
// in the JWKS for an hour (longer than any access token lives) so rotation never logs
// anyone out. Every replica reloads the active key every 30 s.
#include <chrono>
#include <mutex>
#include <string>

#include <absl/status/statusor.h>

#include "healthtech/auth/jwt.h"
#include "healthtech/pg/pool.h"

namespace healthtech::iam {

struct PublishedKey {
  std::string kid;
  std::string public_key;  // raw 32 bytes
};

class KeyStore {
 public:
  KeyStore(pg::Pool* pool, std::string kek);
  // Loads the active key, creating the first one if the table is empty.
  absl::Status Init();
  // Creates a new key and retires the others. Returns the new kid.
  absl::StatusOr<std::string> Rotate();
  absl::StatusOr<std::vector<PublishedKey>> Published();
  absl::StatusOr<auth::KeySet> KeySet();
  // Active (kid, secret key); reloads if older than 30 s.
  absl::StatusOr<std::pair<std::string, std::string>> Active();

 private:
  absl::Status Load();
  pg::Pool* pool_;
  std::string kek_;
  std::mutex mu_;
  std::string kid_, secret_;
  std::chrono::steady_clock::time_point loaded_at_{};
};

}  // namespace healthtech::iam
