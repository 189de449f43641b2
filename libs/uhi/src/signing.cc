#include "healthtech/uhi/signing.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <absl/status/status.h>
#include <nlohmann/json.hpp>

namespace healthtech::uhi {
namespace {

// The fixed DER prefixes of an Ed25519 SubjectPublicKeyInfo and of a PKCS#8 v1 PrivateKeyInfo
// (RFC 8410): the 32 key bytes follow.
constexpr unsigned char kSpkiPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                         0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr unsigned char kPkcs8Prefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                          0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
constexpr std::string_view kHeaders = "(created) (expires) digest";

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}
std::string Base64(std::string_view bytes) {
  return Base64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

// Strict standard base64 (padding as written, no whitespace).
std::optional<std::string> DecodeBase64(std::string_view b64) {
  std::string out(b64.size() / 4 * 3 + 3, '\0');
  size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), b64.data(),
                        b64.size(), nullptr, &size, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(size);
  return out;
}

bool StartsWith(std::string_view bytes, const unsigned char* prefix, size_t size) {
  return bytes.size() >= size && std::memcmp(bytes.data(), prefix, size) == 0;
}

std::string Blake2b512(std::string_view bytes) {
  std::string out(crypto_generichash_BYTES_MAX, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                     0);
  return out;
}

std::optional<int64_t> ParseSeconds(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

absl::Status Invalid(std::string_view why) {
  return absl::InvalidArgumentError(std::string("signature header: ") + std::string(why));
}

absl::Status Fill(SignatureHeader& h, std::string_view key, std::string_view value) {
  if (key == "keyId") {
    const size_t a = value.find('|');
    const size_t b = a == std::string_view::npos ? a : value.find('|', a + 1);
    if (b == std::string_view::npos || value.find('|', b + 1) != std::string_view::npos) {
      return Invalid("keyId is not subscriber_id|pub_key_id|algorithm");
    }
    h.subscriber_id = value.substr(0, a);
    h.pub_key_id = value.substr(a + 1, b - a - 1);
    h.key_algorithm = value.substr(b + 1);
    if (h.subscriber_id.empty() || h.pub_key_id.empty()) return Invalid("keyId has an empty part");
  } else if (key == "algorithm") {
    h.algorithm = value;
  } else if (key == "headers") {
    h.headers = value;
  } else if (key == "signature") {
    h.signature = value;
  } else if (key == "created" || key == "expires") {
    auto v = ParseSeconds(value);
    if (!v) return Invalid(std::string(key) + " is not Unix seconds");
    (key == "created" ? h.created : h.expires) = *v;
  }
  return absl::OkStatus();
}

absl::StatusOr<SignatureHeader> ParseJson(std::string_view value) {
  auto j = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Invalid("not a JSON object");
  SignatureHeader h;
  h.form = Profile::kUhi;
  for (std::string_view key :
       {"keyId", "algorithm", "created", "expires", "headers", "signature"}) {
    auto it = j.find(key);
    if (it == j.end()) return Invalid(std::string(key) + " is missing");
    std::string text;
    if (it->is_string()) {
      text = it->get<std::string>();
    } else if (it->is_number_unsigned() && (key == "created" || key == "expires")) {
      text = std::to_string(it->get<uint64_t>());
    } else {
      return Invalid(std::string(key) + " is not a string");
    }
    if (auto s = Fill(h, key, text); !s.ok()) return s;
  }
  return h;
}

// `Signature keyId="…",algorithm="ed25519",created="…",…` (BECKN-006; values may be bare).
absl::StatusOr<SignatureHeader> ParseParameters(std::string_view value) {
  constexpr std::string_view kScheme = "Signature";
  if (value.substr(0, kScheme.size()) != kScheme) return Invalid("neither JSON nor Signature");
  std::string_view rest = value.substr(kScheme.size());
  if (rest.empty() || (rest[0] != ' ' && rest[0] != '\t')) return Invalid("no parameters");
  SignatureHeader h;
  h.form = Profile::kBeckn;
  std::string seen;
  auto skip_space = [&rest] {
    while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
  };
  skip_space();
  while (!rest.empty()) {
    const size_t eq = rest.find('=');
    if (eq == std::string_view::npos || eq == 0) return Invalid("a parameter has no name=value");
    const std::string_view key = rest.substr(0, eq);
    rest.remove_prefix(eq + 1);
    std::string_view val;
    if (!rest.empty() && rest[0] == '"') {
      const size_t close = rest.find('"', 1);
      if (close == std::string_view::npos) return Invalid("an unterminated quoted value");
      val = rest.substr(1, close - 1);
      rest.remove_prefix(close + 1);
    } else {
      const size_t comma = std::min(rest.find(','), rest.size());
      val = rest.substr(0, comma);
      while (!val.empty() && (val.back() == ' ' || val.back() == '\t')) val.remove_suffix(1);
      rest.remove_prefix(comma);
    }
    const std::string marker = "|" + std::string(key) + "|";
    if (seen.find(marker) != std::string::npos) return Invalid(std::string(key) + " is repeated");
    seen += marker;
    if (auto s = Fill(h, key, val); !s.ok()) return s;
    skip_space();
    if (rest.empty()) break;
    if (rest[0] != ',') return Invalid("parameters are not separated by commas");
    rest.remove_prefix(1);
    skip_space();
  }
  for (std::string_view key :
       {"keyId", "algorithm", "created", "expires", "headers", "signature"}) {
    if (seen.find("|" + std::string(key) + "|") == std::string::npos) {
      return Invalid(std::string(key) + " is missing");
    }
  }
  return h;
}

}  // namespace

std::string_view ProfileName(Profile profile) { return profile == Profile::kUhi ? "uhi" : "beckn"; }

absl::StatusOr<Profile> ParseProfile(std::string_view name) {
  if (name == "uhi") return Profile::kUhi;
  if (name == "beckn") return Profile::kBeckn;
  return absl::InvalidArgumentError("signing profile must be uhi or beckn");
}

absl::StatusOr<SigningKey> SigningKey::FromBase64(std::string_view b64) {
  auto bytes = DecodeBase64(b64);
  if (!bytes) return absl::InvalidArgumentError("private key: not base64");
  std::string seed;
  if (bytes->size() == 32 || bytes->size() == 64) {
    seed = bytes->substr(0, 32);
  } else if (bytes->size() == 48 && StartsWith(*bytes, kPkcs8Prefix, sizeof kPkcs8Prefix)) {
    seed = bytes->substr(sizeof kPkcs8Prefix);
  } else {
    // Other DER (PKCS#8 v2 with the public key attached): OpenSSL reads it.
    const auto* p = reinterpret_cast<const unsigned char*>(bytes->data());
    Pkey k(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(bytes->size())));
    seed.assign(32, '\0');
    size_t len = seed.size();
    if (!k || EVP_PKEY_get_id(k.get()) != EVP_PKEY_ED25519 ||
        EVP_PKEY_get_raw_private_key(k.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                     &len) != 1 ||
        len != 32) {
      return absl::InvalidArgumentError(
          "private key: not an Ed25519 seed, libsodium secret key or PKCS#8 DER");
    }
  }
  SigningKey key;
  std::array<unsigned char, 32> pub{};
  crypto_sign_seed_keypair(pub.data(), key.secret_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  sodium_memzero(seed.data(), seed.size());
  if (bytes->size() == 64 && std::memcmp(bytes->data() + 32, pub.data(), 32) != 0) {
    return absl::InvalidArgumentError("private key: its public half does not match its seed");
  }
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

SigningKey SigningKey::Generate() {
  SigningKey key;
  std::array<unsigned char, 32> pub{};
  crypto_sign_keypair(pub.data(), key.secret_.data());
  return key;
}

std::string SigningKey::PublicSpkiBase64() const {
  std::string der(reinterpret_cast<const char*>(kSpkiPrefix), sizeof kSpkiPrefix);
  der.append(reinterpret_cast<const char*>(secret_.data()) + 32, 32);
  return Base64(der);
}

std::string SigningKey::PublicRawBase64() const { return Base64(secret_.data() + 32, 32); }

std::string SigningKey::PrivatePkcs8Base64() const {
  std::string der(reinterpret_cast<const char*>(kPkcs8Prefix), sizeof kPkcs8Prefix);
  der.append(reinterpret_cast<const char*>(secret_.data()), 32);
  std::string out = Base64(der);
  sodium_memzero(der.data(), der.size());
  return out;
}

std::string SigningKey::SignBase64(std::string_view message) const {
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  return Base64(sig.data(), sig.size());
}

absl::StatusOr<VerifyingKey> VerifyingKey::FromBase64(std::string_view b64) {
  auto bytes = DecodeBase64(b64);
  if (!bytes) return absl::InvalidArgumentError("public key: not base64");
  VerifyingKey key;
  if (bytes->size() == 32) {
    std::memcpy(key.public_.data(), bytes->data(), 32);
  } else if (bytes->size() == 44 && StartsWith(*bytes, kSpkiPrefix, sizeof kSpkiPrefix)) {
    std::memcpy(key.public_.data(), bytes->data() + sizeof kSpkiPrefix, 32);
  } else {
    return absl::InvalidArgumentError("public key: not raw Ed25519 or its SPKI DER");
  }
  return key;
}

bool VerifyingKey::Verifies(std::string_view message, std::string_view signature) const {
  return signature.size() == crypto_sign_BYTES &&
         crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_.data()) == 0;
}

std::string DigestBase64(std::string_view bytes) { return Base64(Blake2b512(bytes)); }

std::string DigestHeader(std::string_view body) { return "BLAKE-512=" + DigestBase64(body); }

std::string SigningString(Profile profile, int64_t created, int64_t expires,
                          std::string_view digest_b64) {
  const char* sep = profile == Profile::kUhi ? " " : "\n";
  return "(created): " + std::to_string(created) + sep + "(expires): " + std::to_string(expires) +
         sep + "digest: BLAKE-512=" + std::string(digest_b64);
}

std::string BytesToSign(Profile profile, std::string_view signing_string) {
  return profile == Profile::kUhi ? DigestBase64(signing_string) : std::string(signing_string);
}

absl::StatusOr<SignatureHeader> ParseSignatureHeader(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return Invalid("empty");
  return value.front() == '{' ? ParseJson(value) : ParseParameters(value);
}

std::string SignatureHeaderValue(Profile profile, const SigningKey& key,
                                 std::string_view subscriber_id, std::string_view pub_key_id,
                                 std::string_view body, int64_t created, int64_t expires) {
  const std::string key_id =
      std::string(subscriber_id) + "|" + std::string(pub_key_id) + "|ed25519";
  const std::string signature = key.SignBase64(
      BytesToSign(profile, SigningString(profile, created, expires, DigestBase64(body))));
  if (profile == Profile::kUhi) {
    nlohmann::ordered_json j;
    j["keyId"] = key_id;
    j["algorithm"] = "ed25519";
    j["created"] = std::to_string(created);
    j["expires"] = std::to_string(expires);
    j["headers"] = kHeaders;
    j["signature"] = signature;
    return j.dump();
  }
  return "Signature keyId=\"" + key_id + "\",algorithm=\"ed25519\",created=\"" +
         std::to_string(created) + "\",expires=\"" + std::to_string(expires) + "\",headers=\"" +
         std::string(kHeaders) + "\",signature=\"" + signature + "\"";
}

absl::Status Verify(const SignatureHeader& header, const VerifyingKey& key, std::string_view body,
                    const VerifyOptions& options) {
  if (header.algorithm != "ed25519" || header.key_algorithm != header.algorithm) {
    return absl::UnauthenticatedError("the algorithm is not ed25519 in both keyId and algorithm");
  }
  if (header.headers != kHeaders) {
    return absl::UnauthenticatedError("headers is not \"(created) (expires) digest\"");
  }
  if (header.expires < header.created) {
    return absl::UnauthenticatedError("expires is before created");
  }
  if (header.created > options.now + options.created_skew) {
    return absl::UnauthenticatedError("created is in the future");
  }
  if (options.now > header.expires) return absl::UnauthenticatedError("the signature has expired");
  auto signature = DecodeBase64(header.signature);
  if (!signature) return absl::UnauthenticatedError("the signature is not base64");
  const std::string digest = DigestBase64(body);
  const Profile other = header.form == Profile::kUhi ? Profile::kBeckn : Profile::kUhi;
  for (Profile p : {header.form, other}) {
    if (p == other && !options.accept_other_profile) break;
    if (key.Verifies(BytesToSign(p, SigningString(p, header.created, header.expires, digest)),
                     *signature)) {
      return absl::OkStatus();
    }
  }
  return absl::UnauthenticatedError("the signature does not verify");
}

}  // namespace healthtech::uhi
