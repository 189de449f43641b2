#pragma once
// Access tokens: compact JWS with EdDSA (Ed25519) and a `kid`, verified strictly: the
// algorithm must be EdDSA (never "none", never HMAC), the kid must be known, the
// signature valid, `iss` and `aud` must match, and `exp` must be in the future.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <absl/status/statusor.h>

namespace healthtech::auth {

struct Claims {
  std::string iss;
  std::string aud;
  std::string sub;
  std::string jti;
  int64_t iat = 0;
  int64_t exp = 0;
  std::vector<std::string> roles;  // "patient", "platform_admin", "org_admin:<org_id>", ...
  std::vector<std::string> amr;    // "pwd", "otp"
  std::string aal;                 // "aal1" | "aal2"
  std::string sid;                 // the sign-in session (refresh-token family); may be empty

  bool HasRole(std::string_view role) const;
  // True for platform_admin, or for `role` itself.
  bool HasRoleOrAdmin(std::string_view role) const;
  // Org ids for which the user holds `role` (e.g. "org_admin").
  std::vector<std::string> OrgsWithRole(std::string_view role) const;
  std::string RolesCsv() const;
};

// Ed25519 public keys by kid (32 raw bytes each).
using KeySet = std::map<std::string, std::string>;

std::string Base64UrlEncode(std::string_view data);
absl::StatusOr<std::string> Base64UrlDecode(std::string_view data);

// `secret_key` is libsodium's 64-byte Ed25519 secret key.
std::string Sign(const Claims& claims, const std::string& kid, const std::string& secret_key);

// Verifies signature, algorithm, kid, issuer, audience and expiry (with `leeway_seconds`).
// Every failure is UNAUTHENTICATED with reason TOKEN_INVALID or TOKEN_EXPIRED; the
// specific cause is in the message for logs only. `unknown_kid` is set when the key id
// is not in `keys` (callers may refresh their key set once and retry).
absl::StatusOr<Claims> Verify(std::string_view token, const KeySet& keys, std::string_view issuer,
                              std::string_view audience, int64_t now_seconds,
                              bool* unknown_kid = nullptr, int64_t leeway_seconds = 30);

// The `kid` of a compact JWS header without verifying anything ("" if unreadable).
std::string PeekKid(std::string_view token);

// Decides when an unknown kid may trigger a key-set refetch: each kid at most once per
// 30 s, and all kids together at most once per 200 ms, so a rotated key is picked up
// at once while random kids cannot hammer the key source. Thread-safe.
class RefreshThrottle {
 public:
  bool Allow(const std::string& kid, int64_t now_ms);

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> last_by_kid_;
  int64_t last_any_ = 0;
};

// Remembers tokens whose signature was verified (token -> claims), so a client reusing
// its token skips the Ed25519 check; claims are re-checked for expiry on every hit.
// Bounded: cleared when full. Thread-safe.
class VerifiedTokenCache {
 public:
  explicit VerifiedTokenCache(size_t capacity = 20000) : capacity_(capacity) {}
  std::optional<Claims> Get(std::string_view token, int64_t now_seconds, int64_t leeway = 30);
  void Put(std::string_view token, const Claims& claims);
  void Clear();

 private:
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Claims> map_;
};

// Parses a JWK set JSON ({"keys":[{"kty":"OKP","crv":"Ed25519","x":…,"kid":…}]}).
absl::StatusOr<KeySet> ParseJwks(std::string_view json);

}  // namespace healthtech::auth
