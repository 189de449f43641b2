#include "healthtech/auth/jwt.h"

#include <algorithm>

#include <sodium.h>
#include <nlohmann/json.hpp>

#include "healthtech/status/status.h"

namespace healthtech::auth {
namespace {

absl::Status Invalid(std::string_view why) {
  return status::Unauthenticated("TOKEN_INVALID",
                                 std::string("invalid access token: ") + std::string(why));
}

[[maybe_unused]] const bool kSodiumReady = [] { return sodium_init() >= 0; }();

}  // namespace

bool Claims::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Claims::HasRoleOrAdmin(std::string_view role) const {
  return HasRole(role) || HasRole("platform_admin");
}

std::vector<std::string> Claims::OrgsWithRole(std::string_view role) const {
  std::vector<std::string> out;
  std::string prefix = std::string(role) + ":";
  for (const auto& r : roles) {
    if (r.rfind(prefix, 0) == 0) out.push_back(r.substr(prefix.size()));
  }
  return out;
}

std::string Claims::RolesCsv() const {
  std::string out;
  for (const auto& r : roles) out += (out.empty() ? "" : ",") + r;
  return out;
}

std::string Base64UrlEncode(std::string_view data) {
  size_t len = sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(len - 1);  // drop the terminating NUL
  return out;
}

absl::StatusOr<std::string> Base64UrlDecode(std::string_view data) {
  std::string out(data.size(), '\0');
  size_t bin_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), data.data(),
                        data.size(), nullptr, &bin_len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != data.data() + data.size()) {
    return absl::InvalidArgumentError("bad base64url");
  }
  out.resize(bin_len);
  return out;
}

std::string Sign(const Claims& c, const std::string& kid, const std::string& secret_key) {
  nlohmann::ordered_json header = {{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", kid}};
  nlohmann::ordered_json payload = {{"iss", c.iss},     {"aud", c.aud}, {"sub", c.sub},
                                    {"exp", c.exp},     {"iat", c.iat}, {"jti", c.jti},
                                    {"roles", c.roles}, {"amr", c.amr}, {"aal", c.aal}};
  if (!c.sid.empty()) payload["sid"] = c.sid;
  std::string signing_input =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size(),
                       reinterpret_cast<const unsigned char*>(secret_key.data()));
  return signing_input + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
}

absl::StatusOr<Claims> Verify(std::string_view token, const KeySet& keys, std::string_view issuer,
                              std::string_view audience, int64_t now, bool* unknown_kid,
                              int64_t leeway) {
  if (unknown_kid != nullptr) *unknown_kid = false;
  if (token.size() > 8192) return Invalid("too long");
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d1 == std::string_view::npos || d2 == std::string_view::npos ||
      token.find('.', d2 + 1) != std::string_view::npos) {
    return Invalid("not a compact JWS");
  }
  auto header_raw = Base64UrlDecode(token.substr(0, d1));
  auto payload_raw = Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = Base64UrlDecode(token.substr(d2 + 1));
  if (!header_raw.ok() || !payload_raw.ok() || !sig.ok()) return Invalid("bad encoding");
  nlohmann::json header = nlohmann::json::parse(*header_raw, nullptr, false);
  nlohmann::json payload = nlohmann::json::parse(*payload_raw, nullptr, false);
  if (!header.is_object() || !payload.is_object()) return Invalid("bad json");
  if (!header.contains("alg") || header["alg"] != "EdDSA") return Invalid("algorithm not allowed");
  if (!header.contains("kid") || !header["kid"].is_string()) return Invalid("missing kid");
  auto key = keys.find(header["kid"].get<std::string>());
  if (key == keys.end()) {
    if (unknown_kid != nullptr) *unknown_kid = true;
    return Invalid("unknown kid");
  }
  if (sig->size() != crypto_sign_BYTES || key->second.size() != crypto_sign_PUBLICKEYBYTES) {
    return Invalid("bad signature length");
  }
  std::string_view signing_input = token.substr(0, d2);
  if (crypto_sign_verify_detached(
          reinterpret_cast<const unsigned char*>(sig->data()),
          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
          reinterpret_cast<const unsigned char*>(key->second.data())) != 0) {
    return Invalid("bad signature");
  }
  Claims c;
  try {
    c.iss = payload.at("iss").get<std::string>();
    c.sub = payload.at("sub").get<std::string>();
    c.exp = payload.at("exp").get<int64_t>();
    c.iat = payload.value("iat", int64_t{0});
    c.jti = payload.value("jti", "");
    c.aal = payload.value("aal", "aal1");
    c.sid = payload.value("sid", "");
    const auto& aud = payload.at("aud");
    if (aud.is_string()) {
      c.aud = aud.get<std::string>();
    } else if (aud.is_array()) {
      for (const auto& a : aud) {
        if (a.is_string() && a.get<std::string>() == audience) c.aud = a.get<std::string>();
      }
    }
    if (payload.contains("roles")) c.roles = payload["roles"].get<std::vector<std::string>>();
    if (payload.contains("amr")) c.amr = payload["amr"].get<std::vector<std::string>>();
  } catch (const std::exception&) {
    return Invalid("bad claims");
  }
  if (c.iss != issuer) return Invalid("wrong issuer");
  if (c.aud != audience) return Invalid("wrong audience");
  if (c.sub.empty()) return Invalid("missing subject");
  if (now > c.exp + leeway) {
    return status::Unauthenticated("TOKEN_EXPIRED", "The access token has expired.");
  }
  if (c.iat > now + leeway) return Invalid("issued in the future");
  return c;
}

std::string PeekKid(std::string_view token) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot > 1024) return "";
  auto header = Base64UrlDecode(token.substr(0, dot));
  if (!header.ok()) return "";
  auto j = nlohmann::json::parse(*header, nullptr, false);
  if (!j.is_object() || !j.contains("kid") || !j["kid"].is_string()) return "";
  return j["kid"].get<std::string>().substr(0, 128);
}

bool RefreshThrottle::Allow(const std::string& kid, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (now_ms - last_any_ < 200) return false;
  auto it = last_by_kid_.find(kid);
  if (it != last_by_kid_.end() && now_ms - it->second < 30000) return false;
  if (last_by_kid_.size() > 4096) last_by_kid_.clear();
  last_by_kid_[kid] = now_ms;
  last_any_ = now_ms;
  return true;
}

std::optional<Claims> VerifiedTokenCache::Get(std::string_view token, int64_t now, int64_t leeway) {
  std::lock_guard lock(mu_);
  auto it = map_.find(std::string(token));
  if (it == map_.end()) return std::nullopt;
  if (now > it->second.exp + leeway) {
    map_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void VerifiedTokenCache::Put(std::string_view token, const Claims& claims) {
  std::lock_guard lock(mu_);
  if (map_.size() >= capacity_) map_.clear();
  map_.emplace(std::string(token), claims);
}

void VerifiedTokenCache::Clear() {
  std::lock_guard lock(mu_);
  map_.clear();
}

absl::StatusOr<KeySet> ParseJwks(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object() || !j.contains("keys") || !j["keys"].is_array()) {
    return absl::InvalidArgumentError("not a JWK set");
  }
  KeySet out;
  for (const auto& k : j["keys"]) {
    if (k.value("kty", "") != "OKP" || k.value("crv", "") != "Ed25519") continue;
    auto x = Base64UrlDecode(k.value("x", ""));
    if (!x.ok() || x->size() != crypto_sign_PUBLICKEYBYTES) continue;
    out[k.value("kid", "")] = *x;
  }
  return out;
}

}  // namespace healthtech::auth
