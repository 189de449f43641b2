#include "render.h"

#include <cmark.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

namespace healthtech::forum {
namespace {

bool IsWordByte(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes numeric references and the named ones that matter here; anything else stays
// as written (and is escaped again on output).
std::string DecodeEntities(std::string_view s) {
  static const std::map<std::string, std::string, std::less<>> kNamed = {
      {"amp", "&"},         {"lt", "<"},    {"gt", ">"},   {"quot", "\""},
      {"apos", "'"},        {"colon", ":"}, {"Tab", "\t"}, {"NewLine", "\n"},
      {"nbsp", "\xC2\xA0"}, {"sol", "/"},   {"lpar", "("}, {"rpar", ")"},
  };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out.push_back(s[i++]);
      continue;
    }
    size_t j = i + 1;
    if (j < s.size() && s[j] == '#') {
      ++j;
      bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
      if (hex) ++j;
      size_t start = j;
      while (j < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[j]))
                                  : std::isdigit(static_cast<unsigned char>(s[j])))) {
        ++j;
      }
      if (j > start && j - start <= 8) {
        uint32_t cp = static_cast<uint32_t>(
            std::strtoul(std::string(s.substr(start, j - start)).c_str(), nullptr, hex ? 16 : 10));
        AppendUtf8(cp, &out);
        i = (j < s.size() && s[j] == ';') ? j + 1 : j;  // browsers accept a missing ';'
        continue;
      }
    } else {
      size_t start = j;
      while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
      if (j < s.size() && s[j] == ';') {
        auto it = kNamed.find(s.substr(start, j - start));
        if (it != kNamed.end()) {
          out += it->second;
          i = j + 1;
          continue;
        }
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

std::string EscapeAttr(std::string_view s) { return EscapeHtml(s); }

struct Tag {
  std::string name;  // lower case
  bool closing = false;
  bool self_closing = false;
  std::vector<std::pair<std::string, std::string>> attrs;  // names lower case, raw values
  std::string Attr(std::string_view n) const {
    for (const auto& [k, v] : attrs) {
      if (k == n) return v;
    }
    return "";
  }
  bool Has(std::string_view n) const {
    return std::any_of(attrs.begin(), attrs.end(), [&](const auto& a) { return a.first == n; });
  }
};

// Parses a tag starting at html[i] == '<'. Returns the index after '>' or npos when the
// text is not a well-formed tag (then the '<' is escaped as text).
size_t ParseTag(std::string_view html, size_t i, Tag* tag) {
  size_t j = i + 1;
  if (j < html.size() && html[j] == '/') {
    tag->closing = true;
    ++j;
  }
  size_t name_start = j;
  while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) != 0)) ++j;
  if (j == name_start || std::isalpha(static_cast<unsigned char>(html[name_start])) == 0) {
    return std::string_view::npos;
  }
  tag->name = Lower(html.substr(name_start, j - name_start));
  while (j < html.size()) {
    char c = html[j];
    if (c == '>') return j + 1;
    if (c == '/' && j + 1 < html.size() && html[j + 1] == '>') {
      tag->self_closing = true;
      return j + 2;
    }
    if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == '/') {
      ++j;
      continue;
    }
    if (c == '<') return std::string_view::npos;
    size_t an = j;
    while (j < html.size() && std::isspace(static_cast<unsigned char>(html[j])) == 0 &&
           html[j] != '=' && html[j] != '>' && html[j] != '/') {
      ++j;
    }
    std::string name = Lower(html.substr(an, j - an));
    while (j < html.size() && std::isspace(static_cast<unsigned char>(html[j])) != 0) ++j;
    std::string value;
    if (j < html.size() && html[j] == '=') {
      ++j;
      while (j < html.size() && std::isspace(static_cast<unsigned char>(html[j])) != 0) ++j;
      if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
        char q = html[j++];
        size_t vs = j;
        while (j < html.size() && html[j] != q) ++j;
        if (j >= html.size()) return std::string_view::npos;
        value = std::string(html.substr(vs, j - vs));
        ++j;
      } else {
        size_t vs = j;
        while (j < html.size() && std::isspace(static_cast<unsigned char>(html[j])) == 0 &&
               html[j] != '>') {
          ++j;
        }
        value = std::string(html.substr(vs, j - vs));
      }
    }
    tag->attrs.emplace_back(std::move(name), std::move(value));
  }
  return std::string_view::npos;
}

const std::vector<std::string>& PlainTags() {
  static const std::vector<std::string> k = {"p",  "br",  "hr",  "h1",         "h2", "h3",
                                             "h4", "h5",  "h6",  "strong",     "em", "b",
                                             "i",  "del", "pre", "blockquote", "ul", "li"};
  return k;
}

bool IsPlainTag(const std::string& n) {
  const auto& k = PlainTags();
  return std::find(k.begin(), k.end(), n) != k.end();
}

