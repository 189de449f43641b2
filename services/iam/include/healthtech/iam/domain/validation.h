#pragma once
// Pure input rules for IAM (no I/O), unit-tested.
#include <string>
#include <string_view>
#include <vector>

#include "healthtech/status/status.h"

namespace healthtech::iam {

// Lower-cased, trimmed email if valid.
bool NormalizeEmail(std::string_view in, std::string* out);
bool ValidPhone(std::string_view phone);  // E.164
// Number of Unicode code points in UTF-8 text (invalid bytes count as one each).
size_t CodePoints(std::string_view utf8);

// Password policy: 10–128 characters, not a common password, not the email itself.
// Returns the violations for `field` (empty if acceptable).
std::vector<status::Violation> CheckPassword(std::string_view password, std::string_view email,
                                             std::string_view field);

std::string Trim(std::string_view s);

}  // namespace healthtech::iam
