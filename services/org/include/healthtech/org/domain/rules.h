#pragma once
// Pure rules of organization management (no I/O), unit-tested.
#include <string>
#include <string_view>
#include <vector>

#include "healthtech/status/status.h"

namespace healthtech::org {

// "application/pdf", "image/png" or "image/jpeg" from the first bytes; "" otherwise.
std::string SniffContentType(std::string_view content);
// 15-character Indian GSTIN: 2-digit state code, PAN, entity digit, 'Z', check char.
bool ValidGstin(std::string_view gstin);
// The two-digit state code of a GSTIN ("" if invalid).
std::string GstinStateCode(std::string_view gstin);
// Indian PIN code (6 digits, not starting with 0) or, abroad, 3–10 letters/digits.
bool ValidPostalCode(std::string_view code, std::string_view country);
// Lower-case, trimmed, deduplicated list entries (specialties, languages); empty dropped.
std::vector<std::string> NormalizeList(const std::vector<std::string>& in);

}  // namespace healthtech::org
