// The user's preferences: channels per category, quiet hours, locale.
#include <nlohmann/json.hpp>

#include "domain/preferences.h"
#include "handlers/mapping.h"
#include "healthtech/status/status.h"
#include "service.h"

namespace healthtech::notification {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;

namespace {

// The stored preferences with the defaults filled in.
absl::Status LoadPreferences(storage::Tx& tx, const std::string& user_id, v1::Preferences* out) {
  auto stored = storage::GetPreferences(tx, user_id);
  nlohmann::json channels = nlohmann::json::object();
  if (stored) channels = nlohmann::json::parse(stored->channels_json);
  for (const char* c : domain::kConfigurable) {
    auto* p = out->add_categories();
    p->set_category(handlers::CategoryOf(c));
    p->set_email(domain::Wants(channels, c, "email"));
    p->set_sms(domain::Wants(channels, c, "sms"));
    p->set_in_app(domain::Wants(channels, c, "in_app"));
    p->set_push(domain::Wants(channels, c, "push"));
  }
  out->set_locale(!stored ? "en" : stored->locale);
  if (stored && stored->quiet_hours) {
    auto* q = out->mutable_quiet_hours();
    q->set_start_local(stored->quiet_hours->start_local);
    q->set_end_local(stored->quiet_hours->end_local);
    q->set_timezone(stored->quiet_hours->timezone);
  }
  if (stored) out->mutable_updated_at()->set_seconds(stored->updated_at);
  return absl::OkStatus();
}

}  // namespace

grpc::Status NotificationService::GetPreferences(Ctx* ctx, const v1::GetPreferencesRequest*,
                                                 v1::Preferences* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, {caller->sub, ""}, [&](storage::Tx& tx) {
      return LoadPreferences(tx, caller->sub, resp);
    });
  });
}

grpc::Status NotificationService::UpdatePreferences(Ctx* ctx,
                                                    const v1::UpdatePreferencesRequest* req,
                                                    v1::Preferences* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = Caller(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> bad;
    nlohmann::json patch = nlohmann::json::object();
    for (int i = 0; i < req->categories_size(); ++i) {
      const auto& c = req->categories(i);
      std::string name;
      for (const char* k : domain::kConfigurable) {
        if (handlers::CategoryOf(k) == c.category()) name = k;
      }
      std::string field = "categories[" + std::to_string(i) + "]";
      if (name.empty()) {
        bad.push_back({field + ".category",
                       "must be one of appointments, payments, forum, marketing (account "
                       "messages cannot be turned off)"});
        continue;
      }
      if (c.has_push() && c.push()) {
        bad.push_back({field + ".push", "push notifications are not available yet"});
      }
      auto& entry = patch[name];
      if (!entry.is_object()) entry = nlohmann::json::object();
      if (c.has_email()) entry["email"] = c.email();
      if (c.has_sms()) entry["sms"] = c.sms();
      if (c.has_in_app()) entry["in_app"] = c.in_app();
      if (c.has_push()) entry["push"] = c.push();
    }
    bool set_quiet = req->has_quiet_hours();
    const auto& q = req->quiet_hours();
    if (set_quiet) domain::CheckQuietHours(q.start_local(), q.end_local(), q.timezone(), &bad);
    if (req->has_locale() && !domain::KnownLocale(req->locale()))
      bad.push_back({"locale", "must be \"en\" or \"hi\""});
    if (!bad.empty()) return st::ValidationFailed(std::move(bad));
    return pg::WithTransaction(*pool_, {caller->sub, ""}, [&](storage::Tx& tx) -> absl::Status {
      if (set_quiet && !zones_->Known(tx, q.timezone())) {
        return st::ValidationFailed({{"quiet_hours.timezone", "is not a known IANA time zone"}});
      }
      storage::PreferencesUpdate u;
      u.user_id = caller->sub;
      u.channels_patch_json = patch.dump();
      u.set_quiet_hours = set_quiet;
      u.quiet_start = set_quiet ? q.start_local() : "";
      u.quiet_end = set_quiet ? q.end_local() : "";
      u.quiet_timezone = set_quiet ? q.timezone() : "";
      u.clear_quiet_hours = !set_quiet && req->clear_quiet_hours();
      u.locale = req->has_locale() ? req->locale() : "";
      storage::UpsertPreferences(tx, u);
      // Messages waiting for the old quiet hours look again now.
      storage::WakeDeferred(tx, caller->sub);
      return LoadPreferences(tx, caller->sub, resp);
    });
  });
}

}  // namespace healthtech::notification
