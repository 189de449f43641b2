#include "domain/preferences.h"

#include <nlohmann/json.hpp>

#include "healthtech/validate/validate.h"

namespace healthtech::notification::domain {

bool DefaultOn(const std::string& category, const std::string& channel) {
  if (category == "marketing") return false;  // opt-in
  if (channel == "push") return false;        // not delivered yet
  if (channel == "sms") return category == "appointments";
  return true;
}

bool Wants(const nlohmann::json& channels, const std::string& category,
           const std::string& channel) {
  if (category == "account") return true;  // not configurable
  auto c = channels.find(category);
  if (c != channels.end() && c->is_object()) {
    auto v = c->find(channel);
    if (v != c->end() && v->is_boolean()) return v->get<bool>();
  }
  return DefaultOn(category, channel);
}

void CheckQuietHours(const std::string& start, const std::string& end, const std::string& timezone,
                     std::vector<status::Violation>* bad) {
  using validate::ValidLocalTime;
  if (!ValidLocalTime(start))
    bad->push_back({"quiet_hours.start_local", "must be HH:MM (24-hour)"});
  if (!ValidLocalTime(end)) bad->push_back({"quiet_hours.end_local", "must be HH:MM (24-hour)"});
  if (start == end && ValidLocalTime(start))
    bad->push_back({"quiet_hours.end_local", "must differ from start_local"});
  if (timezone.empty() || timezone.size() > 64)
    bad->push_back({"quiet_hours.timezone", "must be an IANA time zone, e.g. Asia/Kolkata"});
}

bool KnownLocale(const std::string& locale) { return locale == "en" || locale == "hi"; }

}  // namespace healthtech::notification::domain
