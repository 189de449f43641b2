// libFuzzer target: the forum's Markdown renderer (cmark, safe mode) and the allow-list
// sanitizer behind it. Invariants: no crash; the output never carries a script element, an
// event-handler attribute or a javascript: URL, and sanitizing the output again changes
// nothing (the sanitizer is idempotent).
#include <cstddef>
#include <cstdint>
#include <cctype>
#include <cstdlib>
#include <string>

#include "domain/render.h"

namespace {

// Text '<' is escaped as &lt;, so every '<' in the output opens a real tag: parse each one
// (name, then attributes with quoted values) and refuse what could run script.
bool UnsafeTag(const std::string& html) {
  auto lower = [](std::string v) {
    for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  };
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    ++i;
    if (i < html.size() && html[i] == '/') ++i;
    size_t n = i;
    while (n < html.size() && std::isalnum(static_cast<unsigned char>(html[n]))) ++n;
    std::string name = lower(html.substr(i, n - i));
    for (const char* bad : {"script", "iframe", "style", "object", "embed", "svg", "math", "form"})
      if (name == bad) return true;
    i = n;
    for (;;) {
      while (i < html.size() && std::isspace(static_cast<unsigned char>(html[i]))) ++i;
      if (i >= html.size()) return true;  // a tag that never closes
      if (html[i] == '>' || html.compare(i, 2, "/>") == 0) break;
      size_t a = i;
      while (i < html.size() && !std::isspace(static_cast<unsigned char>(html[i])) && html[i] != '=' &&
             html[i] != '>')
        ++i;
      std::string attr = lower(html.substr(a, i - a));
      if (attr.rfind("on", 0) == 0 || attr == "style" || attr == "srcdoc") return true;
      std::string value;
      if (i < html.size() && html[i] == '=') {
        ++i;
        if (i >= html.size() || html[i] != '"') return true;  // values are always quoted
        size_t close = html.find('"', i + 1);
        if (close == std::string::npos) return true;
        value = lower(html.substr(i + 1, close - i - 1));
        i = close + 1;
      }
      // What the browser sees: entities decoded, then blanks and controls dropped.
      std::string compact;
      for (size_t k = 0; k < value.size(); ++k) {
        unsigned long cp = static_cast<unsigned char>(value[k]);
        if (value[k] == '&') {
          size_t semi = value.find(';', k);
          if (semi != std::string::npos && semi - k < 12) {
            std::string ent = value.substr(k + 1, semi - k - 1);
            if (!ent.empty() && ent[0] == '#') {
              bool hex = ent.size() > 1 && ent[1] == 'x';
              cp = std::strtoul(ent.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10);
            } else {
              cp = ent == "amp" ? '&' : ent == "quot" ? '"' : ent == "lt" ? '<' : ent == "gt" ? '>' : '?';
            }
            k = semi;
          }
        }
        if (cp > ' ' && cp < 0x7f) compact.push_back(static_cast<char>(std::tolower(static_cast<int>(cp))));
      }
      if ((attr == "href" || attr == "src") &&
          (compact.rfind("javascript:", 0) == 0 || compact.rfind("vbscript:", 0) == 0 ||
           compact.rfind("data:", 0) == 0)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthtech::forum;
  if (size < 1 || size > 64 * 1024) return 0;
  RenderOptions options;
  options.author = static_cast<Trust>(1 + data[0] % 3);
  std::string_view md(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string html = RenderMarkdown(md, options);
  if (UnsafeTag(html)) __builtin_trap();
  if (SanitizeHtml(html, options) != html) __builtin_trap();
  (void)PlainText(html);
  (void)Excerpt(PlainText(html), 80);
  return 0;
}
