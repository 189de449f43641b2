// CreateOrganization, GetOrganization, UpdateOrganization.
#include <nlohmann/json.hpp>

#include "handlers/mapping.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/org/domain/rules.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::org {

using grpc_server::RpcScope;
using grpc_server::Serve;
using handlers::SubjectOf;
namespace st = status;

grpc::Status OrgServiceImpl::CreateOrganization(Ctx* ctx, const v1::CreateOrganizationRequest* req,
                                                v1::Organization* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string type = handlers::TypeText(req->type());
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
      handlers::ValidateAddress(req->address(), "address", &v);
    std::string email;
    if (!req->contact_email().empty() && !validate::NormalizeEmail(req->contact_email(), &email))
      v.push_back({"contact_email", "must be a valid email address"});
    if (!req->contact_phone().empty() && !validate::ValidPhone(req->contact_phone()))
      v.push_back({"contact_phone", "must be in E.164 format, e.g. +918041234567"});
    if (req->has_gstin() && !req->gstin().empty() && !ValidGstin(req->gstin()))
      v.push_back({"gstin", "must be a valid 15-character GSTIN"});
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    storage::NewOrganization o;
    o.type = type;
    o.legal_name = legal;
    o.display_name = validate::Trim(req->display_name());
    o.registration_number = reg;
    o.address = handlers::AddressIn(req->address());
    o.contact_email = email;
    o.contact_phone = req->contact_phone();
    o.gstin = req->has_gstin() ? req->gstin() : "";
    o.created_by = caller->sub;
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      std::string id = storage::InsertOrganization(tx, o);
      storage::AddCreatorAsAdmin(tx, id, caller->sub);
      storage::RecordTransition(tx, id, "", "pending_verification", caller->sub, "", "");
      // The creator's org_admin role, for their next token; before commit, so that a
      // failure leaves nothing half-made here.
      if (auto s = iam_.SetOrgRole(caller->sub, id, "org_admin", true, scope.request_id()); !s.ok())
        return s;
      return handlers::LoadOrg(tx, id, true, resp);
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
    return pg::WithTransaction(*pool_, subject, [&](storage::Tx& tx) -> absl::Status {
      if (auto s = handlers::LoadOrg(tx, req->id(), false, resp); !s.ok()) return s;
      bool insider =
          !sub.empty() &&
          (storage::IsMember(tx, req->id(), sub, {"org_admin", "org_staff", "practitioner"}) ||
           subject.roles.find("platform_admin") != std::string::npos);
      if (insider) {
        resp->Clear();
        return handlers::LoadOrg(tx, req->id(), true, resp);
      }
      return absl::OkStatus();
    });
  });
}

namespace {

// The part of an update that is who a verified organization is (printed on invoices, checked
// by the reviewer): it does not change on its own word, but waits for a platform admin.
// Records the request and turns those fields off in `change`.
void RequestIdentityReview(storage::Tx& tx, const v1::UpdateOrganizationRequest& req,
                           const v1::Organization& current, const std::string& actor,
                           storage::OrganizationChange* change) {
  nlohmann::json asked = nlohmann::json::object();
  std::vector<std::string> fields;
  std::string legal = validate::Trim(req.legal_name());
  std::string reg = validate::Trim(req.registration_number());
  if (change->set_legal_name && legal != current.legal_name()) {
    asked["legal_name"] = legal;
    fields.push_back("legal_name");
  }
  if (change->set_registration_number && reg != current.registration_number()) {
    asked["registration_number"] = reg;
    fields.push_back("registration_number");
  }
  if (change->set_gstin && req.gstin() != current.gstin()) {
    asked["gstin"] = req.gstin();
    fields.push_back("gstin");
  }
  change->set_legal_name = change->set_registration_number = change->set_gstin = false;
  if (fields.empty()) return;
  asked["requested_by"] = actor;
  storage::RequestIdentityChange(tx, req.id(), asked.dump());
  storage::RecordTransition(tx, req.id(), "verified", "verified", actor, "",
                            IdentityChangeRequestedNote(fields));
}

}  // namespace

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
    if (req->has_address()) handlers::ValidateAddress(req->address(), "address", &v);
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
    storage::OrganizationChange c;
    c.set_legal_name = req->has_legal_name();
    c.legal_name = validate::Trim(req->legal_name());
    c.set_display_name = req->has_display_name();
    c.display_name = validate::Trim(req->display_name());
    c.set_registration_number = req->has_registration_number();
    c.registration_number = validate::Trim(req->registration_number());
    c.set_address = req->has_address();
    c.address = handlers::AddressIn(req->address());
    c.set_contact_email = req->has_contact_email();
    c.contact_email = email;
    c.set_contact_phone = req->has_contact_phone();
    c.contact_phone = req->contact_phone();
    c.set_gstin = req->has_gstin();
    c.gstin = req->gstin();
    c.set_late_cancellation_refund_percent = req->has_late_cancellation_refund_percent();
    c.late_cancellation_refund_percent = req->late_cancellation_refund_percent();
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      v1::Organization current;
      if (auto s = handlers::LoadOrg(tx, req->id(), false, &current); !s.ok()) return s;
      if (!storage::IsMember(tx, req->id(), caller->sub, {"org_admin"}) &&
          !caller->HasRole("platform_admin")) {
        return st::PermissionDenied("FORBIDDEN", "Only this organization's admins can change it.");
      }
      if (current.status() == v1::ORGANIZATION_STATUS_VERIFIED)
        RequestIdentityReview(tx, *req, current, caller->sub, &c);
      storage::UpdateOrganization(tx, req->id(), c);
      return handlers::LoadOrg(tx, req->id(), true, resp);
    });
  });
}

}  // namespace healthtech::org
