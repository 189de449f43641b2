#pragma once
// Small input rules shared by services (pure functions, unit-tested in IAM's tests).
#include <string>
#include <string_view>

namespace healthtech::validate {

// Lower-cased, trimmed email if valid.
bool NormalizeEmail(std::string_view in, std::string* out);
// E.164, e.g. +919812345678.
bool ValidPhone(std::string_view phone);
// Number of Unicode code points in UTF-8 text.
size_t CodePoints(std::string_view utf8);
std::string Trim(std::string_view s);
// Canonical lower-case UUID text.
bool ValidUuid(std::string_view s);

}  // namespace healthtech::validate
