#pragma once
// Message templates (files under services/notification/templates/<locale>/, embedded at
// build time) rendered with {{name}} placeholders. Plain text only; values lose CR/LF in
// subjects (no header injection) and unknown placeholders render empty.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "healthtech/text/html.h"

namespace healthtech::notification {

struct Rendered {
  std::string subject;
  std::string body;
};

// Falls back to English when the locale has no template; nullopt when none exists.
std::optional<Rendered> Render(const std::string& type, const std::string& locale,
                               const std::map<std::string, std::string>& values);

// The SMS text (`<type>.sms`, else the body), fitted to `max_segments`.
std::string RenderSms(const std::string& type, const std::string& locale,
                      const std::map<std::string, std::string>& values, int max_segments = 3);

// SMS length as carriers count it: GSM-7 (160 per message, 153 per part; ^{}[]~|\€ take
// two) unless any character needs UCS-2 (70, 67 per part, in UTF-16 units).
struct SmsLength {
  bool unicode = false;
  int units = 0;
  int segments = 0;
};
SmsLength CountSms(std::string_view utf8);
// Shortens `text` on a character boundary, ending it with "…", to fit `max_segments`.
std::string FitSms(const std::string& text, int max_segments);

// An HTML alternative of a plain-text message: every character escaped, links clickable.
std::string HtmlEmail(const std::string& subject, const std::string& text);
using text::EscapeHtml;

}  // namespace healthtech::notification
