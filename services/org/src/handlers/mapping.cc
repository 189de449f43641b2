#include "handlers/mapping.h"

#include <algorithm>
#include <cctype>

#include "healthtech/org/domain/rules.h"
#include "healthtech/validate/validate.h"

namespace healthtech::org::handlers {
namespace {

template <class E>
std::string EnumText(const google::protobuf::EnumDescriptor* d, E value,
                     const std::string& prefix) {
  const auto* v = d->FindValueByNumber(static_cast<int>(value));
  if (v == nullptr || v->number() == 0) return "";
  std::string n = v->name().substr(prefix.size());
  std::transform(n.begin(), n.end(), n.begin(), ::tolower);
  return n;
}

int EnumValue(const google::protobuf::EnumDescriptor* d, std::string text,
              const std::string& prefix) {
  std::transform(text.begin(), text.end(), text.begin(), ::toupper);
  const auto* v = d->FindValueByName(prefix + text);
  return v ? v->number() : 0;
}

}  // namespace

void AddressToProto(const storage::Address& in, common::v1::Address* a) {
  a->set_line1(in.line1);
  a->set_line2(in.line2);
  a->set_city(in.city);
  a->set_state(in.state);
  a->set_pincode(in.pincode);
  a->set_country(in.country);
  if (in.latitude) a->set_latitude(*in.latitude);
  if (in.longitude) a->set_longitude(*in.longitude);
}

absl::Status OrgNotFound() {
  return status::NotFound("ORGANIZATION_NOT_FOUND", "No such organization.");
}

std::string TypeText(v1::OrganizationType t) {
  return EnumText(v1::OrganizationType_descriptor(), t, "ORGANIZATION_TYPE_");
}
std::string StatusText(v1::OrganizationStatus s) {
  return EnumText(v1::OrganizationStatus_descriptor(), s, "ORGANIZATION_STATUS_");
}
v1::OrganizationStatus StatusOf(const std::string& s) {
  return static_cast<v1::OrganizationStatus>(
      EnumValue(v1::OrganizationStatus_descriptor(), s, "ORGANIZATION_STATUS_"));
}
std::string RoleText(v1::StaffRole r) {
  return EnumText(v1::StaffRole_descriptor(), r, "STAFF_ROLE_");
}
v1::StaffRole RoleOf(const std::string& s) {
  return static_cast<v1::StaffRole>(EnumValue(v1::StaffRole_descriptor(), s, "STAFF_ROLE_"));
}
std::string ModeText(v1::ConsultationMode m) {
  return EnumText(v1::ConsultationMode_descriptor(), m, "CONSULTATION_MODE_");
}
v1::ConsultationMode ModeOf(const std::string& s) {
  return static_cast<v1::ConsultationMode>(
      EnumValue(v1::ConsultationMode_descriptor(), s, "CONSULTATION_MODE_"));
}
std::string GenderText(v1::Gender g) {
  return g == v1::GENDER_UNSPECIFIED ? "" : EnumText(v1::Gender_descriptor(), g, "GENDER_");
}
v1::Gender GenderOf(const std::string& s) {
  return s.empty() ? v1::GENDER_UNSPECIFIED
                   : static_cast<v1::Gender>(EnumValue(v1::Gender_descriptor(), s, "GENDER_"));
}
std::string DecisionText(v1::VerificationDecision d) {
  return EnumText(v1::VerificationDecision_descriptor(), d, "VERIFICATION_DECISION_");
}

void ValidateAddress(const common::v1::Address& a, const std::string& field,
                     std::vector<status::Violation>* v) {
  if (validate::Trim(a.line1()).empty()) v->push_back({field + ".line1", "is required"});
  if (validate::Trim(a.city()).empty()) v->push_back({field + ".city", "is required"});
  if (validate::Trim(a.state()).empty()) v->push_back({field + ".state", "is required"});
  std::string country = a.country().empty() ? "IN" : a.country();
  if (country.size() != 2 || !std::isupper(static_cast<unsigned char>(country[0])) ||
      !std::isupper(static_cast<unsigned char>(country[1]))) {
    v->push_back({field + ".country", "must be an ISO 3166-1 alpha-2 code, e.g. IN"});
  }
  if (!ValidPostalCode(a.pincode(), country)) {
    v->push_back({field + ".pincode", "must be a valid postal code (6 digits in India)"});
  }
  if (a.has_latitude() != a.has_longitude()) {
    v->push_back({field + ".latitude", "give both latitude and longitude, or neither"});
  }
  if (a.has_latitude() && (a.latitude() < -90 || a.latitude() > 90))
    v->push_back({field + ".latitude", "must be between -90 and 90"});
  if (a.has_longitude() && (a.longitude() < -180 || a.longitude() > 180))
    v->push_back({field + ".longitude", "must be between -180 and 180"});
  for (const auto* s : {&a.line1(), &a.line2(), &a.city(), &a.state()}) {
    if (validate::CodePoints(*s) > 200)
      v->push_back({field, "address lines are at most 200 characters"});
  }
}

storage::Address AddressIn(const common::v1::Address& a) {
  storage::Address out;
  out.line1 = validate::Trim(a.line1());
  out.line2 = validate::Trim(a.line2());
  out.city = validate::Trim(a.city());
  out.state = validate::Trim(a.state());
  out.pincode = a.pincode();
  out.country = a.country().empty() ? "IN" : a.country();
  // Coordinates are written together, when latitude is given (validation asks for both).
  if (a.has_latitude()) {
    out.latitude = a.latitude();
    out.longitude = a.longitude();
  }
  return out;
}

void ToProto(const storage::Organization& r, v1::Organization* o) {
  o->set_id(r.id);
  o->set_type(static_cast<v1::OrganizationType>(
      EnumValue(v1::OrganizationType_descriptor(), r.type, "ORGANIZATION_TYPE_")));
  o->set_legal_name(r.legal_name);
  o->set_display_name(r.display_name);
  o->set_registration_number(r.registration_number);
  AddressToProto(r.address, o->mutable_address());
  o->set_contact_email(r.contact_email);
  o->set_contact_phone(r.contact_phone);
  if (r.gstin) o->set_gstin(*r.gstin);
  o->set_status(StatusOf(r.status));
  o->set_late_cancellation_refund_percent(r.late_cancellation_refund_percent);
  o->set_created_by(r.created_by);
  o->mutable_created_at()->set_seconds(r.created_at);
  o->mutable_updated_at()->set_seconds(r.updated_at);
}

void ToProto(const storage::Facility& r, v1::Facility* f) {
  f->set_id(r.id);
  f->set_organization_id(r.organization_id);
  f->set_name(r.name);
  AddressToProto(r.address, f->mutable_address());
  f->set_timezone(r.timezone);
  f->set_phone(r.phone);
  f->mutable_created_at()->set_seconds(r.created_at);
}

void ToProto(const storage::Document& d, const std::string& org_id, v1::OrganizationDocument* doc) {
  doc->set_id(d.id);
  doc->set_organization_id(org_id);
  doc->set_document_type(d.document_type);
  doc->set_filename(d.filename);
  doc->set_content_type(d.content_type);
  doc->set_size_bytes(d.size_bytes);
  doc->set_sha256(d.sha256);
  doc->set_uploaded_by(d.uploaded_by);
  doc->mutable_created_at()->set_seconds(d.created_at);
}

void ToProto(const storage::Invitation& i, v1::StaffInvitation* p) {
  p->set_id(i.id);
  p->set_organization_id(i.organization_id);
  p->set_email(i.email);
  p->set_role(RoleOf(i.role));
  p->set_status(v1::INVITATION_STATUS_PENDING);
  p->set_invited_by(i.invited_by);
  p->mutable_expires_at()->set_seconds(i.expires_at);
  p->mutable_created_at()->set_seconds(i.created_at);
}

absl::Status LoadOrg(storage::Tx& tx, const std::string& id, bool with_history,
                     v1::Organization* out) {
  if (!validate::ValidUuid(id)) return OrgNotFound();
  auto org = storage::FindOrganization(tx, id);
  if (!org) return OrgNotFound();
  ToProto(*org, out);
  if (!with_history) return absl::OkStatus();
  if (auto p = storage::FindPendingIdentity(tx, id)) {
    auto* c = out->mutable_pending_identity_change();
    if (p->legal_name) c->set_legal_name(*p->legal_name);
    if (p->registration_number) c->set_registration_number(*p->registration_number);
    if (p->gstin) c->set_gstin(*p->gstin);
    c->set_requested_by(p->requested_by);
    c->mutable_requested_at()->set_seconds(p->requested_at);
  }
  for (const auto& h : storage::VerificationHistory(tx, id)) {
    auto* e = out->add_verification_history();
    if (!h.from_status.empty()) e->set_from_status(StatusOf(h.from_status));
    e->set_to_status(StatusOf(h.to_status));
    e->set_actor_id(h.actor_id);
    if (!h.decision.empty()) {
      e->set_decision(static_cast<v1::VerificationDecision>(
          EnumValue(v1::VerificationDecision_descriptor(), h.decision, "VERIFICATION_DECISION_")));
    }
    if (h.reason) e->set_reason(*h.reason);
    e->mutable_at()->set_seconds(h.at);
  }
  return absl::OkStatus();
}

void LoadPractitioner(const storage::Practitioner& r,
                      const std::vector<storage::PractitionerFacility>& facilities,
                      v1::Practitioner* p) {
  p->set_id(r.id);
  p->set_user_id(r.user_id);
  p->set_display_name(r.display_name);
  for (const auto& s : r.specialties) p->add_specialties(s);
  for (const auto& s : r.qualifications) p->add_qualifications(s);
  p->set_registration_number(r.registration_number);
  for (const auto& s : r.languages) p->add_languages(s);
  p->set_years_of_experience(r.years_of_experience);
  p->set_bio(r.bio);
  for (const auto& s : r.consultation_modes) p->add_consultation_modes(ModeOf(s));
  int64_t first = r.fee_first_visit_minor, follow = r.fee_follow_up_minor;
  if (first > 0 || follow > 0) {
    p->mutable_fees()->mutable_first_visit()->set_amount_minor(first);
    p->mutable_fees()->mutable_first_visit()->set_currency(r.currency);
    p->mutable_fees()->mutable_follow_up()->set_amount_minor(follow);
    p->mutable_fees()->mutable_follow_up()->set_currency(r.currency);
  }
  p->mutable_created_at()->set_seconds(r.created_at);
  p->mutable_updated_at()->set_seconds(r.updated_at);
  if (!r.photo_version.empty())
    p->set_photo_url("/v1/practitioners/" + r.id + "/photo?v=" + r.photo_version);
  p->set_gender(GenderOf(r.gender));
  p->set_hpr_id(r.hpr_id);
  p->set_hpr_address(r.hpr_address);
  bool verified = false;
  for (const auto& f : facilities) {
    auto* pf = p->add_facilities();
    pf->set_facility_id(f.facility_id);
    pf->set_facility_name(f.facility_name);
    pf->set_organization_id(f.organization_id);
    pf->set_organization_name(f.organization_name);
    AddressToProto(f.address, pf->mutable_address());
    pf->set_timezone(f.timezone);
    verified = verified || f.organization_verified;
  }
  p->set_verified(verified);
}

void LoadPractitioner(storage::Tx& tx, const storage::Practitioner& r, bool all,
                      v1::Practitioner* p) {
  LoadPractitioner(r, storage::PractitionerFacilities(tx, r.id, all), p);
}

absl::Status LoadOwnPractitioner(storage::Tx& tx, const std::string& user_id,
                                 v1::Practitioner* out) {
  auto p = storage::FindPractitionerByUser(tx, user_id);
  if (!p) {
    return status::NotFound("PRACTITIONER_NOT_FOUND",
                            "You have no practitioner profile yet: PUT /v1/practitioners/me.");
  }
  LoadPractitioner(tx, *p, true, out);
  return absl::OkStatus();
}

bool PubliclyListed(storage::Tx& tx, const std::string& practitioner_id) {
  // Without `all`, only facilities of verified organizations are listed.
  return !storage::PractitionerFacilities(tx, practitioner_id, false).empty();
}

}  // namespace healthtech::org::handlers
