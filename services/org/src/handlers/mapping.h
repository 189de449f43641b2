#pragma once
// What every handler of org-service shares: the caller as a database subject, the enum
// names of the API as stored text, validation of addresses, storage structs to proto, and
// loading an organization as the API shows it.
#include <string>
#include <vector>

#include "healthtech/auth/jwt.h"
#include "healthtech/org/v1/org_service.pb.h"
#include "healthtech/pg/pool.h"
#include "healthtech/status/status.h"
#include "storage/store.h"

namespace healthtech::org::handlers {

inline pg::Subject SubjectOf(const auth::Claims& c) { return {c.sub, c.RolesCsv()}; }

// Not found, or not the caller's to see (row-level security): the same answer.
absl::Status OrgNotFound();

// ---- enum <-> text, using the proto names: ORGANIZATION_TYPE_CLINIC <-> "clinic" ("" and
// the zero value for an unknown one)
std::string TypeText(v1::OrganizationType t);
std::string StatusText(v1::OrganizationStatus s);
v1::OrganizationStatus StatusOf(const std::string& s);
std::string RoleText(v1::StaffRole r);
v1::StaffRole RoleOf(const std::string& s);
std::string ModeText(v1::ConsultationMode m);
v1::ConsultationMode ModeOf(const std::string& s);
// "female", "male", "other"; "" for unspecified (not said), and back.
std::string GenderText(v1::Gender g);
v1::Gender GenderOf(const std::string& s);
std::string DecisionText(v1::VerificationDecision d);

// ---- addresses
void ValidateAddress(const common::v1::Address& a, const std::string& field,
                     std::vector<status::Violation>* v);
// The address as stored: lines trimmed, country IN by default, coordinates if given.
storage::Address AddressIn(const common::v1::Address& a);
void AddressToProto(const storage::Address& in, common::v1::Address* a);

// ---- storage -> proto
void ToProto(const storage::Organization& o, v1::Organization* out);
void ToProto(const storage::Facility& f, v1::Facility* out);
void ToProto(const storage::Document& d, const std::string& org_id, v1::OrganizationDocument* out);
void ToProto(const storage::Invitation& i, v1::StaffInvitation* out);

// Loads an organization visible to the transaction's caller (RLS) into `out`, with its
// pending change of identity and verification history when `with_history` (for members).
absl::Status LoadOrg(storage::Tx& tx, const std::string& id, bool with_history,
                     v1::Organization* out);
// Reads a practitioner and its facilities (of verified organizations only unless `all`).
void LoadPractitioner(storage::Tx& tx, const storage::Practitioner& p, bool all,
                      v1::Practitioner* out);
// The same with its facilities already read (a page of search results: ListedFacilities).
void LoadPractitioner(const storage::Practitioner& p,
                      const std::vector<storage::PractitionerFacility>& facilities,
                      v1::Practitioner* out);
// The profile of `user_id` with all its facilities; PRACTITIONER_NOT_FOUND without one.
absl::Status LoadOwnPractitioner(storage::Tx& tx, const std::string& user_id,
                                 v1::Practitioner* out);
// Whether the practitioner consults at a verified organization (the profile is public).
bool PubliclyListed(storage::Tx& tx, const std::string& practitioner_id);

}  // namespace healthtech::org::handlers
