#pragma once
// Signed HTTP messages of the Unified Health Interface (UHI) and of Beckn, both directions.
//
// Two profiles share one shape: a BLAKE2b-512 digest of the exact body bytes, a signing
// string over (created) (expires) digest, and an Ed25519 signature.
//  - "uhi" (NHA's gateway, registry and reference apps since May 2023): the signing string's
//    parts are joined by single spaces, and Ed25519 signs base64(BLAKE2b-512(signing string));
//    the header value is a JSON object; keys are SPKI / PKCS#8 DER.
//  - "beckn" (BECKN-006): the parts are joined by newlines and signed as they are; the header
//    is `Signature keyId="…",algorithm="ed25519",…`; keys are raw.
// Sources, pitfalls and the test vectors: ../shared/uhi/WIRE.md §2, libs/uhi/tests.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace healthtech::uhi {

enum class Profile { kUhi, kBeckn };
std::string_view ProfileName(Profile profile);
absl::StatusOr<Profile> ParseProfile(std::string_view name);  // "uhi" | "beckn"

// An Ed25519 key pair, read from any of the encodings the networks use.
class SigningKey {
 public:
  // base64 of a 32-byte seed, a 64-byte libsodium secret key (seed ‖ public; the public half
  // must match the seed) or PKCS#8 DER.
  static absl::StatusOr<SigningKey> FromBase64(std::string_view b64);
  static SigningKey Generate();

  // The public key as UHI's registry publishes it (SPKI DER, base64: "MCowBQYDK2VwAyEA…")
  // and raw (32 bytes, base64).
  std::string PublicSpkiBase64() const;
  std::string PublicRawBase64() const;
  // PKCS#8 DER, base64 ("MC4CAQAwBQYDK2VwBCIEI…"): how a key is configured.
  std::string PrivatePkcs8Base64() const;
  // The detached signature of `message`, base64.
  std::string SignBase64(std::string_view message) const;

 private:
  std::array<unsigned char, 64> secret_{};  // libsodium's seed ‖ public
};

// A public key, from base64 of raw 32 bytes or SPKI DER (UHI registries publish it as
// `signing_public_key` or, in NHA's code, `encr_public_key`).
class VerifyingKey {
 public:
  static absl::StatusOr<VerifyingKey> FromBase64(std::string_view b64);
  bool Verifies(std::string_view message, std::string_view signature) const;

 private:
  std::array<unsigned char, 32> public_{};
};

// base64(BLAKE2b-512(bytes)): the body's digest.
std::string DigestBase64(std::string_view bytes);
// The v2.0.2 `Digest` header's value: "BLAKE-512=<digest>".
std::string DigestHeader(std::string_view body);

std::string SigningString(Profile profile, int64_t created, int64_t expires,
                          std::string_view digest_b64);
// The bytes Ed25519 signs: the signing string itself (beckn), or the ASCII of
// base64(BLAKE2b-512(signing string)) (uhi).
std::string BytesToSign(Profile profile, std::string_view signing_string);

// What an Authorization (or X-Gateway-Authorization) header carries.
struct SignatureHeader {
  Profile form = Profile::kUhi;  // JSON object (uhi) or `Signature k="v",…` (beckn)
  std::string subscriber_id;     // the three parts of keyId
  std::string pub_key_id;
  std::string key_algorithm;
  std::string algorithm;
  std::string headers;
  int64_t created = 0;
  int64_t expires = 0;
  std::string signature;  // base64
};

// Reads either form. Malformed headers are INVALID_ARGUMENT with the cause in the message.
absl::StatusOr<SignatureHeader> ParseSignatureHeader(std::string_view value);

// Signs `body` as subscriber `subscriber_id` with key `pub_key_id`: the header value of
// `profile`'s form.
std::string SignatureHeaderValue(Profile profile, const SigningKey& key,
                                 std::string_view subscriber_id, std::string_view pub_key_id,
                                 std::string_view body, int64_t created, int64_t expires);

struct VerifyOptions {
  int64_t now = 0;                    // Unix seconds
  int64_t created_skew = 5;           // seconds `created` may be ahead of `now`
  bool accept_other_profile = false;  // also try the profile of the other header form
};

// Verifies a parsed header against the raw body bytes: keyId's algorithm equals `algorithm`
// equals ed25519, the headers list is "(created) (expires) digest", `created` is not later
// than now + skew, `now` is not past `expires` (strictly), and the signature verifies under
// the profile of the header's form. Every failure is UNAUTHENTICATED with the cause in the
// message (UHI answers it as NACK UHI-1405).
absl::Status Verify(const SignatureHeader& header, const VerifyingKey& key, std::string_view body,
                    const VerifyOptions& options);

}  // namespace healthtech::uhi
