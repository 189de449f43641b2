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

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF) with no
// U+0000: what every text field of the API must be. PostgreSQL and libpq cut text at a NUL,
// so a NUL that got through would mean one thing to a check and another to the database.
bool ValidText(std::string_view s);

// Why `name` cannot be a name shown to other people ("" when it can): control characters,
// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), zero-width and other
// invisible format characters (U+200B–U+200F, U+2060–U+2064, U+FEFF, U+00AD, U+180E), which
// let a name pose as another or hide text. Expects ValidText input.
std::string DisplayNameProblem(std::string_view name);

// A local time "HH:MM": 00:00 to 23:59, or 24:00 for the end of a day (so a window
// 22:00–24:00 means until midnight). The API's local_time format, the one rule for every
// service (availability windows, quiet hours).
bool ValidLocalTime(std::string_view s);
// A real calendar date "YYYY-MM-DD" in 2000–2200: scheduling dates (availability, time
// off, waitlists, search by day).
bool ValidDate(std::string_view s);
// The same in the years given (a date of birth: 1900 onwards).
bool ValidDate(std::string_view s, int min_year, int max_year);

}  // namespace healthtech::validate