// Elements whose content is dropped with them (never text to show).
bool IsRawTextElement(const std::string& n) {
  return n == "script" || n == "style" || n == "iframe" || n == "object" || n == "embed" ||
         n == "template" || n == "noscript" || n == "textarea" || n == "title" || n == "xmp" ||
         n == "noembed" || n == "noframes" || n == "svg" || n == "math";
}

bool ValidCodeClass(const std::string& v) {
  if (v.rfind("language-", 0) != 0 || v.size() > 40 || v.size() == 9) return false;
  return std::all_of(v.begin() + 9, v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '+' || c == '#' ||
           c == '_';
  });
}

// Appends text, keeping valid character references and escaping every other markup
// character.
void AppendText(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '&') {
      size_t j = i + 1;
      if (j < text.size() && text[j] == '#') ++j;
      if (j < text.size() && (text[j] == 'x' || text[j] == 'X') && text[j - 1] == '#') ++j;
      size_t start = j;
      while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j])) != 0) ++j;
      if (j > start && j < text.size() && text[j] == ';' && j - i <= 32) {
        out->append(text.substr(i, j - i + 1));
        i = j;
      } else {
        out->append("&amp;");
      }
    } else if (c == '<') {
      out->append("&lt;");
    } else if (c == '>') {
      out->append("&gt;");
    } else if (c == '\0') {
      out->append("\xEF\xBF\xBD");
    } else {
      out->push_back(c);
    }
  }
}

}  // namespace

Trust TrustFor(int approved_posts, int basic_threshold, int regular_threshold) {
  if (approved_posts >= regular_threshold) return Trust::kRegular;
  if (approved_posts >= basic_threshold) return Trust::kBasic;
  return Trust::kNew;
}

int FlagWeight(Trust reporter) {
  switch (reporter) {
    case Trust::kRegular:
      return 3;
    case Trust::kBasic:
      return 2;
    case Trust::kNew:
      return 1;
  }
  return 1;
}

bool SafeUrl(std::string_view url, bool images_only, std::string* decoded) {
  std::string d = DecodeEntities(url);
  // Browsers ignore leading/trailing spaces and tabs/newlines anywhere in a URL.
  std::string cleaned;
  for (char c : d) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) continue;
    cleaned.push_back(c);
  }
  size_t a = cleaned.find_first_not_of(' ');
  size_t b = cleaned.find_last_not_of(' ');
  cleaned = a == std::string::npos ? "" : cleaned.substr(a, b - a + 1);
  if (cleaned.empty() || cleaned.size() > 2048) return false;
  *decoded = cleaned;
  size_t colon = cleaned.find(':');
  size_t stop = cleaned.find_first_of("/?#");
  if (colon == std::string::npos || (stop != std::string::npos && stop < colon)) {
    // A relative reference: no scheme. A '&' or '\' left before the first delimiter
    // could hide one from us, so refuse those.
    std::string head = cleaned.substr(0, stop == std::string::npos ? cleaned.size() : stop);
    return head.find('&') == std::string::npos && cleaned.find('\\') == std::string::npos;
  }
  std::string scheme = Lower(cleaned.substr(0, colon));
  if (scheme == "http" || scheme == "https") return true;
  return !images_only && scheme == "mailto";
}

