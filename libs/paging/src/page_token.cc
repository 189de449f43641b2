#include "healthtech/paging/page_token.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <sodium.h>
#include <nlohmann/json.hpp>

#include "healthtech/status/status.h"

namespace healthtech::paging {
namespace {

constexpr size_t kMacBytes = 16;
constexpr size_t kMaxTokenChars = 1024;
constexpr unsigned char kVersion = 1;

std::string Hmac(const std::string& key, std::string_view data) {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

}  // namespace

absl::Status InvalidPageToken() {
  return status::InvalidArgument("INVALID_PAGE_TOKEN",
                                 "The page token was not issued for this list; start again "
                                 "without page_token.",
                                 {{"page_token", "is not a token this list returned"}});
}

PageTokens::PageTokens(std::string_view secret) {
  if (sodium_init() < 0) std::abort();
  key_ = Hmac(std::string(secret), "healthtech page tokens v1");
}

std::string PageTokens::Encode(std::string_view kind,
                               const std::vector<std::string>& position) const {
  nlohmann::json j = nlohmann::json::array();
  j.push_back(kind);
  for (const auto& p : position) j.push_back(p);
  std::string payload(1, static_cast<char>(kVersion));
  payload += j.dump();
  std::string raw = payload + Hmac(key_, payload).substr(0, kMacBytes);
  size_t len = sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(len - 1);
  return out;
}

absl::StatusOr<std::vector<std::string>> PageTokens::Decode(std::string_view kind,
                                                            std::string_view token,
                                                            size_t fields) const {
  if (token.empty() || token.size() > kMaxTokenChars) return InvalidPageToken();
  std::string raw(token.size(), '\0');
  size_t n = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), token.data(),
                        token.size(), nullptr, &n, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != token.data() + token.size() || n <= kMacBytes + 1) {
    return InvalidPageToken();
  }
  raw.resize(n);
  std::string_view payload(raw.data(), n - kMacBytes);
  std::string mac = Hmac(key_, payload).substr(0, kMacBytes);
  if (sodium_memcmp(mac.data(), raw.data() + payload.size(), kMacBytes) != 0 ||
      static_cast<unsigned char>(payload[0]) != kVersion) {
    return InvalidPageToken();
  }
  // Issued by us from here on; still read defensively.
  auto j = nlohmann::json::parse(payload.substr(1), nullptr, false);
  if (!j.is_array() || j.size() != fields + 1 || !j[0].is_string() ||
      j[0].get<std::string>() != kind) {
    return InvalidPageToken();
  }
  std::vector<std::string> out;
  for (size_t i = 1; i < j.size(); ++i) {
    if (!j[i].is_string()) return InvalidPageToken();
    out.push_back(j[i].get<std::string>());
  }
  return out;
}

absl::StatusOr<int64_t> Int64Field(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return InvalidPageToken();
  return v;
}

absl::StatusOr<double> FiniteDoubleField(const std::string& s) {
  if (s.empty()) return InvalidPageToken();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return InvalidPageToken();
  return v;
}

}  // namespace healthtech::paging
