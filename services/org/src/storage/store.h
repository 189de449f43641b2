#pragma once
// The only code of org-service that runs SQL. Every statement is a file of sql/, embedded at
// build time and prepared by name on each connection; results come back as structs with
// named fields, read from columns by name. Row-level security applies to the transaction's
// subject, which the handlers set (pg::WithTransaction).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"

namespace healthtech::org::storage {

using Tx = pqxx::transaction_base;

// Registers every statement of sql/ with `pool` (call before serving).
void PrepareStatements(pg::Pool& pool);

// ------------------------------------------------------------------ free days (free_days.cc)

// Applies one appointment.free_days event (its JSON payload) to the search read model;
// an event older than what a day holds changes nothing. Returns the days it changed.
int ApplyFreeDays(Tx& tx, const std::string& payload_json);
// Refreshes up to `batch` practitioners whose next free day in search's read model stopped
// being bookable as time passed. Returns how many changed.
int RefreshStaleNextFree(Tx& tx, int batch);

// ------------------------------------------------------------------ organizations.cc

struct Address {
  std::string line1, line2, city, state, pincode, country;
  std::optional<double> latitude, longitude;  // written only together (latitude decides)
};

struct Organization {
  std::string id, type, legal_name, display_name, registration_number;
  Address address;
  std::string contact_email, contact_phone;
  std::optional<std::string> gstin;
  std::string status;
  int late_cancellation_refund_percent = 0;
  std::string created_by;
  int64_t created_at = 0, updated_at = 0;  // epoch seconds
};

// A verified organization's change of identity that waits for review: the fields asked for.
struct PendingIdentity {
  std::optional<std::string> legal_name, registration_number, gstin;
  std::string requested_by;  // "" if unknown
  int64_t requested_at = 0;
};

struct VerificationEntry {
  std::string from_status;  // "" for the first entry
  std::string to_status, actor_id;
  std::string decision;  // "" for none
  std::optional<std::string> reason;
  int64_t at = 0;
};

// An organization visible to the caller (row-level security).
std::optional<Organization> FindOrganization(Tx& tx, const std::string& id);
std::optional<PendingIdentity> FindPendingIdentity(Tx& tx, const std::string& id);
std::vector<VerificationEntry> VerificationHistory(Tx& tx, const std::string& id);

struct NewOrganization {
  std::string type, legal_name, display_name, registration_number;
  Address address;
  std::string contact_email, contact_phone, gstin;  // gstin "" for none
  std::string created_by;
};
// Returns the new organization's id.
std::string InsertOrganization(Tx& tx, const NewOrganization& o);

// A change of an organization: each field changes only if its flag is set.
struct OrganizationChange {
  bool set_legal_name = false;
  std::string legal_name;
  bool set_display_name = false;
  std::string display_name;
  bool set_registration_number = false;
  std::string registration_number;
  bool set_address = false;
  Address address;
  bool set_contact_email = false;
  std::string contact_email;
  bool set_contact_phone = false;
  std::string contact_phone;
  bool set_gstin = false;
  std::string gstin;  // "" clears it
  bool set_late_cancellation_refund_percent = false;
  int late_cancellation_refund_percent = 0;
};
void UpdateOrganization(Tx& tx, const std::string& id, const OrganizationChange& c);
// Merges `change_json` (an object of identity fields and requested_by) into the pending change.
void RequestIdentityChange(Tx& tx, const std::string& id, const std::string& change_json);
// Locks the organization's row until the transaction ends.
void LockOrganization(Tx& tx, const std::string& id);

// ------------------------------------------------------------------ verification.cc

// The organization's status, locked for a transition.
std::string LockStatus(Tx& tx, const std::string& id);
struct DecisionState {
  std::string status, legal_name;
  bool has_pending_identity = false;
};
DecisionState LockForDecision(Tx& tx, const std::string& id);
void MarkSubmitted(Tx& tx, const std::string& id);
void SetStatus(Tx& tx, const std::string& id, const std::string& status);
void ApproveIdentityChange(Tx& tx, const std::string& id);
void DropIdentityChange(Tx& tx, const std::string& id);
// One entry of the verification history ("" for no from status, decision or reason).
void RecordTransition(Tx& tx, const std::string& org_id, const std::string& from,
                      const std::string& to, const std::string& actor, const std::string& decision,
                      const std::string& reason);

struct QueuedOrganization {
  Organization organization;
  int64_t requested_us = 0;  // when review was asked for, µs since the epoch (the page key)
};
struct QueueQuery {
  std::string status;
  bool after = false;
  int64_t after_us = 0;
  std::string after_id;
  int limit = 0;  // rows to read
};
std::vector<QueuedOrganization> ReviewQueue(Tx& tx, const QueueQuery& q);

// ------------------------------------------------------------------ documents.cc

struct Document {
  std::string id, document_type, filename, content_type;
  int size_bytes = 0;
  std::string sha256, uploaded_by;
  int64_t created_at = 0;
};
struct NewDocument {
  std::string organization_id, document_type, filename, content_type;
  std::string content;
  std::string sha256, uploaded_by;
};
// Returns the document's id and creation time.
Document InsertDocument(Tx& tx, const NewDocument& d);
struct DocumentContent {
  std::string content, content_type, filename;
};
std::optional<DocumentContent> FindDocumentContent(Tx& tx, const std::string& org_id,
                                                   const std::string& document_id);
bool HasDocuments(Tx& tx, const std::string& org_id);
std::vector<Document> ListDocuments(Tx& tx, const std::string& org_id);

// ------------------------------------------------------------------ facilities.cc

struct Facility {
  std::string id, organization_id, name;
  Address address;
  std::string timezone, phone;
  int64_t created_at = 0;
};
struct NewFacility {
  std::string organization_id, name;
  Address address;
  std::string timezone, phone;
};
std::string InsertFacility(Tx& tx, const NewFacility& f);
Facility GetFacility(Tx& tx, const std::string& id);
// Facilities of an organization after `after` ("" from the start), at most `limit`.
std::vector<Facility> ListFacilities(Tx& tx, const std::string& org_id, const std::string& after,
                                     int limit);
bool TimezoneExists(Tx& tx, const std::string& tz);

// ------------------------------------------------------------------ members.cc

bool IsMember(Tx& tx, const std::string& org_id, const std::string& user_id,
              const std::vector<std::string>& roles);
void AddCreatorAsAdmin(Tx& tx, const std::string& org_id, const std::string& user_id);
void AddMember(Tx& tx, const std::string& org_id, const std::string& user_id,
               const std::string& role);
struct MemberRole {
  std::string role;
  int64_t joined_at = 0;  // when the member first joined (any role)
};
std::vector<MemberRole> MemberRoles(Tx& tx, const std::string& org_id, const std::string& user_id);
struct Member {
  std::string user_id;
  std::vector<std::string> roles;
  int64_t joined_at = 0;
  std::optional<std::string> practitioner_id;
};
std::vector<Member> ListMembers(Tx& tx, const std::string& org_id, const std::string& after,
                                int limit);
// Removes the member's roles (only `only_role` unless ""); returns the roles removed.
std::vector<std::string> RemoveMember(Tx& tx, const std::string& org_id, const std::string& user_id,
                                      const std::string& only_role);
std::vector<std::string> AdminIds(Tx& tx, const std::string& org_id);
bool HasAdmin(Tx& tx, const std::string& org_id);

struct Invitation {
  std::string id, organization_id, email, role, invited_by;
  int64_t expires_at = 0, created_at = 0;
  std::string expires_at_text;  // RFC 3339, UTC (set on insert)
};
void RevokePendingInvitations(Tx& tx, const std::string& org_id, const std::string& email,
                              const std::string& role);
Invitation InsertInvitation(Tx& tx, const std::string& org_id, const std::string& email,
                            const std::string& role, const std::string& token_hash,
                            const std::string& invited_by, int ttl_days);
// A pending, unexpired invitation by the hash of its token, locked (organization, email, role).
std::optional<Invitation> LockInvitationByToken(Tx& tx, const std::string& token_hash);
void MarkInvitationAccepted(Tx& tx, const std::string& id, const std::string& user_id);
std::vector<Invitation> ListPendingInvitations(Tx& tx, const std::string& org_id);

// ------------------------------------------------------------------ practitioners.cc

struct PractitionerFacility {
  std::string facility_id, facility_name, organization_id, organization_name;
  Address address;
  std::string timezone;
  bool organization_verified = false;
};
struct Practitioner {
  std::string id, user_id, display_name;
  std::vector<std::string> specialties, qualifications;
  std::string registration_number;
  std::vector<std::string> languages;
  int years_of_experience = 0;
  std::string bio;
  std::vector<std::string> consultation_modes;
  int64_t fee_first_visit_minor = 0, fee_follow_up_minor = 0;
  std::string currency;
  int64_t created_at = 0, updated_at = 0;
  std::string score;          // search only: the rank, as text (the page key)
  std::string next_free_day;  // search only: "YYYY-MM-DD" or ""
  std::optional<int> meters;  // search near a point only: to the nearest facility
  std::string photo_version;  // "" without a photo
  std::string gender;         // "female", "male", "other" or "" (not said)
  std::string hpr_id;         // "71-4453-8853-6840" or ""
  std::string hpr_address;    // "meera.iyer@hpr.abdm" or ""
};
std::optional<Practitioner> FindPractitioner(Tx& tx, const std::string& id);
// The id of the practitioner with this (normalized) HPR address.
std::optional<std::string> FindPractitionerIdByHprAddress(Tx& tx, const std::string& hpr_address);
std::optional<Practitioner> FindPractitionerByUser(Tx& tx, const std::string& user_id);
std::optional<std::string> PractitionerIdOfUser(Tx& tx, const std::string& user_id);
// The photo of `user_id`'s profile replaced (nothing without a profile) or removed.
void SetPractitionerPhoto(Tx& tx, const std::string& user_id, const std::string& jpeg,
                          const std::string& sha256_hex);
void DeletePractitionerPhoto(Tx& tx, const std::string& user_id);
std::optional<std::string> PractitionerPhoto(Tx& tx, const std::string& practitioner_id);
// The practitioner's facilities, of verified organizations only unless `all`.
std::vector<PractitionerFacility> PractitionerFacilities(Tx& tx, const std::string& id, bool all);
// The facilities of verified organizations of each of these practitioners, in one query (a
// page of search results); a practitioner without any is absent.
std::map<std::string, std::vector<PractitionerFacility>> ListedFacilities(
    Tx& tx, const std::vector<std::string>& ids);
// Of `facility_ids`, those of organizations where `user_id` is a practitioner.
std::vector<std::string> AllowedFacilities(Tx& tx, const std::vector<std::string>& facility_ids,
                                           const std::string& user_id);
struct ProfileInput {
  std::string user_id, display_name;
  std::vector<std::string> specialties, qualifications;
  std::string registration_number;
  std::vector<std::string> languages;
  int years_of_experience = 0;
  std::string bio;
  std::vector<std::string> consultation_modes;
  int64_t fee_first_visit_minor = 0, fee_follow_up_minor = 0;
  std::string currency;
  std::string gender;  // as Practitioner's
  std::string hpr_id;  // normalized, or ""
  std::string hpr_address;
};
// Creates or replaces the user's profile; returns its id.
// The profile's id; nullopt when another profile holds its HPR ID or HPR address (the
// transaction is then aborted).
std::optional<std::string> UpsertPractitioner(Tx& tx, const ProfileInput& p);
void SetPractitionerFacilities(Tx& tx, const std::string& id,
                               const std::vector<std::string>& facility_ids);
// The user no longer consults for the organization: drops its facilities from their profile.
void LeaveOrganizationFacilities(Tx& tx, const std::string& org_id, const std::string& user_id);
struct BookingFacility {
  std::string facility_id, organization_id, timezone;
  bool organization_verified = false;
  std::string name, phone, organization_name;
  Address address;
};
std::vector<BookingFacility> BookingFacilities(Tx& tx, const std::string& id);
struct PractitionerSummary {
  std::string user_id, practitioner_id, display_name, specialty;
  bool verified = false;
};
std::vector<PractitionerSummary> LookupPractitioners(Tx& tx, const std::vector<std::string>& ids);

struct SearchQuery {
  std::string q, city, specialty, language, mode, available_on, gender;  // "" for no filter
  // The first visit's fee, in minor units, both included; fee_max < 0 for no maximum.
  int64_t fee_min = 0, fee_max = -1;
  std::string sort;  // "" (relevance), "soonest", "fee", "experience" or "distance"
  // Near a point: latitude and longitude (degrees) and the radius in metres.
  std::optional<double> latitude, longitude;
  double radius_meters = 0;
  bool after = false;
  std::string after_score = "0", after_id = "00000000-0000-0000-0000-000000000000";
  int limit = 0;  // rows to read
  // Everything that decides the matches (not the page's position), as one string: the key of
  // a search's facets.
  std::string MatchKey() const;
};
std::vector<Practitioner> SearchPractitioners(Tx& tx, const SearchQuery& q);
// How every match of `q` spreads (its page and order ignored; names by trigram when the text
// finds fewer than `fuzzy_below`): the number of matches, the largest values of each
// facet with their counts, and the counts per fee range — `fee_bounds` are the lowest fees of
// the ranges after the first, ascending; counts[i] is range i (fee_bounds.size() + 1 ranges).
struct FacetValue {
  std::string value;
  int count = 0;
};
struct Facets {
  int total = 0;
  std::vector<FacetValue> specialties, cities, languages, modes, genders;
  std::vector<int> fee_ranges;
};
Facets SearchFacets(Tx& tx, const SearchQuery& q, int fuzzy_below,
                    const std::vector<int64_t>& fee_bounds);
// Whether some listed practitioner has this specialty (lower-case).
bool SpecialtyListed(Tx& tx, const std::string& specialty);

}  // namespace healthtech::org::storage