std::string SanitizeHtml(std::string_view html, const RenderOptions& options) {
  std::string out;
  out.reserve(html.size() + 64);
  std::vector<bool> open_links;  // per <a> seen: whether it was emitted
  const bool new_user = options.author == Trust::kNew;
  const char* rel = new_user ? " rel=\"nofollow ugc\"" : " rel=\"ugc\"";
  size_t i = 0;
  while (i < html.size()) {
    size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) lt = html.size();
    AppendText(html.substr(i, lt - i), &out);
    i = lt;
    if (i >= html.size()) break;
    if (html.substr(i, 4) == "<!--") {
      size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (i + 1 < html.size() && (html[i + 1] == '!' || html[i + 1] == '?')) {
      size_t end = html.find('>', i);
      i = end == std::string_view::npos ? html.size() : end + 1;
      continue;
    }
    Tag tag;
    size_t next = ParseTag(html, i, &tag);
    if (next == std::string_view::npos) {
      out += "&lt;";
      ++i;
      continue;
    }
    i = next;
    if (IsRawTextElement(tag.name)) {
      if (!tag.closing && !tag.self_closing) {
        // Skip to the matching close tag, content included.
        std::string close = "</" + tag.name;
        std::string lower_rest = Lower(html.substr(i));
        size_t end = lower_rest.find(close);
        if (end == std::string::npos) {
          i = html.size();
        } else {
          size_t gt = html.find('>', i + end);
          i = gt == std::string_view::npos ? html.size() : gt + 1;
        }
      }
      continue;
    }
    if (IsPlainTag(tag.name)) {
      if (tag.name == "br" || tag.name == "hr") {
        if (!tag.closing) out += "<" + tag.name + " />";
      } else {
        out += tag.closing ? "</" + tag.name + ">" : "<" + tag.name + ">";
      }
      continue;
    }
    if (tag.name == "ol") {
      if (tag.closing) {
        out += "</ol>";
        continue;
      }
      std::string start = tag.Attr("start");
      bool digits = !start.empty() && start.size() <= 9 &&
                    std::all_of(start.begin(), start.end(),
                                [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      out += digits ? "<ol start=\"" + start + "\">" : "<ol>";
      continue;
    }
    if (tag.name == "code") {
      if (tag.closing) {
        out += "</code>";
        continue;
      }
      std::string cls = tag.Attr("class");
      out += ValidCodeClass(cls) ? "<code class=\"" + cls + "\">" : "<code>";
      continue;
    }
    if (tag.name == "a") {
      if (tag.closing) {
        if (!open_links.empty()) {
          if (open_links.back()) out += "</a>";
          open_links.pop_back();
        }
        continue;
      }
      std::string href;
      bool ok = tag.Has("href") && SafeUrl(tag.Attr("href"), false, &href);
      if (tag.self_closing) continue;
      open_links.push_back(ok);
      if (!ok) continue;
      out += "<a href=\"" + EscapeAttr(href) + "\"";
      if (tag.Has("title"))
        out += " title=\"" + EscapeAttr(DecodeEntities(tag.Attr("title"))) + "\"";
      out += rel;
      out += ">";
      continue;
    }
    if (tag.name == "img") {
      if (tag.closing) continue;
      std::string src;
      if (!tag.Has("src") || !SafeUrl(tag.Attr("src"), true, &src)) continue;
      std::string alt = DecodeEntities(tag.Attr("alt"));
      if (new_user || !open_links.empty()) {
        // New users' images show as links (and an image inside a link stays its text).
        if (!open_links.empty()) {
          AppendText(EscapeHtml(alt.empty() ? src : alt), &out);
        } else {
          out += "<a href=\"" + EscapeAttr(src) + "\"" + rel + ">" +
                 EscapeHtml(alt.empty() ? src : alt) + "</a>";
        }
        continue;
      }
      out += "<img src=\"" + EscapeAttr(src) + "\" alt=\"" + EscapeAttr(alt) + "\"";
      if (tag.Has("title"))
        out += " title=\"" + EscapeAttr(DecodeEntities(tag.Attr("title"))) + "\"";
      out += " loading=\"lazy\" referrerpolicy=\"no-referrer\" />";
      continue;
    }
    // Anything else: the tag goes, its content (already text) stays.
  }
  while (!open_links.empty()) {
    if (open_links.back()) out += "</a>";
    open_links.pop_back();
  }
  return out;
}

std::string RenderMarkdown(std::string_view markdown, const RenderOptions& options) {
  // CMARK_OPT_DEFAULT is safe mode in cmark >= 0.29: raw HTML becomes a comment and
  // dangerous URLs become empty. VALIDATE_UTF8 replaces invalid sequences.
  int opts = CMARK_OPT_DEFAULT | CMARK_OPT_SAFE | CMARK_OPT_VALIDATE_UTF8;
  std::unique_ptr<char, decltype(&std::free)> html(
      cmark_markdown_to_html(markdown.data(), markdown.size(), opts), &std::free);
  if (!html) return "";
  return SanitizeHtml(html.get(), options);
}

std::string PlainText(std::string_view html) {
  std::string text;
  size_t i = 0;
  while (i < html.size()) {
    size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) lt = html.size();
    text += DecodeEntities(html.substr(i, lt - i));
    if (lt >= html.size()) break;
    size_t gt = html.find('>', lt);
    if (gt == std::string_view::npos) break;
    text.push_back(' ');
    i = gt + 1;
  }
  std::string out;
  bool space = true;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u) != 0 || u < 0x20) {
      if (!space) out.push_back(' ');
      space = true;
    } else {
      out.push_back(c);
      space = false;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string Excerpt(std::string_view text, size_t max_code_points) {
  size_t cps = 0, i = 0;
  while (i < text.size() && cps < max_code_points) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    i += len;
    ++cps;
  }
  if (i >= text.size()) return std::string(text);
  std::string cut(text.substr(0, i));
  size_t sp = cut.find_last_of(' ');
  if (sp != std::string::npos && sp > cut.size() / 2) cut.resize(sp);
  return cut + "\xE2\x80\xA6";
}

bool ContainsWord(std::string_view text, std::string_view word) {
  std::string t = Lower(text), w = Lower(word);
  if (w.empty()) return false;
  for (size_t pos = t.find(w); pos != std::string::npos; pos = t.find(w, pos + 1)) {
    bool left = pos == 0 || !IsWordByte(static_cast<unsigned char>(t[pos - 1])) ||
                !IsWordByte(static_cast<unsigned char>(w.front()));
    size_t end = pos + w.size();
    bool right = end >= t.size() || !IsWordByte(static_cast<unsigned char>(t[end])) ||
                 !IsWordByte(static_cast<unsigned char>(w.back()));
    if (left && right) return true;
  }
  return false;
}

}  // namespace healthtech::forum
