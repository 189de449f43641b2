#include "healthtech/validate/validate.h"

#include <algorithm>
#include <cctype>

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

}  // namespace healthtech::validate
