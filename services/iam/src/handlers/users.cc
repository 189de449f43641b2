// The user: GetMe, UpdateMe, and LookupUsers (service-to-service, by email or id).
#include <ctime>

#include "handlers/common.h"
#include "healthtech/iam/domain/validation.h"
#include "healthtech/pg/text_array.h"
#include "healthtech/validate/validate.h"
#include "service.h"

namespace healthtech::iam {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

absl::Status IamServiceImpl::LoadUser(pqxx::transaction_base& tx, const std::string& user_id,
                                      v1::User* out) {
  auto user = storage::LoadUser(tx, user_id);
  if (!user) return handlers::UserNotFound();
  handlers::ToProto(*user, out);
  return absl::OkStatus();
}

namespace {

// Today's date in UTC, "YYYY-MM-DD" (a date of birth may not be after it).
std::string TodayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
  return out;
}

}  // namespace

grpc::Status IamServiceImpl::GetMe(Ctx* ctx, const v1::GetMeRequest*, v1::User* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    // The hottest read: one round trip (RLS caller + query in one implicit transaction).
    auto user = storage::LoadUserOnce(*pool_, {caller->sub, ""}, caller->sub);
    if (!user.ok()) return user.status();
    if (!*user) return handlers::UserNotFound();
    handlers::ToProto(**user, resp);
    return absl::OkStatus();
  });
}

grpc::Status IamServiceImpl::UpdateMe(Ctx* ctx, const v1::UpdateMeRequest* req, v1::User* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> v;
    std::string name;
    if (req->has_full_name()) {
      name = Trim(req->full_name());
      if (name.empty())
        v.push_back({"full_name", "must not be empty"});
      else if (CodePoints(name) > 200)
        v.push_back({"full_name", "must be at most 200 characters"});
      else if (auto why = validate::DisplayNameProblem(name); !why.empty())
        v.push_back({"full_name", why});
    }
    if (req->has_phone() && !req->phone().empty() && !ValidPhone(req->phone()))
      v.push_back({"phone", "must be in E.164 format, e.g. +919812345678"});
    if (req->has_date_of_birth() && !req->date_of_birth().empty()) {
      const std::string& dob = req->date_of_birth();
      if (!validate::ValidDate(dob, 1900, 2200))
        v.push_back({"date_of_birth", "must be a date YYYY-MM-DD"});
      else if (dob < "1900-01-01" || dob > TodayUtc())
        v.push_back({"date_of_birth", "must be between 1900-01-01 and today"});
    }
    if (!v.empty()) return st::ValidationFailed(std::move(v));
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](pqxx::transaction_base& tx) -> absl::Status {
          storage::UpdateProfile(tx, caller->sub, req->has_full_name(), name, req->has_phone(),
                                 req->phone(), req->has_date_of_birth(), req->date_of_birth());
          return LoadUser(tx, caller->sub, resp);
        });
  });
}

grpc::Status IamServiceImpl::LookupUsers(Ctx* ctx, const v1::LookupUsersRequest* req,
                                         v1::LookupUsersResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (auto s = CheckInternal(*ctx); !s.ok()) return s;
    if (req->emails_size() + req->user_ids_size() > 500) {
      return st::ValidationFailed({{"emails", "at most 500 lookups per call"}});
    }
    std::vector<std::string> emails, ids;
    for (const auto& e : req->emails()) {
      std::string n;
      if (NormalizeEmail(e, &n)) emails.push_back(n);
    }
    for (const auto& id : req->user_ids()) ids.push_back(id);
    return pg::WithTransaction(*pool_, pg::Subject::System(),
                               [&](pqxx::transaction_base& tx) -> absl::Status {
                                 for (const auto& id : storage::Lookup(tx, emails, ids)) {
                                   if (auto s = LoadUser(tx, id, resp->add_users()); !s.ok())
                                     return s;
                                 }
                                 return absl::OkStatus();
                               });
  });
}

}  // namespace healthtech::iam
