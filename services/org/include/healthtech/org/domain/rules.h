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

// A name people see: `min`–`max` code points (at most `max` when min <= 1), and nothing that
// makes it pose as another (bidi overrides, invisible characters). Adds a violation of `field`.
void CheckName(std::string_view name, size_t min, size_t max, const std::string& field,
               std::vector<status::Violation>* v);
// An ISO 639-1 language code as stored: two lower-case letters.
bool ValidLanguage(std::string_view code);
// A Healthcare Professionals Registry ID as stored, "71-4453-8853-6840", from 14 digits
// written with or without hyphens and spaces; "" when it is not one.
std::string NormalizeHprId(std::string_view id);
// An HPR address as stored, lower case ("meera.iyer@hpr.abdm"; NHA's sandbox and older
// records use @hpr.ndhm); "" when it is not one.
std::string NormalizeHprAddress(std::string_view address);
// A document type: lower_snake_case, 2–40 characters.
bool ValidDocumentType(std::string_view type);
// An uploaded file's name: at most 255 bytes, no path separators, no NUL.
bool ValidFilename(std::string_view name);

// ---- verification of organizations (statuses and decisions are their lower-case names)

// Who moves an organization's verification: its admins submit it; platform admins see the
// review queue and decide. OK, or PERMISSION_DENIED (FORBIDDEN) with the reason for whom.
absl::Status MaySubmitForVerification(bool org_admin);
absl::Status MayListVerifications(bool platform_admin);
absl::Status MayDecideVerification(bool platform_admin);
// Whether an organization in `status` may be submitted for review (new, or asked for changes).
bool SubmittableStatus(std::string_view status);
// The status a decision on an organization under review leads to: approve -> verified,
// reject -> rejected, request_changes -> changes_requested. The event published is
// "organization." followed by it.
std::string DecisionTarget(std::string_view decision);
// The note recorded for a verified organization's change of identity: what was asked for,
// and how it was decided.
std::string IdentityChangeRequestedNote(const std::vector<std::string>& fields);
std::string IdentityChangeDecidedNote(std::string_view decision, std::string_view reason);

}  // namespace healthtech::org
