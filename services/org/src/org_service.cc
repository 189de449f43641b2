#include "org_service.h"

#include <algorithm>
#include <chrono>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "healthtech/auth/jwt.h"
#include "healthtech/crypto/hash.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/org/domain/rules.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/text_array.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"

namespace healthtech::org {
namespace {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;
using pqxx::transaction_base;

const absl::Status kOrgNotFound = st::NotFound("ORGANIZATION_NOT_FOUND", "No such organization.");

// ---- enum <-> text, using the proto names: ORGANIZATION_TYPE_CLINIC <-> "clinic"
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
std::string TypeText(v1::OrganizationType t) {
  return EnumText(v1::OrganizationType_descriptor(), t, "ORGANIZATION_TYPE_");
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

using crypto::RandomToken;
using crypto::Sha256Hex;
using crypto::TokenHash;

// ---- pagination: opaque keyset tokens
using paging::Limit;

// The SQL of an instant given as microseconds since the epoch (a bigint parameter).
std::string FromMicrosSql(const std::string& param) {
  return "(timestamptz 'epoch' + " + param + "::bigint * interval '1 microsecond')";
}

// A name people see: within the length, and nothing that makes it pose as another (bidi
// overrides, invisible characters).
void CheckName(std::string_view name, size_t min, size_t max, const std::string& field,
               std::vector<st::Violation>* v) {
  size_t n = validate::CodePoints(name);
  if (n < min || n > max) {
    v->push_back({field, min > 1 ? "must be " + std::to_string(min) + "–" + std::to_string(max) +
                                       " characters"
                                 : "must be at most " + std::to_string(max) + " characters"});
  } else if (std::string why = validate::DisplayNameProblem(name); !why.empty()) {
    v->push_back({field, why});
  }
}

// ---- address
void ValidateAddress(const common::v1::Address& a, const std::string& field,
                     std::vector<st::Violation>* v) {
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

constexpr const char* kOrgCols =
    "o.id::text, o.type, o.legal_name, o.display_name, o.registration_number, o.line1, o.line2, "
    "o.city, o.state, o.pincode, o.country, o.latitude, o.longitude, o.contact_email, "
    "o.contact_phone, o.gstin, o.status, o.late_cancellation_refund_percent, o.created_by::text, "
    "extract(epoch from o.created_at)::bigint, extract(epoch from o.updated_at)::bigint";

void ReadAddress(const pqxx::row& r, int first, common::v1::Address* a) {
  a->set_line1(r[first].as<std::string>());
  a->set_line2(r[first + 1].as<std::string>());
  a->set_city(r[first + 2].as<std::string>());
  a->set_state(r[first + 3].as<std::string>());
  a->set_pincode(r[first + 4].as<std::string>());
  a->set_country(r[first + 5].as<std::string>());
  if (!r[first + 6].is_null()) a->set_latitude(r[first + 6].as<double>());
  if (!r[first + 7].is_null()) a->set_longitude(r[first + 7].as<double>());
}

void ReadOrg(const pqxx::row& r, v1::Organization* o) {
  o->set_id(r[0].as<std::string>());
  o->set_type(static_cast<v1::OrganizationType>(
      EnumValue(v1::OrganizationType_descriptor(), r[1].as<std::string>(), "ORGANIZATION_TYPE_")));
  o->set_legal_name(r[2].as<std::string>());
  o->set_display_name(r[3].as<std::string>());
  o->set_registration_number(r[4].as<std::string>());
  ReadAddress(r, 5, o->mutable_address());
  o->set_contact_email(r[13].as<std::string>());
  o->set_contact_phone(r[14].as<std::string>());
  if (!r[15].is_null()) o->set_gstin(r[15].as<std::string>());
  o->set_status(StatusOf(r[16].as<std::string>()));
  o->set_late_cancellation_refund_percent(r[17].as<int>());
  o->set_created_by(r[18].as<std::string>());
  o->mutable_created_at()->set_seconds(r[19].as<int64_t>());
  o->mutable_updated_at()->set_seconds(r[20].as<int64_t>());
}

// Loads an organization visible to the transaction's caller (RLS); history for members.
absl::Status LoadOrg(transaction_base& tx, const std::string& id, bool with_history,
                     v1::Organization* out) {
  if (!validate::ValidUuid(id)) return kOrgNotFound;
  auto rows = tx.exec_params(
      std::string("SELECT ") + kOrgCols + " FROM org.organizations o WHERE o.id = $1::uuid", id);
  if (rows.empty()) return kOrgNotFound;
  ReadOrg(rows[0], out);
  if (with_history) {
    auto pending = tx.exec_params(
        "SELECT pending_identity ->> 'legal_name', pending_identity ->> 'registration_number', "
        "pending_identity ->> 'gstin', pending_identity ? 'legal_name', "
        "pending_identity ? 'registration_number', pending_identity ? 'gstin', "
        "pending_identity ->> 'requested_by', extract(epoch from identity_change_requested_at)"
        "::bigint FROM org.organizations WHERE id = $1::uuid AND pending_identity IS NOT NULL",
        id);
    if (!pending.empty()) {
      const auto& p = pending[0];
      auto* c = out->mutable_pending_identity_change();
      if (p[3].as<bool>()) c->set_legal_name(p[0].as<std::string>());
      if (p[4].as<bool>()) c->set_registration_number(p[1].as<std::string>());
      if (p[5].as<bool>()) c->set_gstin(p[2].is_null() ? "" : p[2].as<std::string>());
      c->set_requested_by(p[6].is_null() ? "" : p[6].as<std::string>());
      c->mutable_requested_at()->set_seconds(p[7].is_null() ? 0 : p[7].as<int64_t>());
    }
    for (const auto& h : tx.exec_params(
             "SELECT coalesce(from_status, ''), to_status, actor_id::text, coalesce(decision, ''), "
             "reason, extract(epoch from at)::bigint FROM org.verification_history WHERE "
             "organization_id = $1::uuid ORDER BY id",
             id)) {
      auto* e = out->add_verification_history();
      if (!h[0].as<std::string>().empty()) e->set_from_status(StatusOf(h[0].as<std::string>()));
      e->set_to_status(StatusOf(h[1].as<std::string>()));
      e->set_actor_id(h[2].as<std::string>());
      std::string decision = h[3].as<std::string>();
      if (!decision.empty()) {
        e->set_decision(static_cast<v1::VerificationDecision>(
            EnumValue(v1::VerificationDecision_descriptor(), decision, "VERIFICATION_DECISION_")));
      }
      if (!h[4].is_null()) e->set_reason(h[4].as<std::string>());
      e->mutable_at()->set_seconds(h[5].as<int64_t>());
    }
  }
  return absl::OkStatus();
}

bool IsMember(transaction_base& tx, const std::string& org_id, const std::string& user_id,
              const std::vector<std::string>& roles) {
  return !tx.exec_params(
                "SELECT 1 FROM org.members WHERE organization_id = $1::uuid AND user_id = "
                "$2::uuid AND role = ANY($3::text[])",
                org_id, user_id, pg::TextArray(roles))
              .empty();
}

void RecordTransition(transaction_base& tx, const std::string& org_id, const std::string& from,
                      const std::string& to, const std::string& actor, const std::string& decision,
                      const std::string& reason) {
  tx.exec_params(
      "INSERT INTO org.verification_history (organization_id, from_status, to_status, "
      "actor_id, decision, reason) VALUES ($1::uuid, nullif($2, ''), $3, $4::uuid, "
      "nullif($5, ''), nullif($6, ''))",
      org_id, from, to, actor, decision, reason);
}

pg::Subject SubjectOf(const auth::Claims& c) { return {c.sub, c.RolesCsv()}; }

bool ValidTimezone(transaction_base& tx, const std::string& tz) {
  if (tz.empty() || tz.size() > 64) return false;
  return !tx.exec_params("SELECT 1 FROM pg_timezone_names WHERE name = $1", tz).empty();
}

}  // namespace

OrgServiceImpl::OrgServiceImpl(const Config& config, pg::Pool* pool,
                               std::shared_ptr<grpc::Channel> iam)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      iam_(iam::v1::IamService::NewStub(iam)),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience) {}

absl::StatusOr<auth::Claims> OrgServiceImpl::Caller(const grpc::ServerContext& ctx) {
  return authn_.Authenticate(ctx);
}

absl::Status OrgServiceImpl::CheckInternal(const grpc::ServerContext& ctx) {
  return grpc_server::CheckInternalToken(ctx, config_.internal_token);
}

absl::Status OrgServiceImpl::SetIamRole(const std::string& user_id, const std::string& org_id,
                                        const std::string& role, bool granted,
                                        const std::string& request_id) {
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, config_.internal_token, request_id);
  iam::v1::SetOrgRoleRequest req;
  req.set_user_id(user_id);
  req.set_org_id(org_id);
  req.set_role(role);
  req.set_granted(granted);
  iam::v1::SetOrgRoleResponse resp;
  grpc::Status s = iam_->SetOrgRole(&ctx, req, &resp);
  if (!s.ok()) {
    log::Error("iam_set_org_role_failed",
               {{"code", static_cast<int>(s.error_code())}, {"error", s.error_message()}});
    return st::Unavailable("IAM_UNAVAILABLE", "Roles could not be updated; try again.");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<iam::v1::User>> OrgServiceImpl::LookupIamUsers(
    const std::vector<std::string>& ids, const std::vector<std::string>& emails) {
  std::vector<iam::v1::User> out;
  if (ids.empty() && emails.empty()) return out;
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, config_.internal_token);
  iam::v1::LookupUsersRequest req;
  for (const auto& id : ids) req.add_user_ids(id);
  for (const auto& e : emails) req.add_emails(e);
  iam::v1::LookupUsersResponse resp;
  grpc::Status s = iam_->LookupUsers(&ctx, req, &resp);
  if (!s.ok()) {
    log::Error("iam_lookup_failed", {{"code", static_cast<int>(s.error_code())}});
    return st::Unavailable("IAM_UNAVAILABLE", "User data is temporarily unavailable.");
  }
  out.assign(resp.users().begin(), resp.users().end());
  return out;
}

// ------------------------------------------------------------------ organizations

grpc::Status OrgServiceImpl::CreateOrganization(Ctx* ctx, const v1::CreateOrganizationRequest* req,
                                                v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string type = TypeText(req->type());
    if (type.empty())
      v.push_back({"type", "must be one of: hospital, clinic, lab, individual_practice"});
    std::string legal = validate::Trim(req->legal_name());
    CheckName(legal, 2, 200, "legal_name", &v);
    CheckName(validate::Trim(req->display_name()), 0, 200, "display_name", &v);
    std::string reg = validate::Trim(req->registration_number());
    if (reg.empty() || reg.size() > 64)
      v.push_back({"registration_number", "is required (at most 64 characters)"});
    if (!req->has_address())
      v.push_back({"address", "is required"});
    else
      ValidateAddress(req->address(), "address", &v);
    std::string email;
    if (!req->contact_email().empty() && !validate::NormalizeEmail(req->contact_email(), &email))
      v.push_back({"contact_email", "must be a valid email address"});
    if (!req->contact_phone().empty() && !validate::ValidPhone(req->contact_phone()))
      v.push_back({"contact_phone", "must be in E.164 format, e.g. +918041234567"});
    if (req->has_gstin() && !req->gstin().empty() && !ValidGstin(req->gstin()))
      v.push_back({"gstin", "must be a valid 15-character GSTIN"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    const auto& a = req->address();
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "INSERT INTO org.organizations (type, legal_name, display_name, registration_number, "
              "line1, line2, city, state, pincode, country, latitude, longitude, contact_email, "
              "contact_phone, gstin, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
              "CASE WHEN $11 THEN $12::float8 END, CASE WHEN $11 THEN $13::float8 END, $14, $15, "
              "nullif($16, ''), $17::uuid) RETURNING id::text",
              type, legal, validate::Trim(req->display_name()), reg, validate::Trim(a.line1()),
              validate::Trim(a.line2()), validate::Trim(a.city()), validate::Trim(a.state()),
              a.pincode(), a.country().empty() ? "IN" : a.country(), a.has_latitude(), a.latitude(),
              a.longitude(), email, req->contact_phone(), req->has_gstin() ? req->gstin() : "",
              caller->sub);
          std::string id = rows[0][0].as<std::string>();
          tx.exec_params(
              "INSERT INTO org.members (organization_id, user_id, role) VALUES ($1::uuid, "
              "$2::uuid, 'org_admin')",
              id, caller->sub);
          RecordTransition(tx, id, "", "pending_verification", caller->sub, "", "");
          // The creator's org_admin role, for their next token; before commit, so that a
          // failure leaves nothing half-made here.
          if (auto s = SetIamRole(caller->sub, id, "org_admin", true, scope.request_id()); !s.ok())
            return s;
          return LoadOrg(tx, id, true, resp);
        });
  });
}

