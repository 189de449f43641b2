#include "healthtech/iam/domain/device.h"

#include <algorithm>
#include <cctype>

namespace healthtech::iam {
namespace {

bool Has(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

std::string Browser(std::string_view ua) {
  if (Has(ua, "Edg/") || Has(ua, "Edge/")) return "Edge";
  if (Has(ua, "OPR/") || Has(ua, "Opera")) return "Opera";
  if (Has(ua, "SamsungBrowser/")) return "Samsung Internet";
  if (Has(ua, "Firefox/") || Has(ua, "FxiOS/")) return "Firefox";
  if (Has(ua, "Chrome/") || Has(ua, "Chromium/") || Has(ua, "CriOS/")) return "Chrome";
  if (Has(ua, "Safari/")) return "Safari";
  if (Has(ua, "Mozilla/")) return "a web browser";
  // A program, not a browser: its product token ("curl/8.1" -> "curl").
  auto end = ua.find_first_of("/ ;(");
  return std::string(ua.substr(0, std::min<size_t>(end, 40)));
}

std::string System(std::string_view ua) {
  if (Has(ua, "iPhone") || Has(ua, "iPad") || Has(ua, "iPod")) return "iOS";
  if (Has(ua, "Android")) return "Android";
  if (Has(ua, "Windows")) return "Windows";
  if (Has(ua, "CrOS")) return "ChromeOS";
  if (Has(ua, "Mac OS X") || Has(ua, "Macintosh")) return "macOS";
  if (Has(ua, "Linux")) return "Linux";
  return "";
}

}  // namespace

std::string DeviceKey(std::string_view user_agent) {
  std::string out;
  out.reserve(user_agent.size());
  bool in_version = false;
  for (char c : user_agent) {
    bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
    // A version is a digit and whatever digits, dots and underscores follow it.
    in_version = digit || (in_version && (c == '.' || c == '_'));
    if (!in_version) out.push_back(c);
  }
  auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return "unknown";
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

std::string DeviceLabel(std::string_view user_agent) {
  auto first = user_agent.find_first_not_of(' ');
  if (first == std::string_view::npos) return "an unknown device";
  user_agent.remove_prefix(first);
  std::string browser = Browser(user_agent);
  if (browser.empty()) return "an unknown device";
  std::string system = System(user_agent);
  return system.empty() ? browser : browser + " on " + system;
}

}  // namespace healthtech::iam
