#include "render.h"

namespace healthtech::notification {

const std::map<std::string, std::string>& Templates();

namespace {

std::string Fill(const std::string& text, const std::map<std::string, std::string>& values,
                 bool one_line) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string::npos) {
      out += text.substr(i);
      break;
    }
    size_t close = text.find("}}", open);
    if (close == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    auto it = values.find(text.substr(open + 2, close - open - 2));
    if (it != values.end()) out += it->second;
    i = close + 2;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (one_line) {
    for (auto& c : out) {
      if (c == '\r' || c == '\n') c = ' ';
    }
  }
  return out;
}

}  // namespace

std::optional<Rendered> Render(const std::string& type, const std::string& locale,
                               const std::map<std::string, std::string>& values) {
  const auto& t = Templates();
  for (const std::string& l : {locale, std::string("en")}) {
    auto subject = t.find(l + "/" + type + ".subject");
    auto body = t.find(l + "/" + type + ".txt");
    if (subject != t.end() && body != t.end()) {
      return Rendered{Fill(subject->second, values, true), Fill(body->second, values, false)};
    }
  }
  return std::nullopt;
}

}  // namespace healthtech::notification
