#pragma once
// Message templates (files under services/notification/templates/<locale>/, embedded at
// build time) rendered with {{name}} placeholders. Plain text only; values lose CR/LF in
// subjects (no header injection) and unknown placeholders render empty.
#include <map>
#include <optional>
#include <string>

namespace healthtech::notification {

struct Rendered {
  std::string subject;
  std::string body;
};

// Falls back to English when the locale has no template; nullopt when none exists.
std::optional<Rendered> Render(const std::string& type, const std::string& locale,
                               const std::map<std::string, std::string>& values);

}  // namespace healthtech::notification
