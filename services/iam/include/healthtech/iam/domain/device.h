#pragma once
// What a sign-in came from, derived from its User-Agent (no I/O), unit-tested.
#include <string>
#include <string_view>

namespace healthtech::iam {

// The browser family and operating system of a User-Agent with every version number
// removed, so a browser update does not make a known device look new. Empty input gives
// "unknown".
std::string DeviceKey(std::string_view user_agent);

// A short human description for messages: "Chrome on Windows", "Safari on iOS",
// "python-requests", or "an unknown device".
std::string DeviceLabel(std::string_view user_agent);

}  // namespace healthtech::iam