grpc::Status OrgServiceImpl::GetOrganization(Ctx* ctx, const v1::GetOrganizationRequest* req,
                                             v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    pg::Subject subject;
    std::string sub;
    if (!grpc_server::Metadata(*ctx, "authorization").empty()) {
      auto caller = Caller(*ctx);
      if (!caller.ok()) return caller.status();
      subject = SubjectOf(*caller);
      sub = caller->sub;
    }
    return pg::WithTransaction(*pool_, subject, [&](transaction_base& tx) -> absl::Status {
      if (auto s = LoadOrg(tx, req->id(), false, resp); !s.ok()) return s;
      bool insider = !sub.empty() &&
                     (IsMember(tx, req->id(), sub, {"org_admin", "org_staff", "practitioner"}) ||
                      subject.roles.find("platform_admin") != std::string::npos);
      if (insider) {
        resp->Clear();
        return LoadOrg(tx, req->id(), true, resp);
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status OrgServiceImpl::UpdateOrganization(Ctx* ctx, const v1::UpdateOrganizationRequest* req,
                                                v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    if (req->has_legal_name())
      CheckName(validate::Trim(req->legal_name()), 2, 200, "legal_name", &v);
    if (req->has_display_name())
      CheckName(validate::Trim(req->display_name()), 0, 200, "display_name", &v);
    if (req->has_registration_number() && validate::Trim(req->registration_number()).empty())
      v.push_back({"registration_number", "must not be empty"});
    if (req->has_address()) ValidateAddress(req->address(), "address", &v);
    std::string email;
    if (req->has_contact_email() && !req->contact_email().empty() &&
        !validate::NormalizeEmail(req->contact_email(), &email))
      v.push_back({"contact_email", "must be a valid email address"});
    if (req->has_contact_phone() && !req->contact_phone().empty() &&
        !validate::ValidPhone(req->contact_phone()))
      v.push_back({"contact_phone", "must be in E.164 format"});
    if (req->has_gstin() && !req->gstin().empty() && !ValidGstin(req->gstin()))
      v.push_back({"gstin", "must be a valid 15-character GSTIN"});
    if (req->has_late_cancellation_refund_percent() &&
        (req->late_cancellation_refund_percent() < 0 ||
         req->late_cancellation_refund_percent() > 100))
      v.push_back({"late_cancellation_refund_percent", "must be between 0 and 100"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Organization current;
          if (auto s = LoadOrg(tx, req->id(), false, &current); !s.ok()) return s;
          if (!IsMember(tx, req->id(), caller->sub, {"org_admin"}) &&
              !caller->HasRole("platform_admin")) {
            return st::PermissionDenied("FORBIDDEN",
                                        "Only this organization's admins can change it.");
          }
          // Who the organization is (printed on invoices, checked by the reviewer) does not
          // change on its own word once verified: the change waits for a platform admin.
          bool identity_review = current.status() == v1::ORGANIZATION_STATUS_VERIFIED;
          bool set_legal = req->has_legal_name(), set_reg = req->has_registration_number(),
               set_gstin = req->has_gstin();
          if (identity_review) {
            nlohmann::json change = nlohmann::json::object();
            std::vector<std::string> fields;
            std::string legal = validate::Trim(req->legal_name());
            std::string reg = validate::Trim(req->registration_number());
            if (set_legal && legal != current.legal_name()) {
              change["legal_name"] = legal;
              fields.push_back("legal_name");
            }
            if (set_reg && reg != current.registration_number()) {
              change["registration_number"] = reg;
              fields.push_back("registration_number");
            }
            if (set_gstin && req->gstin() != current.gstin()) {
              change["gstin"] = req->gstin();
              fields.push_back("gstin");
            }
            set_legal = set_reg = set_gstin = false;
            if (!fields.empty()) {
              change["requested_by"] = caller->sub;
              tx.exec_params(
                  "UPDATE org.organizations SET pending_identity = coalesce(pending_identity, "
                  "'{}'::jsonb) || $2::jsonb, identity_change_requested_at = now() WHERE id = "
                  "$1::uuid",
                  req->id(), change.dump());
              std::string list;
              for (const auto& f : fields) list += (list.empty() ? "" : ", ") + f;
              RecordTransition(tx, req->id(), "verified", "verified", caller->sub, "",
                               "identity change requested: " + list);
            }
          }
          const auto& a = req->address();
          tx.exec_params(
              "UPDATE org.organizations SET "
              "legal_name = CASE WHEN $2 THEN $3 ELSE legal_name END, "
              "display_name = CASE WHEN $4 THEN $5 ELSE display_name END, "
              "registration_number = CASE WHEN $6 THEN $7 ELSE registration_number END, "
              "line1 = CASE WHEN $8 THEN $9 ELSE line1 END, line2 = CASE WHEN $8 THEN $10 ELSE "
              "line2 END, "
              "city = CASE WHEN $8 THEN $11 ELSE city END, state = CASE WHEN $8 THEN $12 ELSE "
              "state END, "
              "pincode = CASE WHEN $8 THEN $13 ELSE pincode END, country = CASE WHEN $8 THEN $14 "
              "ELSE country END, "
              "latitude = CASE WHEN $8 THEN (CASE WHEN $15 THEN $16::float8 END) ELSE latitude "
              "END, "
              "longitude = CASE WHEN $8 THEN (CASE WHEN $15 THEN $17::float8 END) ELSE longitude "
              "END, "
              "contact_email = CASE WHEN $18 THEN $19 ELSE contact_email END, "
              "contact_phone = CASE WHEN $20 THEN $21 ELSE contact_phone END, "
              "gstin = CASE WHEN $22 THEN nullif($23, '') ELSE gstin END, "
              "late_cancellation_refund_percent = CASE WHEN $24 THEN $25 ELSE "
              "late_cancellation_refund_percent END, "
              "updated_at = now() WHERE id = $1::uuid",
              req->id(), set_legal, validate::Trim(req->legal_name()), req->has_display_name(),
              validate::Trim(req->display_name()), set_reg,
              validate::Trim(req->registration_number()), req->has_address(),
              validate::Trim(a.line1()), validate::Trim(a.line2()), validate::Trim(a.city()),
              validate::Trim(a.state()), a.pincode(), a.country().empty() ? "IN" : a.country(),
              a.has_latitude(), a.latitude(), a.longitude(), req->has_contact_email(), email,
              req->has_contact_phone(), req->contact_phone(), set_gstin, req->gstin(),
              req->has_late_cancellation_refund_percent(), req->late_cancellation_refund_percent());
          return LoadOrg(tx, req->id(), true, resp);
        });
  });
}

grpc::Status OrgServiceImpl::UploadDocument(Ctx* ctx, const v1::UploadDocumentRequest* req,
                                            v1::OrganizationDocument* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string doc_type =
        req->document_type().empty() ? "registration_certificate" : req->document_type();
    if (doc_type.size() < 2 || doc_type.size() > 40 ||
        !std::all_of(doc_type.begin(), doc_type.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
      v.push_back(
          {"document_type", "must be a lower_snake_case name, e.g. registration_certificate"});
    std::string filename = validate::Trim(req->filename());
    if (filename.empty()) filename = "document";
    if (filename.size() > 255 || filename.find('/') != std::string::npos ||
        filename.find('\\') != std::string::npos || filename.find('\0') != std::string::npos)
      v.push_back({"filename", "must be a plain file name of at most 255 characters"});
    if (req->content().empty())
      v.push_back({"content", "is required"});
    else if (req->content().size() > 5u * 1024 * 1024)
      v.push_back({"content", "must be at most 5 MiB"});
    std::string detected = SniffContentType(req->content());
    if (!req->content().empty() && detected.empty())
      v.push_back({"content", "must be a PDF, PNG or JPEG file (checked by content)"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    std::string sha = Sha256Hex(req->content());
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Organization org;
          if (auto s = LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
          if (!IsMember(tx, req->organization_id(), caller->sub, {"org_admin", "org_staff"})) {
            return st::PermissionDenied("FORBIDDEN",
                                        "Only this organization's admins and staff can upload.");
          }
          auto rows = tx.exec_params(
              "INSERT INTO org.documents (organization_id, document_type, filename, content_type, "
              "size_bytes, sha256, content, uploaded_by) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, "
              "$8::uuid) RETURNING id::text, extract(epoch from created_at)::bigint",
              req->organization_id(), doc_type, filename, detected,
              static_cast<int>(req->content().size()), sha, pqxx::binarystring(req->content()),
              caller->sub);
          resp->set_id(rows[0][0].as<std::string>());
          resp->set_organization_id(req->organization_id());
          resp->set_document_type(doc_type);
          resp->set_filename(filename);
          resp->set_content_type(detected);
          resp->set_size_bytes(static_cast<int>(req->content().size()));
          resp->set_sha256(sha);
          resp->set_uploaded_by(caller->sub);
          resp->mutable_created_at()->set_seconds(rows[0][1].as<int64_t>());
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::GetDocumentContent(Ctx* ctx, const v1::GetDocumentContentRequest* req,
                                                v1::DocumentContent* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    const absl::Status not_found = st::NotFound("DOCUMENT_NOT_FOUND", "No such document.");
    if (!validate::ValidUuid(req->organization_id()) || !validate::ValidUuid(req->document_id()))
      return not_found;
    // Row-level security decides who sees a document (members, platform admins).
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT content, content_type, filename FROM org.documents WHERE id = $1::uuid "
              "AND organization_id = $2::uuid",
              req->document_id(), req->organization_id());
          if (rows.empty()) return not_found;
          resp->set_content(pqxx::binarystring(rows[0][0]).str());
          resp->set_content_type(rows[0][1].as<std::string>());
          resp->set_filename(rows[0][2].as<std::string>());
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::SubmitForVerification(Ctx* ctx,
                                                   const v1::SubmitForVerificationRequest* req,
                                                   v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Organization org;
          if (auto s = LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
          if (!IsMember(tx, req->organization_id(), caller->sub, {"org_admin"})) {
            return st::PermissionDenied("FORBIDDEN",
                                        "Only this organization's admins can submit it.");
          }
          auto rows =
              tx.exec_params("SELECT status FROM org.organizations WHERE id = $1::uuid FOR UPDATE",
                             req->organization_id());
          std::string from = rows[0][0].as<std::string>();
          if (from != "pending_verification" && from != "changes_requested") {
            return st::Conflict(
                "INVALID_TRANSITION",
                "Only a new organization, or one asked for changes, can be submitted.");
          }
          if (tx.exec_params("SELECT 1 FROM org.documents WHERE organization_id = $1::uuid LIMIT 1",
                             req->organization_id())
                  .empty()) {
            return st::Conflict("DOCUMENTS_REQUIRED",
                                "Upload at least one verification document first.");
          }
          tx.exec_params(
              "UPDATE org.organizations SET status = 'under_review', submitted_at = now(), "
              "updated_at = now() WHERE id = $1::uuid",
              req->organization_id());
          RecordTransition(tx, req->organization_id(), from, "under_review", caller->sub, "", "");
          return LoadOrg(tx, req->organization_id(), true, resp);
        });
  });
}

grpc::Status OrgServiceImpl::ListVerifications(Ctx* ctx, const v1::ListVerificationsRequest* req,
                                               v1::ListVerificationsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins review organizations.");
    }
    std::string status =
        req->status() == v1::ORGANIZATION_STATUS_UNSPECIFIED
            ? "under_review"
            : EnumText(v1::OrganizationStatus_descriptor(), req->status(), "ORGANIZATION_STATUS_");
    bool after = false;
    int64_t after_us = 0;
    std::string after_id = "00000000-0000-0000-0000-000000000000";
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("verifications:" + status, req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      after = true;
      after_us = *us;
      after_id = (*pos)[1];
    }
    int limit = Limit(req->limit());
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          // The queue: organizations under review, and verified ones whose change of identity
          // waits (when the queue asked for is the default one), oldest request first.
          const std::string key =
              "CASE WHEN o.status = 'verified' THEN o.identity_change_requested_at ELSE "
              "coalesce(o.submitted_at, o.created_at) END";
          auto rows = tx.exec_params(
              std::string("SELECT ") + kOrgCols + ", (extract(epoch from " + key +
                  ") * 1000000)::bigint AS k FROM org.organizations o WHERE (o.status = $1 OR "
                  "($1 = 'under_review' AND o.status = 'verified' AND o.pending_identity IS NOT "
                  "NULL)) AND (NOT $2::bool OR (" +
                  key + ", o.id) > (" + FromMicrosSql("$3") +
                  ", $4::uuid)) ORDER BY k, o.id LIMIT $5",
              status, after, after_us, after_id, limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            auto* item = resp->add_items();
            std::string id = rows[i][0].as<std::string>();
            if (auto s = LoadOrg(tx, id, true, item->mutable_organization()); !s.ok()) return s;
            item->mutable_submitted_at()->set_seconds(rows[i][21].as<int64_t>() / 1000000);
            for (const auto& d : tx.exec_params(
                     "SELECT id::text, document_type, filename, content_type, size_bytes, sha256, "
                     "uploaded_by::text, extract(epoch from created_at)::bigint FROM org.documents "
                     "WHERE organization_id = $1::uuid ORDER BY created_at",
                     id)) {
              auto* doc = item->add_documents();
              doc->set_id(d[0].as<std::string>());
              doc->set_organization_id(id);
              doc->set_document_type(d[1].as<std::string>());
              doc->set_filename(d[2].as<std::string>());
              doc->set_content_type(d[3].as<std::string>());
              doc->set_size_bytes(d[4].as<int>());
              doc->set_sha256(d[5].as<std::string>());
              doc->set_uploaded_by(d[6].as<std::string>());
              doc->mutable_created_at()->set_seconds(d[7].as<int64_t>());
            }
          }
          if (static_cast<int>(rows.size()) > limit) {
            const auto& last = rows[limit - 1];
            resp->set_next_page_token(page_tokens_.Encode(
                "verifications:" + status,
                {std::to_string(last[21].as<int64_t>()), last[0].as<std::string>()}));
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::DecideVerification(Ctx* ctx, const v1::DecideVerificationRequest* req,
                                                v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin")) {
      return st::PermissionDenied("FORBIDDEN", "Only platform admins decide verifications.");
    }
    std::string decision =
        EnumText(v1::VerificationDecision_descriptor(), req->decision(), "VERIFICATION_DECISION_");
    std::string reason = validate::Trim(req->reason());
    std::vector<st::Violation> v;
    if (decision.empty())
      v.push_back({"decision", "must be one of: approve, reject, request_changes"});
    if (decision != "approve" && reason.empty())
      v.push_back({"reason", "is required to reject or request changes"});
    if (validate::CodePoints(reason) > 2000)
      v.push_back({"reason", "must be at most 2000 characters"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    std::string to = decision == "approve"  ? "verified"
                     : decision == "reject" ? "rejected"
                                            : "changes_requested";
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Organization org;
          if (auto s = LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
          auto rows = tx.exec_params(
              "SELECT status, legal_name, pending_identity IS NOT NULL FROM org.organizations "
              "WHERE id = $1::uuid FOR UPDATE",
              req->organization_id());
          if (rows[0][0].as<std::string>() == "verified" && rows[0][2].as<bool>()) {
            // A verified organization's change of identity: applied on approval, dropped
            // otherwise; the organization stays verified under its reviewed identity.
            if (decision == "approve") {
              tx.exec_params(
                  "UPDATE org.organizations SET legal_name = CASE WHEN pending_identity ? "
                  "'legal_name' THEN pending_identity ->> 'legal_name' ELSE legal_name END, "
                  "registration_number = CASE WHEN pending_identity ? 'registration_number' THEN "
                  "pending_identity ->> 'registration_number' ELSE registration_number END, gstin "
                  "= CASE WHEN pending_identity ? 'gstin' THEN nullif(pending_identity ->> "
                  "'gstin', '') ELSE gstin END, pending_identity = NULL, "
                  "identity_change_requested_at = NULL, updated_at = now() WHERE id = $1::uuid",
                  req->organization_id());
            } else {
              tx.exec_params(
                  "UPDATE org.organizations SET pending_identity = NULL, "
                  "identity_change_requested_at = NULL WHERE id = $1::uuid",
                  req->organization_id());
            }
            RecordTransition(tx, req->organization_id(), "verified", "verified", caller->sub,
                             decision,
                             decision == "approve" ? "identity change approved"
                                                   : "identity change not accepted: " + reason);
            return LoadOrg(tx, req->organization_id(), true, resp);
          }
          if (rows[0][0].as<std::string>() != "under_review") {
            return st::Conflict("INVALID_TRANSITION",
                                "Only an organization under review can be decided.");
          }
          tx.exec_params(
              "UPDATE org.organizations SET status = $2, updated_at = now() WHERE id = $1::uuid",
              req->organization_id(), to);
          RecordTransition(tx, req->organization_id(), "under_review", to, caller->sub, decision,
                           reason);
          nlohmann::json admins = nlohmann::json::array();
          for (const auto& m :
               tx.exec_params("SELECT user_id::text FROM org.members WHERE organization_id "
                              "= $1::uuid AND role = 'org_admin'",
                              req->organization_id())) {
            admins.push_back(m[0].as<std::string>());
          }
          nlohmann::json ev = {{"organization_id", req->organization_id()},
                               {"legal_name", rows[0][1].as<std::string>()},
                               {"admin_user_ids", admins},
                               {"decided_by", caller->sub},
                               {"reason", reason}};
          outbox::Enqueue(
              tx, "org",
              "organization." + std::string(decision == "approve"  ? "verified"
                                            : decision == "reject" ? "rejected"
                                                                   : "changes_requested"),
              req->organization_id(), ev.dump());
          return LoadOrg(tx, req->organization_id(), true, resp);
        });
  });
}

// ------------------------------------------------------------------ facilities

namespace {

constexpr const char* kFacilityCols =
    "f.id::text, f.organization_id::text, f.name, f.line1, f.line2, f.city, f.state, f.pincode, "
    "f.country, f.latitude, f.longitude, f.timezone, f.phone, extract(epoch from "
    "f.created_at)::bigint";

void ReadFacility(const pqxx::row& r, v1::Facility* f) {
  f->set_id(r[0].as<std::string>());
  f->set_organization_id(r[1].as<std::string>());
  f->set_name(r[2].as<std::string>());
  ReadAddress(r, 3, f->mutable_address());
  f->set_timezone(r[11].as<std::string>());
  f->set_phone(r[12].as<std::string>());
  f->mutable_created_at()->set_seconds(r[13].as<int64_t>());
}

}  // namespace

grpc::Status OrgServiceImpl::CreateFacility(Ctx* ctx, const v1::CreateFacilityRequest* req,
                                            v1::Facility* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string name = validate::Trim(req->name());
    if (name.empty())
      v.push_back({"name", "is required (at most 200 characters)"});
    else
      CheckName(name, 1, 200, "name", &v);
    if (!req->has_address())
      v.push_back({"address", "is required"});
    else
      ValidateAddress(req->address(), "address", &v);
    if (!req->phone().empty() && !validate::ValidPhone(req->phone()))
      v.push_back({"phone", "must be in E.164 format"});
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          if (!ValidTimezone(tx, req->timezone()))
            v.push_back({"timezone", "must be an IANA time zone, e.g. Asia/Kolkata"});
          if (!v.empty()) return st::ValidationFailed(std::move(v));
          v1::Organization org;
          if (auto s = LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
          if (!IsMember(tx, req->organization_id(), caller->sub, {"org_admin"})) {
            return st::PermissionDenied("FORBIDDEN",
                                        "Only this organization's admins add facilities.");
          }
          const auto& a = req->address();
          auto rows = tx.exec_params(
              "INSERT INTO org.facilities (organization_id, name, line1, line2, city, state, "
              "pincode, "
              "country, latitude, longitude, timezone, phone) VALUES ($1::uuid, $2, $3, $4, $5, "
              "$6, $7, "
              "$8, CASE WHEN $9 THEN $10::float8 END, CASE WHEN $9 THEN $11::float8 END, $12, $13) "
              "RETURNING id::text",
              req->organization_id(), name, validate::Trim(a.line1()), validate::Trim(a.line2()),
              validate::Trim(a.city()), validate::Trim(a.state()), a.pincode(),
              a.country().empty() ? "IN" : a.country(), a.has_latitude(), a.latitude(),
              a.longitude(), req->timezone(), req->phone());
          auto f = tx.exec_params(std::string("SELECT ") + kFacilityCols +
                                      " FROM org.facilities f WHERE f.id = $1::uuid",
                                  rows[0][0].as<std::string>());
          ReadFacility(f[0], resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::ListFacilities(Ctx* ctx, const v1::ListFacilitiesRequest* req,
                                            v1::ListFacilitiesResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    pg::Subject subject;
    if (!grpc_server::Metadata(*ctx, "authorization").empty()) {
      auto caller = Caller(*ctx);
      if (!caller.ok()) return caller.status();
      subject = SubjectOf(*caller);
    }
    std::string after;
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("facilities", req->page_token(), 1);
      if (!pos.ok()) return pos.status();
      if (!validate::ValidUuid((*pos)[0])) return paging::InvalidPageToken();
      after = (*pos)[0];
    }
    int limit = Limit(req->limit());
    return pg::WithTransaction(*pool_, subject, [&](transaction_base& tx) -> absl::Status {
      v1::Organization org;  // visibility of the organization decides visibility of its facilities
      if (auto s = LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
      auto rows = tx.exec_params(std::string("SELECT ") + kFacilityCols +
                                     " FROM org.facilities f WHERE f.organization_id = $1::uuid "
                                     "AND ($2 = '' OR f.id > $2::uuid) ORDER BY f.id LIMIT $3",
                                 req->organization_id(), after, limit + 1);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
        ReadFacility(rows[i], resp->add_items());
      if (static_cast<int>(rows.size()) > limit) {
        resp->set_next_page_token(
            page_tokens_.Encode("facilities", {rows[limit - 1][0].as<std::string>()}));
      }
      return absl::OkStatus();
    });
  });
}

// ------------------------------------------------------------------ staff

grpc::Status OrgServiceImpl::InviteStaff(Ctx* ctx, const v1::InviteStaffRequest* req,
                                         v1::StaffInvitation* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string email;
    if (!validate::NormalizeEmail(req->email(), &email))
      v.push_back({"email", "must be a valid email address"});
    std::string role = RoleText(req->role());
    if (role.empty()) v.push_back({"role", "must be one of: practitioner, org_staff, org_admin"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    std::string token = RandomToken();
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Organization org;
          if (auto s = LoadOrg(tx, req->org_id(), false, &org); !s.ok()) return s;
          if (!IsMember(tx, req->org_id(), caller->sub, {"org_admin"})) {
            return st::PermissionDenied("FORBIDDEN",
                                        "Only this organization's admins invite staff.");
          }
          // A newer invitation for the same address and role replaces the older one.
          tx.exec_params(
              "UPDATE org.invitations SET status = 'revoked' WHERE organization_id = $1::uuid "
              "AND email = $2 AND role = $3 AND status = 'pending'",
              req->org_id(), email, role);
          auto rows = tx.exec_params(
              "INSERT INTO org.invitations (organization_id, email, role, token_hash, invited_by, "
              "expires_at) VALUES ($1::uuid, $2, $3, $4, $5::uuid, now() + make_interval(days => "
              "$6)) "
              "RETURNING id::text, extract(epoch from expires_at)::bigint, extract(epoch from "
              "created_at)::bigint, "
              "to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
              req->org_id(), email, role, pqxx::binarystring(TokenHash(token)), caller->sub,
              config_.invitation_ttl_days);
          std::string org_name = org.display_name().empty() ? org.legal_name() : org.display_name();
          std::string url = config_.public_web_url + "/invitations/accept?token=" + token;
          nlohmann::json ev = {{"invitation_id", rows[0][0].as<std::string>()},
                               {"organization_id", req->org_id()},
                               {"organization_name", org_name},
                               {"email", email},
                               {"role", role},
                               {"token", token},
                               {"accept_url", url},
                               {"invited_by", caller->sub},
                               {"expires_at", rows[0][3].as<std::string>()}};
          outbox::Enqueue(tx, "org", "staff.invited", req->org_id(), ev.dump());
          resp->set_id(rows[0][0].as<std::string>());
          resp->set_organization_id(req->org_id());
          resp->set_email(email);
          resp->set_role(req->role());
          resp->set_status(v1::INVITATION_STATUS_PENDING);
          resp->set_invited_by(caller->sub);
          resp->mutable_expires_at()->set_seconds(rows[0][1].as<int64_t>());
          resp->mutable_created_at()->set_seconds(rows[0][2].as<int64_t>());
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::AcceptInvitation(Ctx* ctx, const v1::AcceptInvitationRequest* req,
                                              v1::StaffMember* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (req->token().empty()) return st::ValidationFailed({{"token", "is required"}});
    auto users = LookupIamUsers({caller->sub}, {});
    if (!users.ok()) return users.status();
    if (users->empty()) return st::NotFound("USER_NOT_FOUND", "No such user.");
    const iam::v1::User me = users->front();
    const absl::Status invalid =
        st::InvalidArgument("LINK_INVALID", "This invitation is invalid, used or expired.",
                            {{"token", "invalid, used or expired"}});
    // The invitee is not a member yet: the token (checked here) is the authority.
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              "SELECT id::text, organization_id::text, email, role FROM org.invitations WHERE "
              "token_hash = $1 AND status = 'pending' AND expires_at > now() FOR UPDATE",
              pqxx::binarystring(TokenHash(req->token())));
          if (rows.empty()) return invalid;
          std::string org_id = rows[0][1].as<std::string>(), role = rows[0][3].as<std::string>();
          if (rows[0][2].as<std::string>() != me.email()) {
            return st::PermissionDenied("INVITATION_FOR_ANOTHER_EMAIL",
                                        "This invitation was sent to a different email address.");
          }
          tx.exec_params(
              "UPDATE org.invitations SET status = 'accepted', accepted_by = $2::uuid WHERE "
              "id = $1::uuid",
              rows[0][0].as<std::string>(), caller->sub);
          tx.exec_params(
              "INSERT INTO org.members (organization_id, user_id, role) VALUES ($1::uuid, "
              "$2::uuid, $3) ON CONFLICT DO NOTHING",
              org_id, caller->sub, role);
          if (auto s = SetIamRole(caller->sub, org_id, role, true, scope.request_id()); !s.ok())
            return s;
          resp->set_user_id(caller->sub);
          resp->set_organization_id(org_id);
          resp->set_email(me.email());
          resp->set_full_name(me.full_name());
          for (const auto& m :
               tx.exec_params("SELECT role, extract(epoch from min(joined_at) OVER ())::bigint "
                              "FROM org.members WHERE organization_id = $1::uuid AND "
                              "user_id = $2::uuid ORDER BY role",
                              org_id, caller->sub)) {
            resp->add_roles(RoleOf(m[0].as<std::string>()));
            resp->mutable_joined_at()->set_seconds(m[1].as<int64_t>());
          }
          auto p = tx.exec_params("SELECT id::text FROM org.practitioners WHERE user_id = $1::uuid",
                                  caller->sub);
          if (!p.empty()) resp->set_practitioner_id(p[0][0].as<std::string>());
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::ListStaff(Ctx* ctx, const v1::ListStaffRequest* req,
                                       v1::ListStaffResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::string after;
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("staff", req->page_token(), 1);
      if (!pos.ok()) return pos.status();
      if (!validate::ValidUuid((*pos)[0])) return paging::InvalidPageToken();
      after = (*pos)[0];
    }
    int limit = Limit(req->limit());
    std::vector<std::string> ids;
    std::map<std::string, v1::StaffMember> members;
    auto s =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Organization org;
          if (auto s = LoadOrg(tx, req->org_id(), false, &org); !s.ok()) return s;
          if (!IsMember(tx, req->org_id(), caller->sub,
                        {"org_admin", "org_staff", "practitioner"}) &&
              !caller->HasRole("platform_admin")) {
            return st::PermissionDenied("FORBIDDEN",
                                        "Only this organization's staff see its members.");
          }
          auto rows = tx.exec_params(
              "SELECT m.user_id::text, array_agg(m.role ORDER BY m.role)::text, "
              "extract(epoch from min(m.joined_at))::bigint, (SELECT p.id::text FROM "
              "org.practitioners p "
              "WHERE p.user_id = m.user_id) FROM org.members m WHERE m.organization_id = $1::uuid "
              "AND "
              "($2 = '' OR m.user_id > $2::uuid) GROUP BY m.user_id ORDER BY m.user_id LIMIT $3",
              req->org_id(), after, limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
            v1::StaffMember m;
            m.set_user_id(rows[i][0].as<std::string>());
            m.set_organization_id(req->org_id());
            for (const auto& r : pg::ParseTextArray(rows[i][1].as<std::string>()))
              m.add_roles(RoleOf(r));
            m.mutable_joined_at()->set_seconds(rows[i][2].as<int64_t>());
            if (!rows[i][3].is_null()) m.set_practitioner_id(rows[i][3].as<std::string>());
            ids.push_back(m.user_id());
            members[m.user_id()] = m;
          }
          if (static_cast<int>(rows.size()) > limit) {
            resp->set_next_page_token(
                page_tokens_.Encode("staff", {rows[limit - 1][0].as<std::string>()}));
          }
          if (after.empty()) {
            for (const auto& inv : tx.exec_params(
                     "SELECT id::text, email, role, invited_by::text, extract(epoch from "
                     "expires_at)::bigint, "
                     "extract(epoch from created_at)::bigint FROM org.invitations WHERE "
                     "organization_id = "
                     "$1::uuid AND status = 'pending' AND expires_at > now() ORDER BY created_at",
                     req->org_id())) {
              auto* p = resp->add_pending_invitations();
              p->set_id(inv[0].as<std::string>());
              p->set_organization_id(req->org_id());
              p->set_email(inv[1].as<std::string>());
              p->set_role(RoleOf(inv[2].as<std::string>()));
              p->set_status(v1::INVITATION_STATUS_PENDING);
              p->set_invited_by(inv[3].as<std::string>());
              p->mutable_expires_at()->set_seconds(inv[4].as<int64_t>());
              p->mutable_created_at()->set_seconds(inv[5].as<int64_t>());
            }
          }
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    auto users = LookupIamUsers(ids, {});
    if (!users.ok()) return users.status();
    for (const auto& u : *users) {
      auto it = members.find(u.id());
      if (it == members.end()) continue;
      it->second.set_email(u.email());
      it->second.set_full_name(u.full_name());
    }
    for (const auto& id : ids) *resp->add_items() = members[id];
    return absl::OkStatus();
  });
}

grpc::Status OrgServiceImpl::RemoveStaff(Ctx* ctx, const v1::RemoveStaffRequest* req,
                                         v1::RemoveStaffResponse*) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    if (!validate::ValidUuid(req->user_id()))
      return st::NotFound("MEMBER_NOT_FOUND", "No such member.");
    std::string only_role = req->has_role() ? RoleText(req->role()) : "";
    if (req->has_role() && only_role.empty()) {
      return st::ValidationFailed({{"role", "must be one of: practitioner, org_staff, org_admin"}});
    }
    std::vector<std::string> removed;
    auto s =
        pg::WithTransaction(*pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          v1::Organization org;
          if (auto s = LoadOrg(tx, req->org_id(), false, &org); !s.ok()) return s;
          if (!IsMember(tx, req->org_id(), caller->sub, {"org_admin"})) {
            return st::PermissionDenied("FORBIDDEN",
                                        "Only this organization's admins remove staff.");
          }
          // Serialize admin changes of this organization so two removals cannot both pass.
          tx.exec_params("SELECT 1 FROM org.organizations WHERE id = $1::uuid FOR UPDATE",
                         req->org_id());
          auto rows = tx.exec_params(
              "DELETE FROM org.members WHERE organization_id = $1::uuid AND user_id = "
              "$2::uuid AND ($3 = '' OR role = $3) RETURNING role",
              req->org_id(), req->user_id(), only_role);
          if (rows.empty()) return st::NotFound("MEMBER_NOT_FOUND", "No such member.");
          for (const auto& r : rows) removed.push_back(r[0].as<std::string>());
          if (std::find(removed.begin(), removed.end(), "practitioner") != removed.end()) {
            // No longer consulting here: not listed, searchable or bookable at its facilities.
            tx.exec_params(
                "DELETE FROM org.practitioner_facilities pf USING org.facilities f, "
                "org.practitioners p WHERE pf.facility_id = f.id AND f.organization_id = "
                "$1::uuid AND pf.practitioner_id = p.id AND p.user_id = $2::uuid",
                req->org_id(), req->user_id());
          }
          if (tx.exec_params(
                    "SELECT 1 FROM org.members WHERE organization_id = $1::uuid AND role = "
                    "'org_admin' LIMIT 1",
                    req->org_id())
                  .empty()) {
            return st::Conflict("LAST_ORG_ADMIN", "An organization must keep at least one admin.");
          }
          for (const auto& role : removed) {
            if (auto s = SetIamRole(req->user_id(), req->org_id(), role, false, scope.request_id());
                !s.ok())
              return s;
          }
          return absl::OkStatus();
        });
    return s;
  });
}

// ------------------------------------------------------------------ practitioners

namespace {

constexpr const char* kPractitionerCols =
    "p.id::text, p.user_id::text, p.display_name, p.specialties::text, p.qualifications::text, "
    "p.registration_number, p.languages::text, p.years_of_experience, p.bio, "
    "p.consultation_modes::text, p.fee_first_visit_minor, p.fee_follow_up_minor, p.currency, "
    "extract(epoch from p.created_at)::bigint, extract(epoch from p.updated_at)::bigint";

// Reads a practitioner row and its facilities (verified organizations only unless `all`).
void ReadPractitioner(transaction_base& tx, const pqxx::row& r, bool all, v1::Practitioner* p) {
  p->set_id(r[0].as<std::string>());
  p->set_user_id(r[1].as<std::string>());
  p->set_display_name(r[2].as<std::string>());
  for (auto& s : pg::ParseTextArray(r[3].as<std::string>())) p->add_specialties(s);
  for (auto& s : pg::ParseTextArray(r[4].as<std::string>())) p->add_qualifications(s);
  p->set_registration_number(r[5].as<std::string>());
  for (auto& s : pg::ParseTextArray(r[6].as<std::string>())) p->add_languages(s);
  p->set_years_of_experience(r[7].as<int>());
  p->set_bio(r[8].as<std::string>());
  for (auto& s : pg::ParseTextArray(r[9].as<std::string>())) p->add_consultation_modes(ModeOf(s));
  int64_t first = r[10].as<int64_t>(), follow = r[11].as<int64_t>();
  if (first > 0 || follow > 0) {
    p->mutable_fees()->mutable_first_visit()->set_amount_minor(first);
    p->mutable_fees()->mutable_first_visit()->set_currency(r[12].as<std::string>());
    p->mutable_fees()->mutable_follow_up()->set_amount_minor(follow);
    p->mutable_fees()->mutable_follow_up()->set_currency(r[12].as<std::string>());
  }
  p->mutable_created_at()->set_seconds(r[13].as<int64_t>());
  p->mutable_updated_at()->set_seconds(r[14].as<int64_t>());
  bool verified = false;
  for (const auto& f : tx.exec_params(
           "SELECT f.id::text, f.name, o.id::text, coalesce(nullif(o.display_name, ''), "
           "o.legal_name), "
           "f.line1, f.line2, f.city, f.state, f.pincode, f.country, f.latitude, f.longitude, "
           "f.timezone, o.status = 'verified' FROM org.practitioner_facilities pf JOIN "
           "org.facilities f "
           "ON f.id = pf.facility_id JOIN org.organizations o ON o.id = f.organization_id WHERE "
           "pf.practitioner_id = $1::uuid AND ($2 OR o.status = 'verified') ORDER BY f.name, f.id",
           p->id(), all)) {
    auto* pf = p->add_facilities();
    pf->set_facility_id(f[0].as<std::string>());
    pf->set_facility_name(f[1].as<std::string>());
    pf->set_organization_id(f[2].as<std::string>());
    pf->set_organization_name(f[3].as<std::string>());
    ReadAddress(f, 4, pf->mutable_address());
    pf->set_timezone(f[12].as<std::string>());
    verified = verified || f[13].as<bool>();
  }
  p->set_verified(verified);
}

bool ValidLanguage(const std::string& l) {
  return l.size() == 2 && std::islower(static_cast<unsigned char>(l[0])) &&
         std::islower(static_cast<unsigned char>(l[1]));
}

}  // namespace

grpc::Status OrgServiceImpl::UpsertMyPractitionerProfile(
    Ctx* ctx, const v1::UpsertMyPractitionerProfileRequest* req, v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string name = validate::Trim(req->display_name());
    CheckName(name, 2, 120, "display_name", &v);
    auto specialties = NormalizeList({req->specialties().begin(), req->specialties().end()});
    if (specialties.empty()) v.push_back({"specialties", "give at least one specialty"});
    if (specialties.size() > 10) v.push_back({"specialties", "at most 10"});
    for (const auto& s : specialties)
      if (s.size() > 60) v.push_back({"specialties", "each at most 60 characters"});
    std::vector<std::string> quals;
    for (const auto& q : req->qualifications()) {
      std::string t = validate::Trim(q);
      if (!t.empty()) quals.push_back(t);
      if (t.size() > 120) v.push_back({"qualifications", "each at most 120 characters"});
    }
    if (quals.size() > 20) v.push_back({"qualifications", "at most 20"});
    auto languages = NormalizeList({req->languages().begin(), req->languages().end()});
    for (const auto& l : languages) {
      if (!ValidLanguage(l)) v.push_back({"languages", "must be ISO 639-1 codes, e.g. en, hi"});
    }
    if (req->years_of_experience() < 0 || req->years_of_experience() > 80)
      v.push_back({"years_of_experience", "must be between 0 and 80"});
    if (validate::CodePoints(req->bio()) > 4000)
      v.push_back({"bio", "must be at most 4000 characters"});
    std::vector<std::string> modes;
    for (int m : req->consultation_modes()) {
      std::string t = ModeText(static_cast<v1::ConsultationMode>(m));
      if (t.empty())
        v.push_back({"consultation_modes", "must be in_person or video"});
      else if (std::find(modes.begin(), modes.end(), t) == modes.end())
        modes.push_back(t);
    }
    if (modes.empty()) v.push_back({"consultation_modes", "give at least one of in_person, video"});
    int64_t first = req->fees().first_visit().amount_minor(),
            follow = req->fees().follow_up().amount_minor();
    std::string currency =
        req->fees().first_visit().currency().empty() ? "INR" : req->fees().first_visit().currency();
    if (first < 0) v.push_back({"fees.first_visit.amount_minor", "must not be negative"});
    if (follow < 0) v.push_back({"fees.follow_up.amount_minor", "must not be negative"});
    if (first > 10'000'000 || follow > 10'000'000)
      v.push_back({"fees", "must be at most 1,00,000.00"});
    if (currency != "INR") v.push_back({"fees.first_visit.currency", "only INR is supported"});
    if (!req->fees().follow_up().currency().empty() &&
        req->fees().follow_up().currency() != currency)
      v.push_back({"fees.follow_up.currency", "must match fees.first_visit.currency"});
    std::vector<std::string> facility_ids;
    for (const auto& f : req->facility_ids()) {
      if (!validate::ValidUuid(f))
        v.push_back({"facility_ids", "must be facility ids"});
      else if (std::find(facility_ids.begin(), facility_ids.end(), f) == facility_ids.end())
        facility_ids.push_back(f);
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(
        *pool_, SubjectOf(*caller), [&](transaction_base& tx) -> absl::Status {
          // Facilities must belong to organizations where the caller is a practitioner.
          auto allowed = tx.exec_params(
              "SELECT f.id::text FROM org.facilities f JOIN org.members m ON m.organization_id = "
              "f.organization_id WHERE f.id = ANY($1::uuid[]) AND m.user_id = $2::uuid AND m.role "
              "= "
              "'practitioner'",
              pg::TextArray(facility_ids), caller->sub);
          if (static_cast<size_t>(allowed.size()) != facility_ids.size()) {
            return st::ValidationFailed(
                {{"facility_ids",
                  "every facility must belong to an organization where you are a practitioner"}});
          }
          auto rows = tx.exec_params(
              "INSERT INTO org.practitioners (user_id, display_name, specialties, qualifications, "
              "registration_number, languages, years_of_experience, bio, consultation_modes, "
              "fee_first_visit_minor, fee_follow_up_minor, currency, search_document) VALUES "
              "($1::uuid, "
              "$2, $3::text[], $4::text[], $5, $6::text[], $7, $8, $9::text[], $10, $11, $12, "
              "setweight(to_tsvector('english', $2), 'A') || setweight(to_tsvector('english', "
              "array_to_string($3::text[], ' ')), 'A') || setweight(to_tsvector('english', $8), "
              "'C')) "
              "ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name, "
              "specialties = "
              "EXCLUDED.specialties, qualifications = EXCLUDED.qualifications, registration_number "
              "= "
              "EXCLUDED.registration_number, languages = EXCLUDED.languages, years_of_experience = "
              "EXCLUDED.years_of_experience, bio = EXCLUDED.bio, consultation_modes = "
              "EXCLUDED.consultation_modes, fee_first_visit_minor = "
              "EXCLUDED.fee_first_visit_minor, "
              "fee_follow_up_minor = EXCLUDED.fee_follow_up_minor, currency = EXCLUDED.currency, "
              "search_document = EXCLUDED.search_document, updated_at = now() RETURNING id::text",
              caller->sub, name, pg::TextArray(specialties), pg::TextArray(quals),
              validate::Trim(req->registration_number()), pg::TextArray(languages),
              req->years_of_experience(), req->bio(), pg::TextArray(modes), first, follow,
              currency);
          std::string id = rows[0][0].as<std::string>();
          tx.exec_params("DELETE FROM org.practitioner_facilities WHERE practitioner_id = $1::uuid",
                         id);
          tx.exec_params(
              "INSERT INTO org.practitioner_facilities (practitioner_id, facility_id) SELECT "
              "$1::uuid, unnest($2::uuid[])",
              id, pg::TextArray(facility_ids));
          auto p = tx.exec_params(std::string("SELECT ") + kPractitionerCols +
                                      " FROM org.practitioners p WHERE p.id = $1::uuid",
                                  id);
          ReadPractitioner(tx, p[0], true, resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::GetMyPractitionerProfile(Ctx* ctx,
                                                      const v1::GetMyPractitionerProfileRequest*,
                                                      v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(std::string("SELECT ") + kPractitionerCols +
                                         " FROM org.practitioners p WHERE p.user_id = $1::uuid",
                                     caller->sub);
          if (rows.empty()) {
            return st::NotFound("PRACTITIONER_NOT_FOUND",
                                "You have no practitioner profile yet: PUT /v1/practitioners/me.");
          }
          ReadPractitioner(tx, rows[0], true, resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::GetPractitioner(Ctx* ctx, const v1::GetPractitionerRequest* req,
                                             v1::Practitioner* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    std::string sub;
    if (!grpc_server::Metadata(*ctx, "authorization").empty()) {
      auto caller = Caller(*ctx);
      if (!caller.ok()) return caller.status();
      sub = caller->sub;
    }
    const absl::Status not_found = st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
    if (!validate::ValidUuid(req->id())) return not_found;
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(std::string("SELECT ") + kPractitionerCols +
                                         " FROM org.practitioners p WHERE p.id = $1::uuid",
                                     req->id());
          if (rows.empty()) return not_found;
          bool owner = rows[0][1].as<std::string>() == sub;
          ReadPractitioner(tx, rows[0], owner, resp);
          // Only practitioners of verified organizations are public.
          if (!owner && !resp->verified()) {
            resp->Clear();
            return not_found;
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::SearchPractitioners(Ctx* ctx,
                                                 const v1::SearchPractitionersRequest* req,
                                                 v1::SearchPractitionersResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    std::vector<st::Violation> v;
    std::string q = validate::Trim(req->q());
    if (validate::CodePoints(q) > 200) v.push_back({"q", "must be at most 200 characters"});
    std::string specialty =
        NormalizeList({req->specialty()}).empty() ? "" : NormalizeList({req->specialty()})[0];
    std::string language =
        NormalizeList({req->language()}).empty() ? "" : NormalizeList({req->language()})[0];
    if (!language.empty() && !ValidLanguage(language))
      v.push_back({"language", "must be an ISO 639-1 code, e.g. hi"});
    std::string mode = ModeText(req->mode());
    const std::string& available_on = req->available_on();
    if (!available_on.empty() && !validate::ValidDate(available_on))
      v.push_back({"available_on", "must be a date YYYY-MM-DD"});
    bool has_after = false;
    std::string after_score = "0", after_id;
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("practitioners", req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      if (!paging::FiniteDoubleField((*pos)[0]).ok() || !validate::ValidUuid((*pos)[1]))
        return paging::InvalidPageToken();
      has_after = true;
      after_score = (*pos)[0];
      after_id = (*pos)[1];
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    int limit = Limit(req->limit());
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          // Pages are read in keyset order. available_on is one indexed predicate on the
          // read model of the appointment service's free days (migration V0004).
          auto page = tx.exec_params(
              std::string(
                  "WITH scored AS (SELECT p.*, CASE WHEN $1 = '' THEN 0::numeric ELSE round(("
                  "ts_rank(p.search_document, websearch_to_tsquery('english', $1)) + "
                  "similarity(p.display_name, $1))::numeric, 6) END AS score FROM "
                  "org.practitioners p "
                  "WHERE EXISTS (SELECT 1 FROM org.practitioner_facilities pf JOIN "
                  "org.facilities f ON f.id "
                  "= pf.facility_id JOIN org.organizations o ON o.id = f.organization_id WHERE "
                  "pf.practitioner_id = p.id AND o.status = 'verified' AND ($2 = '' OR "
                  "lower(f.city) = "
                  "lower($2))) AND ($3 = '' OR $3 = ANY (p.specialties)) AND ($4 = '' OR $4 = "
                  "ANY "
                  "(p.languages)) AND ($5 = '' OR $5 = ANY (p.consultation_modes)) AND ($1 = '' "
                  "OR "
                  "p.search_document @@ websearch_to_tsquery('english', $1) OR "
                  "similarity(p.display_name, "
                  "$1) > 0.3 OR EXISTS (SELECT 1 FROM unnest(p.specialties) s WHERE "
                  "similarity(s, $1) > "
                  "0.4)) AND ($10 = '' OR EXISTS (SELECT 1 FROM org.practitioner_free_days fd "
                  "WHERE fd.local_day = nullif($10, '')::date AND fd.practitioner_id = p.id AND "
                  "($5 = '' OR fd.mode = $5) AND fd.first_free < now() + fd.horizon AND "
                  "fd.last_free >= now() + fd.min_notice))) SELECT ") +
                  kPractitionerCols +
                  ", p.score::text FROM scored p WHERE (NOT $6 OR "
                  "p.score < $7::numeric OR (p.score = $7::numeric AND p.id > $8::uuid)) ORDER "
                  "BY p.score "
                  "DESC, p.id LIMIT $9",
              q, validate::Trim(req->city()), specialty, language, mode, has_after, after_score,
              has_after ? after_id : "00000000-0000-0000-0000-000000000000", limit + 1,
              available_on);
          for (int i = 0; i < static_cast<int>(page.size()) && i < limit; ++i) {
            ReadPractitioner(tx, page[i], false, resp->add_items());
          }
          if (static_cast<int>(page.size()) > limit) {
            resp->set_next_page_token(
                page_tokens_.Encode("practitioners", {page[limit - 1]["score"].as<std::string>(),
                                                      page[limit - 1]["id"].as<std::string>()}));
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::GetPractitionerBookingInfo(
    Ctx* ctx, const v1::GetPractitionerBookingInfoRequest* req, v1::PractitionerBookingInfo* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    const absl::Status not_found = st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
    if (!validate::ValidUuid(req->practitioner_id())) return not_found;
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(std::string("SELECT ") + kPractitionerCols +
                                         " FROM org.practitioners p WHERE p.id = $1::uuid",
                                     req->practitioner_id());
          if (rows.empty()) return not_found;
          v1::Practitioner p;
          ReadPractitioner(tx, rows[0], true, &p);
          resp->set_practitioner_id(p.id());
          resp->set_user_id(p.user_id());
          resp->set_display_name(p.display_name());
          *resp->mutable_consultation_modes() = p.consultation_modes();
          if (p.has_fees()) *resp->mutable_fees() = p.fees();
          auto fac = tx.exec_params(
              "SELECT f.id::text, o.id::text, f.timezone, o.status = 'verified' FROM "
              "org.practitioner_facilities pf JOIN org.facilities f ON f.id = pf.facility_id JOIN "
              "org.organizations o ON o.id = f.organization_id WHERE pf.practitioner_id = $1::uuid "
              "ORDER BY (o.status = 'verified') DESC, f.name, f.id",
              p.id());
          for (const auto& f : fac) {
            auto* b = resp->add_facilities();
            b->set_facility_id(f[0].as<std::string>());
            b->set_organization_id(f[1].as<std::string>());
            b->set_timezone(f[2].as<std::string>());
            b->set_organization_verified(f[3].as<bool>());
            if (f[3].as<bool>() && resp->organization_id().empty())
              resp->set_organization_id(f[1].as<std::string>());
          }
          resp->set_verified(!resp->organization_id().empty());
          return absl::OkStatus();
        });
  });
}

grpc::Status OrgServiceImpl::LookupPractitioners(Ctx* ctx,
                                                 const v1::LookupPractitionersRequest* req,
                                                 v1::LookupPractitionersResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    std::vector<std::string> ids;
    for (const auto& id : req->user_ids()) {
      if (validate::ValidUuid(id)) ids.push_back(id);
    }
    if (ids.size() > 500) return st::ValidationFailed({{"user_ids", "at most 500 per call"}});
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          for (const auto& r : tx.exec_params(
                   "SELECT p.user_id::text, p.id::text, p.display_name, coalesce(p.specialties[1], "
                   "''), "
                   "EXISTS (SELECT 1 FROM org.practitioner_facilities pf JOIN org.facilities f ON "
                   "f.id = "
                   "pf.facility_id JOIN org.organizations o ON o.id = f.organization_id WHERE "
                   "pf.practitioner_id = p.id AND o.status = 'verified') FROM org.practitioners p "
                   "WHERE "
                   "p.user_id = ANY($1::uuid[]) ORDER BY p.user_id",
                   pg::TextArray(ids))) {
            auto* b = resp->add_items();
            b->set_user_id(r[0].as<std::string>());
            b->set_practitioner_id(r[1].as<std::string>());
            b->set_display_name(r[2].as<std::string>());
            b->set_specialty(r[3].as<std::string>());
            b->set_verified_practitioner(r[4].as<bool>());
          }
          return absl::OkStatus();
        });
  });
}

}  // namespace healthtech::org
