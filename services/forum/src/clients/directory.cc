#include "clients/directory.h"

#include <algorithm>

#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/validate/validate.h"

namespace healthtech::forum::clients {

Directory::Directory(std::shared_ptr<grpc::Channel> iam, std::shared_ptr<grpc::Channel> org,
                     std::shared_ptr<grpc::Channel> appointment, std::string internal_token)
    : iam_(iam::v1::IamService::NewStub(iam)),
      org_(org::v1::OrgService::NewStub(org)),
      appointment_(appointment::v1::AppointmentService::NewStub(appointment)),
      internal_token_(std::move(internal_token)) {}

std::map<std::string, Person> Directory::People(const std::vector<std::string>& user_ids,
                                                const std::string& request_id, bool* upstream_ok) {
  std::map<std::string, Person> out;
  std::vector<std::string> missing;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(people_mu_);
    for (const auto& id : user_ids) {
      if (out.count(id) > 0) continue;
      auto it = people_.find(id);
      if (it != people_.end() && it->second.expires > now) {
        out[id] = it->second.person;
      } else if (validate::ValidUuid(id)) {
        missing.push_back(id);
      }
    }
  }
  if (upstream_ok != nullptr) *upstream_ok = true;
  if (missing.empty()) return out;
  std::sort(missing.begin(), missing.end());
  missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
  std::map<std::string, Person> fetched;
  bool ok = true;
  {
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, internal_token_, request_id);
    org::v1::LookupPractitionersRequest req;
    for (const auto& id : missing) req.add_user_ids(id);
    org::v1::LookupPractitionersResponse resp;
    grpc::Status s = org_->LookupPractitioners(&ctx, req, &resp);
    if (s.ok()) {
      for (const auto& b : resp.items()) {
        Person& p = fetched[b.user_id()];
        p.verified_practitioner = b.verified_practitioner();
        p.specialty = b.specialty();
        if (b.verified_practitioner()) p.display_name = b.display_name();
      }
    } else {
      ok = false;
      log::Warn("org_lookup_failed", {{"code", static_cast<int>(s.error_code())}});
    }
  }
  {
    grpc::ClientContext ctx;
    grpc_server::PrepareInternalCall(ctx, internal_token_, request_id);
    iam::v1::LookupUsersRequest req;
    for (const auto& id : missing) req.add_user_ids(id);
    iam::v1::LookupUsersResponse resp;
    grpc::Status s = iam_->LookupUsers(&ctx, req, &resp);
    if (s.ok()) {
      for (const auto& u : resp.users()) {
        Person& p = fetched[u.id()];
        if (p.display_name.empty()) p.display_name = u.full_name();
      }
    } else {
      ok = false;
      log::Warn("iam_lookup_failed", {{"code", static_cast<int>(s.error_code())}});
    }
  }
  if (upstream_ok != nullptr) *upstream_ok = ok;
  std::lock_guard lock(people_mu_);
  if (people_.size() > 50000) people_.clear();
  for (const auto& id : missing) {
    Person p = fetched.count(id) > 0 ? fetched[id] : Person{};
    out[id] = p;
    if (ok) people_[id] = {now + std::chrono::seconds(60), p};
  }
  return out;
}

grpc::Status Directory::GetPractitioner(const std::string& id, const std::string& request_id,
                                        org::v1::Practitioner* out) {
  grpc::ClientContext cctx;
  grpc_server::PrepareInternalCall(cctx, internal_token_, request_id);
  org::v1::GetPractitionerRequest preq;
  preq.set_id(id);
  return org_->GetPractitioner(&cctx, preq, out);
}

grpc::Status Directory::GetAppointment(const std::string& id, const std::string& request_id,
                                       const std::string& authorization,
                                       appointment::v1::Appointment* out) {
  grpc::ClientContext cctx;
  grpc_server::PrepareInternalCall(cctx, internal_token_, request_id);
  cctx.AddMetadata("authorization", authorization);
  appointment::v1::GetAppointmentRequest areq;
  areq.set_id(id);
  return appointment_->GetAppointment(&cctx, areq, out);
}

}  // namespace healthtech::forum::clients
