#include "healthtech/iam/domain/validation.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace healthtech::iam {

namespace {

// A small built-in list of the most common passwords of at least 10 characters
// (from public breach-frequency lists), compared case-insensitively.
constexpr std::array<std::string_view, 60> kCommonPasswords = {
    "1234567890",  "12345678910",      "123456789a",   "0123456789",   "1234567890a",
    "1q2w3e4r5t",  "1qaz2wsx3edc",     "qwertyuiop",   "qwerty12345",  "qwerty123456",
    "qwertyuiop1", "password12",       "password123",  "password1234", "password01",
    "passw0rd123", "iloveyou12",       "iloveyou123",  "abcdefghij",   "abcd123456",
    "abc1234567",  "a123456789",       "aa12345678",   "asdfghjkl1",   "asdfghjkl;",
    "zaq12wsxcde", "zxcvbnm123",       "1111111111",   "0000000000",   "9876543210",
    "1122334455",  "1234554321",       "11223344556",  "football12",   "baseball12",
    "superman123", "princess12",       "sunshine12",   "welcome123",   "welcome1234",
    "letmein123",  "trustno1234",      "monkey12345",  "dragon12345",  "master12345",
    "admin12345",  "administrator",    "changeme123",  "healthtech1",  "healthtech123",
    "password!1",  "p@ssw0rd123",      "p@ssword123",  "qwerty@123",   "india@123",
    "india12345",  "passwordpassword", "1234qwerasdf", "q1w2e3r4t5",   "1q2w3e4r5t6y",
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::vector<status::Violation> CheckPassword(std::string_view password, std::string_view email,
                                             std::string_view field) {
  std::vector<status::Violation> out;
  std::string f(field);
  size_t n = CodePoints(password);
  if (n < 10) {
    out.push_back({f, "must be at least 10 characters"});
  } else if (n > 128) {
    out.push_back({f, "must be at most 128 characters"});
  } else {
    std::string lower = Lower(password);
    if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lower) !=
        kCommonPasswords.end()) {
      out.push_back({f, "is too common; choose a less predictable password"});
    } else if (!email.empty() && lower == Lower(email)) {
      out.push_back({f, "must not be your email address"});
    }
  }
  return out;
}

bool NormalizeAbhaAddress(std::string_view in, std::string* out) {
  std::string a(Trim(in));
  for (char& ch : a) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto at = a.find('@');
  if (at == std::string::npos) return false;
  const std::string_view name(a.data(), at), suffix(a.data() + at + 1, a.size() - at - 1);
  if (suffix != "abdm" && suffix != "sbx") return false;
  if (name.size() < 3 || name.size() > 32) return false;
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  for (char ch : name)
    if (!alnum(ch) && ch != '.' && ch != '_') return false;
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  *out = std::move(a);
  return true;
}

}  // namespace healthtech::iam
