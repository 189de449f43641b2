#pragma once
// Which channels a user takes per category, and what quiet hours and locales may be: no
// database and no gRPC.
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "healthtech/status/status.h"

namespace healthtech::notification::domain {

// The categories a user can configure; "account" messages cannot be turned off.
constexpr std::array<const char*, 4> kConfigurable = {"appointments", "payments", "forum",
                                                      "marketing"};

// What a category uses when the user never said: email and in-app on, SMS for appointments
// only, marketing off (opt-in), push off (not delivered yet).
bool DefaultOn(const std::string& category, const std::string& channel);

// Whether `channels` ({"<category>": {"<channel>": bool}}, as stored) turns `channel` of
// `category` on; what the user did not say falls back to DefaultOn.
bool Wants(const nlohmann::json& channels, const std::string& category, const std::string& channel);

// What is wrong with quiet hours `start`–`end` ("HH:MM", 24-hour; may cross midnight) in zone
// `timezone` (whether the zone exists is the database's to say), appended to `bad`.
void CheckQuietHours(const std::string& start, const std::string& end, const std::string& timezone,
                     std::vector<status::Violation>* bad);

// The locales messages are written in.
bool KnownLocale(const std::string& locale);

}  // namespace healthtech::notification::domain
