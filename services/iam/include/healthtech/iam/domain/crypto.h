#pragma once
// Credential primitives for IAM, all from libsodium / liboath: argon2id password
// hashes, random opaque tokens stored as SHA-256, secretbox encryption of secrets at
// rest, RFC 6238 TOTP.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "healthtech/crypto/hash.h"

namespace healthtech::iam {

struct Argon2Params {
  unsigned long long opslimit = 2;    // iterations (t)
  size_t memlimit_bytes = 19u << 20;  // memory (m) = 19 MiB; OWASP's argon2id minimum
};

std::string HashPassword(std::string_view password, const Argon2Params& p);
bool VerifyPassword(std::string_view hash, std::string_view password);
bool NeedsRehash(std::string_view hash, const Argon2Params& p);

// Opaque tokens and what is stored of them: healthtech/crypto/hash.h.
using crypto::RandomToken;
using crypto::TokenHash;
std::string NewUuid();

// XSalsa20-Poly1305 with a 32-byte key; nonce prepended.
std::string Encrypt(std::string_view plaintext, std::string_view key);
std::optional<std::string> Decrypt(std::string_view ciphertext, std::string_view key);

// TOTP (RFC 6238, SHA-1, 6 digits, 30 s steps).
std::string NewTotpSecret();                     // 20 random bytes
std::string Base32Encode(std::string_view raw);  // RFC 4648, no padding
std::string TotpCode(std::string_view secret, int64_t unix_seconds);
// The time step of a code valid within ±1 step of `unix_seconds`, if any.
std::optional<int64_t> MatchTotp(std::string_view secret, std::string_view code,
                                 int64_t unix_seconds);

// "xxxxx-xxxxx" lowercase base32 recovery code (50 bits).
std::string NewRecoveryCode();
// Normalizes user input of a recovery code (lower case, no spaces).
std::string NormalizeRecoveryCode(std::string_view in);

}  // namespace healthtech::iam
