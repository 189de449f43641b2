#pragma once
// Hashes and opaque tokens every service uses, from OpenSSL and libsodium. One copy: the
// values are stored (token hashes, request fingerprints, migration checksums), so every
// service must compute them the same way.
#include <string>
#include <string_view>

namespace healthtech::crypto {

// SHA-256 of `data`: raw 32 bytes, and as 64 lower-case hex digits.
std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256 of `data` under `key`, as lower-case hex.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// Lower-case hex of raw bytes.
std::string Hex(std::string_view bytes);

// 32 random bytes, base64url without padding (43 characters): reset links, refresh tokens,
// invitations. Only the TokenHash of it is stored.
std::string RandomToken();
// What the database stores of a token: its SHA-256, raw 32 bytes.
inline std::string TokenHash(std::string_view token) { return Sha256(token); }

// Equality that takes the same time wherever the first difference is (signatures, MACs).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace healthtech::crypto
