#include "healthtech/paging/page_token.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <sodium.h>

#include "healthtech/status/status.h"

namespace healthtech::paging {
namespace {

constexpr size_t kMacBytes = 16;
constexpr size_t kMaxTokenChars = 1024;
constexpr unsigned char kVersion = 2;

std::string Hmac(const std::string& key, std::string_view data) {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&st, out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

// Payload: version, then the kind and each field as a 2-byte big-endian length and its
// bytes (any bytes: the position is what the database returned, taken as it is).
void PutField(std::string* out, std::string_view s) {
  size_t n = std::min<size_t>(s.size(), 0xFFFF);
  out->push_back(static_cast<char>(n >> 8));
  out->push_back(static_cast<char>(n & 0xFF));
  out->append(s.data(), n);
}

bool GetField(std::string_view* in, std::string* out) {
  if (in->size() < 2) return false;
  size_t n = (static_cast<unsigned char>((*in)[0]) << 8) | static_cast<unsigned char>((*in)[1]);
  if (in->size() < 2 + n) return false;
  out->assign(in->data() + 2, n);
  in->remove_prefix(2 + n);
  return true;
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
  std::string payload(1, static_cast<char>(kVersion));
  PutField(&payload, kind);
  for (const auto& p : position) PutField(&payload, p);
  std::string raw = payload + Hmac(key_, payload).substr(0, kMacBytes);
  size_t len = sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
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
  std::string_view rest = payload.substr(1);
  std::string got_kind;
  if (!GetField(&rest, &got_kind) || got_kind != kind) return InvalidPageToken();
  std::vector<std::string> out;
  for (size_t i = 0; i < fields; ++i) {
    std::string f;
    if (!GetField(&rest, &f)) return InvalidPageToken();
    out.push_back(std::move(f));
  }
  if (!rest.empty()) return InvalidPageToken();
  return out;
}

absl::StatusOr<int64_t> Int64Field(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return InvalidPageToken();
  return v;
}

absl::StatusOr<double> FiniteDoubleField(const std::string& s) {
  if (s.empty() || s.find('\0') != std::string::npos) return InvalidPageToken();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return InvalidPageToken();
  return v;
}

}  // namespace healthtech::paging
