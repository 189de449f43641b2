#include "router.h"

namespace healthtech::bff {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = Hex(in[i + 1]), lo = Hex(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i <= q.size() && !q.empty()) {
    size_t amp = q.find('&', i);
    if (amp == std::string_view::npos) amp = q.size();
    std::string_view part = q.substr(i, amp - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      auto k = PercentDecode(part.substr(0, eq), true);
      auto v = eq == std::string_view::npos ? std::optional<std::string>("")
                                            : PercentDecode(part.substr(eq + 1), true);
      if (k && v) out.emplace_back(*k, *v);
    }
    if (amp == q.size()) break;
    i = amp + 1;
  }
  return out;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  std::string found;
  int seen = 0;
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      found = std::string(value);
      ++seen;
    }
  }
  // Two cookies of one name: one may have been planted (another path or a sibling
  // domain); trust neither.
  return seen == 1 ? found : std::string();
}

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {
  for (auto& r : routes_) {
    std::string path;
    for (const auto& seg : Split(r.path)) {
      std::string s = seg;
      size_t open = s.find('{'), close = s.find('}');
      if (open == 0 && close != std::string::npos) {
        std::string inner = s.substr(1, close - 1);
        size_t eq = inner.find('=');
        std::string name = inner.substr(0, eq);
        r.param_fields[name] = eq == std::string::npos ? name : inner.substr(eq + 1);
        s = "{" + name + "}" + s.substr(close + 1);
      }
      path += "/" + s;
    }
    r.path = path;
    r.segments = Split(r.path);
  }
}

Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  auto segs = Split(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& t = r.segments[i];
      size_t close = t.find('}');
      if (t.size() > 2 && t.front() == '{' && close != std::string::npos) {
        // "{name}" or "{name}.ext": a parameter, optionally followed by a literal suffix.
        std::string suffix = t.substr(close + 1);
        const std::string& seg = segs[i];
        if (seg.size() <= suffix.size() ||
            seg.compare(seg.size() - suffix.size(), suffix.size(), suffix) != 0) {
          ok = false;
          continue;
        }
        auto decoded =
            PercentDecode(std::string_view(seg).substr(0, seg.size() - suffix.size()), false);
        if (!decoded || decoded->empty())
          ok = false;
        else
          params[t.substr(1, close - 1)] = *decoded;
      } else if (t != segs[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (r.method == method) {
      m.route = &r;
      m.params = std::move(params);
      return m;
    }
    m.allowed_methods.push_back(r.method);
  }
  return m;
}

}  // namespace healthtech::bff
