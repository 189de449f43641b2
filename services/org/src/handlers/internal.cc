// GetPractitionerBookingInfo, LookupPractitioners: what other services (appointment,
// messaging …) ask about practitioners, with the internal token.
#include "handlers/mapping.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::org {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

grpc::Status OrgServiceImpl::GetPractitionerBookingInfo(
    Ctx* ctx, const v1::GetPractitionerBookingInfoRequest* req, v1::PractitionerBookingInfo* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    const absl::Status not_found = st::NotFound("PRACTITIONER_NOT_FOUND", "No such practitioner.");
    if (!validate::ValidUuid(req->practitioner_id())) return not_found;
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      auto row = storage::FindPractitioner(tx, req->practitioner_id());
      if (!row) return not_found;
      v1::Practitioner p;
      handlers::LoadPractitioner(tx, *row, true, &p);
      resp->set_practitioner_id(p.id());
      resp->set_user_id(p.user_id());
      resp->set_display_name(p.display_name());
      *resp->mutable_consultation_modes() = p.consultation_modes();
      *resp->mutable_specialties() = p.specialties();
      if (p.has_fees()) *resp->mutable_fees() = p.fees();
      for (const auto& f : storage::BookingFacilities(tx, p.id())) {
        auto* b = resp->add_facilities();
        b->set_facility_id(f.facility_id);
        b->set_organization_id(f.organization_id);
        b->set_timezone(f.timezone);
        b->set_organization_verified(f.organization_verified);
        b->set_name(f.name);
        handlers::AddressToProto(f.address, b->mutable_address());
        b->set_phone(f.phone);
        b->set_organization_name(f.organization_name);
        if (f.organization_verified && resp->organization_id().empty())
          resp->set_organization_id(f.organization_id);
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
    return pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
      for (const auto& r : storage::LookupPractitioners(tx, ids)) {
        auto* b = resp->add_items();
        b->set_user_id(r.user_id);
        b->set_practitioner_id(r.practitioner_id);
        b->set_display_name(r.display_name);
        b->set_specialty(r.specialty);
        b->set_verified_practitioner(r.verified);
      }
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::org
