#pragma once
// Pure input rules for IAM (no I/O), unit-tested.
#include <string>
#include <string_view>
#include <vector>

#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"

namespace healthtech::iam {

using validate::CodePoints;
using validate::NormalizeEmail;
using validate::Trim;
using validate::ValidPhone;

// Password policy: 10–128 characters, not a common password, not the email itself.
// Returns the violations for `field` (empty if acceptable).
std::vector<status::Violation> CheckPassword(std::string_view password, std::string_view email,
                                             std::string_view field);

// An ABHA address ("rahul.k001@sbx", "rahul.k001@abdm"): trimmed and lower-cased into *out;
// 3–32 letters, digits, dots and underscores before the @, starting and ending with a letter
// or digit. False when it is not one.
bool NormalizeAbhaAddress(std::string_view in, std::string* out);

}  // namespace healthtech::iam
