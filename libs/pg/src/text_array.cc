#include "healthtech/pg/text_array.h"

namespace healthtech::pg {

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::vector<std::string> ParseTextArray(const std::string& s) {
  std::vector<std::string> out;
  if (s.size() < 2) return out;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == '\\' && i + 2 < s.size()) {
      cur.push_back(s[++i]);
    } else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur.push_back(c);
      any = true;
    }
  }
  if (any || !cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace healthtech::pg
