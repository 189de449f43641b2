#include "healthtech/validate/validate.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace healthtech::validate {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool NormalizeEmail(std::string_view in, std::string* out) {
  std::string e = Lower(Trim(in));
  if (e.size() < 3 || e.size() > 254) return false;
  size_t at = e.find('@');
  if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos) return false;
  std::string_view local(e.data(), at), domain(e.data() + at + 1, e.size() - at - 1);
  if (local.size() > 64 || domain.size() < 3) return false;
  size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 3 > domain.size()) return false;
  if (domain.front() == '-' || domain.front() == '.' || domain.find("..") != std::string_view::npos)
    return false;
  for (char c : domain) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  for (char c : local) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127 || c == '(' || c == ')' || c == '<' || c == '>' || c == ',' ||
        c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
      return false;
  }
  *out = e;
  return true;
}

bool ValidPhone(std::string_view p) {
  if (p.size() < 9 || p.size() > 16 || p[0] != '+' || p[1] < '1' || p[1] > '9') return false;
  return std::all_of(p.begin() + 1, p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool ValidUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

namespace {

// Decodes one code point at `i` (advancing it); -1 on malformed input.
int32_t NextCodePoint(std::string_view s, size_t& i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return -1;
  int32_t cp = c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += len;
  return cp;
}

}  // namespace

bool ValidText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int32_t cp = NextCodePoint(s, i);
    if (cp <= 0) return false;
  }
  return true;
}

std::string DisplayNameProblem(std::string_view name) {
  for (size_t i = 0; i < name.size();) {
    int32_t cp = NextCodePoint(name, i);
    if (cp < 0) return "must be valid UTF-8 text";
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return "must not contain control characters";
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
        (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
        cp == 0x00AD || cp == 0x180E || cp == 0x061C) {
      return "must not contain invisible or text-direction characters";
    }
  }
  return "";
}

namespace {

bool Digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}
int Number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

bool ValidLocalTime(std::string_view s) {
  if (s.size() != 5 || s[2] != ':' || !Digits(s.substr(0, 2)) || !Digits(s.substr(3, 2)))
    return false;
  int h = Number(s.substr(0, 2)), m = Number(s.substr(3, 2));
  return (h < 24 && m < 60) || (h == 24 && m == 0);
}

bool ValidDate(std::string_view s) { return ValidDate(s, 2000, 2200); }

bool ValidDate(std::string_view s, int min_year, int max_year) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !Digits(s.substr(0, 4)) ||
      !Digits(s.substr(5, 2)) || !Digits(s.substr(8, 2)))
    return false;
  int y = Number(s.substr(0, 4)), m = Number(s.substr(5, 2)), d = Number(s.substr(8, 2));
  if (y < min_year || y > max_year || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace healthtech::validate
