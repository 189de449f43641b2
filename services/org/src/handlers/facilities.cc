// CreateFacility, ListFacilities: where an organization's practitioners consult.
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
      handlers::ValidateAddress(req->address(), "address", &v);
    if (!req->phone().empty() && !validate::ValidPhone(req->phone()))
      v.push_back({"phone", "must be in E.164 format"});
    storage::NewFacility f;
    f.organization_id = req->organization_id();
    f.name = name;
    f.address = handlers::AddressIn(req->address());
    f.timezone = req->timezone();
    f.phone = req->phone();
    return pg::WithTransaction(*pool_, SubjectOf(*caller), [&](storage::Tx& tx) -> absl::Status {
      // The time zone is checked against the database's list, inside the transaction.
      const std::string& tz = req->timezone();
      if (tz.empty() || tz.size() > 64 || !storage::TimezoneExists(tx, tz))
        v.push_back({"timezone", "must be an IANA time zone, e.g. Asia/Kolkata"});
      if (!v.empty()) return st::ValidationFailed(std::move(v));
      v1::Organization org;
      if (auto s = handlers::LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
      if (!storage::IsMember(tx, req->organization_id(), caller->sub, {"org_admin"})) {
        return st::PermissionDenied("FORBIDDEN", "Only this organization's admins add facilities.");
      }
      handlers::ToProto(storage::GetFacility(tx, storage::InsertFacility(tx, f)), resp);
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
    int limit = paging::Limit(req->limit());
    return pg::WithTransaction(*pool_, subject, [&](storage::Tx& tx) -> absl::Status {
      v1::Organization org;  // visibility of the organization decides visibility of its facilities
      if (auto s = handlers::LoadOrg(tx, req->organization_id(), false, &org); !s.ok()) return s;
      auto rows = storage::ListFacilities(tx, req->organization_id(), after, limit + 1);
      for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
        handlers::ToProto(rows[i], resp->add_items());
      if (static_cast<int>(rows.size()) > limit)
        resp->set_next_page_token(page_tokens_.Encode("facilities", {rows[limit - 1].id}));
      return absl::OkStatus();
    });
  });
}

}  // namespace healthtech::org
