#include "render.h"

#include <vector>

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

std::string RenderSms(const std::string& type, const std::string& locale,
                      const std::map<std::string, std::string>& values, int max_segments) {
  const auto& t = Templates();
  for (const std::string& l : {locale, std::string("en")}) {
    if (auto sms = t.find(l + "/" + type + ".sms"); sms != t.end())
      return FitSms(Fill(sms->second, values, true), max_segments);
  }
  auto full = Render(type, locale, values);
  return full ? FitSms(full->body, max_segments) : "";
}

namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as U+FFFD.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

// 0 = not in GSM-7, 1 = basic set, 2 = extension table (escape + char).
int GsmUnits(char32_t c) {
  static const std::u32string kBasic =
      U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      U"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  static const std::u32string kExtension = U"^{}\\[~]|€\f";
  if (kBasic.find(c) != std::u32string::npos) return 1;
  if (kExtension.find(c) != std::u32string::npos) return 2;
  return 0;
}

}  // namespace

SmsLength CountSms(std::string_view utf8) {
  int gsm = 0, utf16 = 0;
  bool unicode = false;
  for (size_t i = 0; i < utf8.size();) {
    char32_t c = NextCodePoint(utf8, i);
    int u = GsmUnits(c);
    if (u == 0) unicode = true;
    gsm += u;
    utf16 += c > 0xFFFF ? 2 : 1;
  }
  SmsLength out;
  out.unicode = unicode;
  out.units = unicode ? utf16 : gsm;
  int single = unicode ? 70 : 160, part = unicode ? 67 : 153;
  out.segments = out.units == 0 ? 0 : out.units <= single ? 1 : (out.units + part - 1) / part;
  return out;
}

std::string FitSms(const std::string& text, int max_segments) {
  if (CountSms(text).segments <= max_segments) return text;
  // Cut whole code points from the end until the ellipsis fits; "…" is not GSM-7, so plain
  // GSM text ends with "..." instead of turning into UCS-2 and losing half its room.
  const std::string ellipsis = CountSms(text).unicode ? "…" : "...";
  std::vector<size_t> starts;
  for (size_t i = 0; i < text.size();) {
    starts.push_back(i);
    NextCodePoint(text, i);
  }
  size_t lo = 0, hi = starts.size();
  while (lo < hi) {  // the longest prefix that fits
    size_t mid = (lo + hi + 1) / 2;
    std::string candidate = text.substr(0, starts[mid]) + ellipsis;
    if (CountSms(candidate).segments <= max_segments)
      lo = mid;
    else
      hi = mid - 1;
  }
  return text.substr(0, starts[lo]) + ellipsis;
}

std::string HtmlEmail(const std::string& subject, const std::string& text) {
  std::string body;
  size_t i = 0;
  while (i < text.size()) {
    size_t link = std::min(text.find("https://", i), text.find("http://", i));
    if (link == std::string::npos) {
      body += EscapeHtml(std::string_view(text).substr(i));
      break;
    }
    body += EscapeHtml(std::string_view(text).substr(i, link - i));
    size_t end = text.find_first_of(" \n\t<>\"'", link);
    if (end == std::string::npos) end = text.size();
    std::string url = EscapeHtml(std::string_view(text).substr(link, end - link));
    body += "<a href=\"" + url + "\">" + url + "</a>";
    i = end;
  }
  std::string html;
  for (char c : body) {
    if (c == '\n')
      html += "<br>\n";
    else
      html.push_back(c);
  }
  return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + EscapeHtml(subject) +
         "</title></head>\n<body style=\"font-family:sans-serif\">\n<p>" + html +
         "</p>\n</body></html>\n";
}

}  // namespace healthtech::notification
