#include "notification_service.h"

#include <array>
#include <cctype>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <random>

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "healthtech/auth/jwt.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/pg/text_array.h"
#include "healthtech/status/status.h"
#include "healthtech/validate/validate.h"
#include "render.h"

namespace healthtech::notification {
namespace {

using grpc_server::RpcScope;
using grpc_server::Serve;
namespace st = status;
using pqxx::transaction_base;

v1::NotificationCategory CategoryOf(const std::string& c) {
  if (c == "appointments") return v1::NOTIFICATION_CATEGORY_APPOINTMENTS;
  if (c == "payments") return v1::NOTIFICATION_CATEGORY_PAYMENTS;
  if (c == "forum") return v1::NOTIFICATION_CATEGORY_FORUM;
  if (c == "marketing") return v1::NOTIFICATION_CATEGORY_MARKETING;
  std::string n = "NOTIFICATION_CATEGORY_" + c;
  for (auto& ch : n) ch = static_cast<char>(std::toupper(ch));
  v1::NotificationCategory out = v1::NOTIFICATION_CATEGORY_UNSPECIFIED;
  v1::NotificationCategory_Parse(n, &out);
  return out;
}

constexpr const char* kCols =
    "n.id::text, n.category, n.type, n.title, n.body, n.link, n.read_at IS NOT NULL, "
    "extract(epoch from n.read_at)::bigint, extract(epoch from n.created_at)::bigint";

void Read(const pqxx::row& r, v1::Notification* n) {
  n->set_id(r[0].as<std::string>());
  n->set_category(CategoryOf(r[1].as<std::string>()));
  n->set_type(r[2].as<std::string>());
  n->set_title(r[3].as<std::string>());
  n->set_body(r[4].as<std::string>());
  n->set_link(r[5].as<std::string>());
  n->set_read(r[6].as<bool>());
  if (!r[7].is_null()) n->mutable_read_at()->set_seconds(r[7].as<int64_t>());
  n->mutable_created_at()->set_seconds(r[8].as<int64_t>());
}

std::string Money(const nlohmann::json& m) {
  if (!m.is_object()) return "";
  int64_t minor = m.value("amount_minor", int64_t{0});
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %lld.%02lld", m.value("currency", "INR").c_str(),
                static_cast<long long>(minor / 100), static_cast<long long>(minor % 100));
  return buf;
}

}  // namespace

// ------------------------------------------------------------------ what each event sends

struct Recipient {
  std::string user_id;  // empty for an address that is not a user yet (invitations)
  std::string email;    // set when the event names the address (verification, invitations)
};

struct Plan {
  std::string category;   // appointments | payments | forum | account
  bool security = false;  // ignores opt-outs and quiet hours
  bool urgent = false;    // an SMS that cannot go out falls back to email
  bool in_app = true, email = true, sms = false;
  std::vector<Recipient> to;
  std::string link;  // absolute, for email and SMS
  std::string path;  // the same, as an app path, for the inbox
  std::map<std::string, std::string> values;
  // Value name -> UTC instant, shown in `timezone` as local time.
  std::vector<std::pair<std::string, std::string>> local_times;
  std::string timezone = "UTC";
};

namespace {

std::string Str(const nlohmann::json& p, const char* key) {
  auto it = p.find(key);
  return it != p.end() && it->is_string() ? it->get<std::string>() : "";
}

void AddUsers(Plan& plan, const nlohmann::json& ids) {
  if (!ids.is_array()) return;
  for (const auto& id : ids) {
    if (id.is_string() && validate::ValidUuid(id.get<std::string>()))
      plan.to.push_back({id.get<std::string>(), ""});
  }
}

std::optional<Plan> PlanFor(const std::string& type, const nlohmann::json& p,
                            const std::string& web) {
  Plan plan;
  if (type == "appointment.booked" || type == "appointment.rescheduled" ||
      type == "appointment.cancelled" || type == "appointment.reminder_due") {
    plan.category = "appointments";
    plan.sms = true;
    plan.urgent = type == "appointment.reminder_due";
    plan.to.push_back({Str(p, "patient_id"), ""});
    plan.link = web + "/appointments/" + Str(p, "appointment_id");
    plan.timezone = Str(p, "timezone");
    plan.local_times = {{"start_local", Str(p, "start")}};
    bool hour = Str(p, "lead") == "1h";
    plan.values["lead_text"] = hour ? "in one hour" : "tomorrow";
    plan.values["lead_text_hi"] = hour ? "एक घंटे में" : "कल";
  } else if (type == "waitlist.offered") {
    plan.category = "appointments";
    plan.sms = plan.urgent = true;
    plan.to.push_back({Str(p, "patient_id"), ""});
    plan.link = web + "/practitioners/" + Str(p, "practitioner_id");
    plan.timezone = Str(p, "timezone");
    plan.local_times = {{"start_local", Str(p, "slot_start")},
                        {"offer_expires_local", Str(p, "offer_expires_at")}};
  } else if (type == "payment.captured" || type == "refund.processed") {
    plan.category = "payments";
    plan.sms = true;
    plan.to.push_back({Str(p, "payer_id"), ""});
    plan.link = web + "/payments/" + Str(p, "payment_id");
    plan.values["invoice_link"] = plan.link;  // the payment page lists its invoice PDFs
    plan.values["amount"] = Money(p.value("amount", nlohmann::json::object()));
  } else if (type == "user.email_verification_requested" ||
             type == "user.password_reset_requested") {
    plan.category = "account";
    plan.security = true;
    plan.in_app = false;
    plan.to.push_back({Str(p, "user_id"), Str(p, "email")});
    plan.values["full_name"] = Str(p, "full_name");
    plan.values["verify_url"] = Str(p, "verify_url");
    plan.values["reset_url"] = Str(p, "reset_url");
  } else if (type == "user.password_changed") {
    plan.category = "account";
    plan.security = plan.sms = true;
    plan.to.push_back({Str(p, "user_id"), ""});
    plan.link = web + "/forgot-password";
  } else if (type == "user.new_sign_in") {
    plan.category = "account";
    plan.security = true;
    plan.to.push_back({Str(p, "user_id"), ""});
    plan.link = web + "/forgot-password";
    plan.values["device"] = Str(p, "device");
    plan.values["ip"] = Str(p, "ip").empty() ? "unknown" : Str(p, "ip");
    plan.local_times = {{"signed_in_local", Str(p, "signed_in_at")}};
  } else if (type == "organization.verified" || type == "organization.rejected" ||
             type == "organization.changes_requested") {
    plan.category = "account";
    AddUsers(plan, p.value("admin_user_ids", nlohmann::json::array()));
    plan.link = web + "/organizations/" + Str(p, "organization_id");
    plan.values["org_name"] = Str(p, "legal_name");
    plan.values["reason"] = Str(p, "reason");
  } else if (type == "staff.invited") {
    plan.category = "account";
    plan.in_app = false;
    plan.to.push_back({"", Str(p, "email")});
    plan.values["org_name"] = Str(p, "organization_name");
    plan.values["role"] = Str(p, "role");
    plan.values["invite_url"] = Str(p, "accept_url");
    plan.values["expires_at"] = Str(p, "expires_at");
  } else if (type == "forum.reply_created") {
    plan.category = "forum";
    AddUsers(plan, p.value("follower_ids", nlohmann::json::array()));
    plan.link = web + "/forum/threads/" + Str(p, "thread_id") + "#post-" + Str(p, "post_id");
    plan.values["thread_title"] = Str(p, "thread_title");
    plan.values["author_name"] = Str(p, "author_display_name");
  } else if (type == "forum.moderation_action") {
    plan.category = "forum";
    plan.to.push_back({Str(p, "target_user_id"), ""});
    plan.link = web + "/forum/threads/" + Str(p, "thread_id");
    plan.values["action"] = Str(p, "action");
    plan.values["reason"] = Str(p, "reason");
  } else {
    return std::nullopt;
  }
  std::erase_if(plan.to, [](const Recipient& r) {
    return r.user_id.empty() ? r.email.empty() : !validate::ValidUuid(r.user_id);
  });
  if (plan.to.empty()) return std::nullopt;
  plan.values["link"] = plan.link;
  // In-app links are app paths (messages without a link have none).
  if (plan.link.size() >= web.size() && plan.link.compare(0, web.size(), web) == 0)
    plan.path = plan.link.substr(web.size());
  plan.values["timezone"] = plan.timezone.empty() ? "UTC" : plan.timezone;
  return plan;
}

// Preferences: what a category uses when the user never said.
constexpr std::array<const char*, 4> kConfigurable = {"appointments", "payments", "forum",
                                                      "marketing"};
bool DefaultOn(const std::string& category, const std::string& channel) {
  if (category == "marketing") return false;  // opt-in
  if (channel == "push") return false;        // not delivered yet
  if (channel == "sms") return category == "appointments";
  return true;
}
bool Wants(const nlohmann::json& channels, const std::string& category,
           const std::string& channel) {
  if (category == "account") return true;  // not configurable
  auto c = channels.find(category);
  if (c != channels.end() && c->is_object()) {
    auto v = c->find(channel);
    if (v != c->end() && v->is_boolean()) return v->get<bool>();
  }
  return DefaultOn(category, channel);
}

v1::Channel ChannelOf(const std::string& c) {
  return c == "email"  ? v1::CHANNEL_EMAIL
         : c == "sms"  ? v1::CHANNEL_SMS
         : c == "push" ? v1::CHANNEL_PUSH
                       : v1::CHANNEL_UNSPECIFIED;
}
v1::DeliveryStatus StatusOf(const std::string& s) {
  if (s == "pending" || s == "standby") return v1::DELIVERY_STATUS_QUEUED;
  if (s == "deferred") return v1::DELIVERY_STATUS_DEFERRED;
  if (s == "sent") return v1::DELIVERY_STATUS_SENT;
  if (s == "failed") return v1::DELIVERY_STATUS_FAILED;
  if (s == "suppressed") return v1::DELIVERY_STATUS_SUPPRESSED;
  return v1::DELIVERY_STATUS_UNSPECIFIED;
}

constexpr const char* kDeliveryCols =
    "d.id::text, coalesce(d.user_id::text, ''), d.channel, d.recipient, d.event_type, d.locale, "
    "d.event_id, d.status, extract(epoch from d.next_attempt_at)::bigint, extract(epoch from "
    "d.created_at)::bigint, extract(epoch from d.updated_at)::bigint, to_char(d.updated_at, "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US')";

void ReadDelivery(transaction_base& tx, const pqxx::row& r, v1::OutboundMessage* m) {
  m->set_id(r[0].as<std::string>());
  m->set_user_id(r[1].as<std::string>());
  m->set_channel(ChannelOf(r[2].as<std::string>()));
  m->set_recipient(r[3].as<std::string>());
  m->set_template_name(r[4].as<std::string>());
  m->set_locale(r[5].as<std::string>());
  m->set_event_id(r[6].as<std::string>());
  m->set_event_type(r[4].as<std::string>());
  m->set_status(StatusOf(r[7].as<std::string>()));
  m->mutable_next_attempt_at()->set_seconds(r[8].as<int64_t>());
  m->mutable_created_at()->set_seconds(r[9].as<int64_t>());
  m->mutable_updated_at()->set_seconds(r[10].as<int64_t>());
  for (const auto& a : tx.exec_params(
           "SELECT attempt, provider, status, provider_message_id, error, extract(epoch from "
           "at)::bigint FROM notification.delivery_attempts WHERE delivery_id = $1::uuid ORDER "
           "BY attempt, id",
           m->id())) {
    auto* x = m->add_attempts();
    x->set_attempt(a[0].as<int>());
    x->set_provider(a[1].as<std::string>());
    std::string s = a[2].as<std::string>();
    x->set_status(s == "sent"       ? v1::DELIVERY_STATUS_SENT
                  : s == "deferred" ? v1::DELIVERY_STATUS_DEFERRED
                                    : v1::DELIVERY_STATUS_FAILED);
    if (!a[3].is_null()) x->set_provider_message_id(a[3].as<std::string>());
    if (!a[4].is_null()) x->set_error(a[4].as<std::string>());
    x->mutable_at()->set_seconds(a[5].as<int64_t>());
  }
}

using validate::ValidLocalTime;

}  // namespace

NotificationServiceImpl::NotificationServiceImpl(Config config, pg::Pool* pool,
                                                 std::shared_ptr<grpc::Channel> iam,
                                                 std::unique_ptr<Channel> email,
                                                 std::unique_ptr<Channel> sms,
                                                 redis::Client* publisher,
                                                 metrics::Registry* registry)
    : config_(std::move(config)),
      pool_(pool),
      page_tokens_(config_.internal_token),
      authn_(auth::JwksFromIam(iam), config_.jwt_issuer, config_.jwt_audience),
      iam_(iam::v1::IamService::NewStub(iam)),
      email_(std::move(email)),
      sms_(std::move(sms)),
      email_breaker_(config_.breaker_failures, std::chrono::milliseconds(config_.breaker_open_ms)),
      sms_breaker_(config_.breaker_failures, std::chrono::milliseconds(config_.breaker_open_ms)),
      publisher_(publisher) {
  deliveries_ = &registry->AddCounter("notification_deliveries_total",
                                      "Delivery attempts and decisions by channel and outcome",
                                      {"channel", "outcome"});
  circuit_open_ =
      &registry->AddGauge("notification_provider_circuit_open",
                          "1 while the provider's circuit breaker is open", {"provider"});
  events_ = &registry->AddCounter("notification_events_total", "Events consumed by type", {"type"});
  dead_letters_ = &registry->AddCounter(
      "notification_events_dead_lettered_total",
      "Events acknowledged unhandled after repeated failures (see the log)", {"stream"});
}

grpc::Status NotificationServiceImpl::ListNotifications(Ctx* ctx,
                                                        const v1::ListNotificationsRequest* req,
                                                        v1::ListNotificationsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    int limit = paging::Limit(req->limit());
    // Page token: the last item's created_at (microseconds since the epoch) and id.
    bool after = false;
    int64_t after_us = 0;
    std::string after_id = "00000000-0000-0000-0000-000000000000";
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("notifications", req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      after = true;
      after_us = *us;
      after_id = (*pos)[1];
    }
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string("SELECT ") + kCols +
                  ", (extract(epoch from n.created_at) * 1000000)::bigint FROM "
                  "notification.notifications n WHERE n.user_id = $1::uuid AND (NOT $2 OR "
                  "n.read_at IS NULL) AND (NOT $3::bool OR (n.created_at, n.id) < (timestamptz "
                  "'epoch' + $4::bigint * interval '1 microsecond', $5::uuid)) ORDER BY "
                  "n.created_at DESC, n.id DESC LIMIT $6",
              caller->sub, req->unread_only(), after, after_us, after_id, limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
            Read(rows[i], resp->add_items());
          if (static_cast<int>(rows.size()) > limit) {
            resp->set_next_page_token(page_tokens_.Encode(
                "notifications", {std::to_string(rows[limit - 1][9].as<int64_t>()),
                                  rows[limit - 1][0].as<std::string>()}));
          }
          resp->set_unread_count(
              tx.exec_params(
                    "SELECT count(*) FROM notification.notifications WHERE user_id = $1::uuid "
                    "AND read_at IS NULL",
                    caller->sub)[0][0]
                  .as<int>());
          return absl::OkStatus();
        });
  });
}

grpc::Status NotificationServiceImpl::MarkRead(Ctx* ctx, const v1::MarkReadRequest* req,
                                               v1::Notification* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    const absl::Status not_found = st::NotFound("NOTIFICATION_NOT_FOUND", "No such notification.");
    if (!validate::ValidUuid(req->id())) return not_found;
    int unread = -1;
    auto s =
        pg::WithTransaction(*pool_, {caller->sub, ""}, [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string(
                  "UPDATE notification.notifications n SET read_at = coalesce(read_at, now()) "
                  "WHERE n.id = $1::uuid AND n.user_id = $2::uuid RETURNING ") +
                  kCols,
              req->id(), caller->sub);
          if (rows.empty()) return not_found;
          Read(rows[0], resp);
          unread = tx.exec_params(
                         "SELECT count(*) FROM notification.notifications WHERE "
                         "user_id = $1::uuid AND read_at IS NULL",
                         caller->sub)[0][0]
                       .as<int>();
          return absl::OkStatus();
        });
    if (s.ok()) PublishUnreadCount(caller->sub, unread);  // other tabs update their badge
    return s;
  });
}

grpc::Status NotificationServiceImpl::MarkAllRead(Ctx* ctx, const v1::MarkAllReadRequest*,
                                                  v1::MarkAllReadResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    auto s =
        pg::WithTransaction(*pool_, {caller->sub, ""}, [&](transaction_base& tx) -> absl::Status {
          auto r = tx.exec_params(
              "UPDATE notification.notifications SET read_at = now() WHERE user_id = $1::uuid AND "
              "read_at IS NULL RETURNING 1",
              caller->sub);
          resp->set_marked_count(static_cast<int>(r.size()));
          resp->set_unread_count(0);
          return absl::OkStatus();
        });
    if (s.ok() && resp->marked_count() > 0) PublishUnreadCount(caller->sub, 0);
    return s;
  });
}

// pg_timezone_names reads the zone files on every call (tens of milliseconds), so the names
// are read once and kept.
bool NotificationServiceImpl::KnownZone(transaction_base& tx, const std::string& name) {
  std::lock_guard lock(zones_mu_);
  if (zones_.empty()) {
    for (const auto& r : tx.exec("SELECT name FROM pg_timezone_names"))
      zones_.insert(r[0].as<std::string>());
  }
  return zones_.count(name) > 0;
}

absl::Status NotificationServiceImpl::LoadPreferences(transaction_base& tx,
                                                      const std::string& user_id,
                                                      v1::Preferences* out) {
  auto rows = tx.exec_params(
      "SELECT channels::text, to_char(quiet_start, 'HH24:MI'), to_char(quiet_end, 'HH24:MI'), "
      "quiet_timezone, locale, extract(epoch from updated_at)::bigint FROM "
      "notification.preferences WHERE user_id = $1::uuid",
      user_id);
  nlohmann::json channels = nlohmann::json::object();
  if (!rows.empty()) channels = nlohmann::json::parse(rows[0][0].as<std::string>());
  for (const char* c : kConfigurable) {
    auto* p = out->add_categories();
    p->set_category(CategoryOf(c));
    p->set_email(Wants(channels, c, "email"));
    p->set_sms(Wants(channels, c, "sms"));
    p->set_in_app(Wants(channels, c, "in_app"));
    p->set_push(Wants(channels, c, "push"));
  }
  out->set_locale(rows.empty() ? "en" : rows[0][4].as<std::string>());
  if (!rows.empty() && !rows[0][1].is_null()) {
    auto* q = out->mutable_quiet_hours();
    q->set_start_local(rows[0][1].as<std::string>());
    q->set_end_local(rows[0][2].as<std::string>());
    q->set_timezone(rows[0][3].as<std::string>());
  }
  if (!rows.empty()) out->mutable_updated_at()->set_seconds(rows[0][5].as<int64_t>());
  return absl::OkStatus();
}

absl::Status NotificationServiceImpl::HandleBatch(const std::vector<Event>& events,
                                                  std::vector<Publication>* publish) {
  // What each event means (no I/O), then one IAM lookup for every recipient of the batch
  // (events carry identifiers, not contacts), then one transaction for the whole batch.
  struct Planned {
    const Event* event;
    Plan plan;
  };
  std::vector<Planned> planned;
  for (const auto& e : events) {
    auto p = nlohmann::json::parse(e.payload, nullptr, false);
    if (!p.is_object()) continue;  // not for us: nothing to do
    auto plan = PlanFor(e.type, p, config_.public_web_url);
    if (!plan) continue;
    events_->WithLabels({e.type}).Inc();
    planned.push_back({&e, std::move(*plan)});
  }
  if (planned.empty()) return absl::OkStatus();
  std::map<std::string, iam::v1::User> users;
  {
    iam::v1::LookupUsersRequest lreq;
    std::set<std::string> ids;
    for (const auto& pl : planned) {
      for (const auto& r : pl.plan.to) {
        if (!r.user_id.empty() && ids.insert(r.user_id).second) lreq.add_user_ids(r.user_id);
      }
    }
    if (lreq.user_ids_size() > 0) {
      grpc::ClientContext ctx;
      grpc_server::PrepareInternalCall(ctx, config_.internal_token);
      iam::v1::LookupUsersResponse lresp;
      grpc::Status gs = iam_->LookupUsers(&ctx, lreq, &lresp);
      if (!gs.ok()) return st::Unavailable("IAM_UNAVAILABLE", "users unavailable");  // retried
      for (const auto& u : lresp.users()) users[u.id()] = u;
    }
  }
  std::vector<Publication> batch_publish;
  auto s =
      pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        batch_publish.clear();
        // Preferences of every recipient, in one read.
        std::vector<std::string> recipients;
        for (const auto& [id, u] : users) recipients.push_back(id);
        std::map<std::string, std::pair<nlohmann::json, std::string>> prefs;
        if (!recipients.empty()) {
          for (const auto& row : tx.exec_params(
                   "SELECT user_id::text, channels::text, locale FROM notification.preferences "
                   "WHERE user_id = ANY($1::uuid[])",
                   pg::TextArray(recipients))) {
            prefs[row[0].as<std::string>()] = {nlohmann::json::parse(row[1].as<std::string>()),
                                               row[2].as<std::string>()};
          }
        }
        for (auto& pl : planned) {
          Store(tx, *pl.event, pl.plan, users, prefs, &batch_publish);
        }
        return absl::OkStatus();
      });
  if (s.ok()) publish->insert(publish->end(), batch_publish.begin(), batch_publish.end());
  return s;
}

void NotificationServiceImpl::Store(
    transaction_base& tx, const Event& e, Plan& plan,
    const std::map<std::string, iam::v1::User>& users,
    const std::map<std::string, std::pair<nlohmann::json, std::string>>& prefs,
    std::vector<Publication>* publish) {
  const std::string& event_id = e.id;
  const std::string& type = e.type;
  if (tx.exec_params("INSERT INTO notification.processed_events (event_id, event_type) "
                     "VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
                     event_id, type)
          .empty()) {
    return;  // handled before: nothing is sent twice
  }
  if (!KnownZone(tx, plan.values["timezone"])) plan.values["timezone"] = "UTC";
  for (const auto& [name, instant] : plan.local_times) {
    if (instant.empty()) continue;
    plan.values[name] =
        tx.exec_params("SELECT to_char($1::timestamptz AT TIME ZONE $2, 'Dy DD Mon YYYY, HH24:MI')",
                       instant, plan.values["timezone"])[0][0]
            .as<std::string>();
  }
  for (const auto& r : plan.to) {
    auto u = users.find(r.user_id);
    if (!r.user_id.empty() && u == users.end()) continue;  // no such user (any more)
    std::string email = !r.email.empty() ? r.email : u->second.email();
    std::string phone = u != users.end() ? u->second.phone() : "";
    nlohmann::json channels = nlohmann::json::object();
    std::string locale = "en";
    if (auto p = prefs.find(r.user_id); p != prefs.end()) {
      channels = p->second.first;
      locale = p->second.second;
    }
    auto wants = [&](const char* channel) {
      return plan.security || Wants(channels, plan.category, channel);
    };
    auto msg = Render(type, locale, plan.values);
    if (!msg) continue;
    if (plan.in_app && !r.user_id.empty() && wants("in_app")) {
      // The unread count comes back in the same round trip (the snapshot does not see the
      // new row yet: + 1).
      auto created = tx.exec_params(
          "WITH n AS (INSERT INTO notification.notifications (user_id, category, type, title, "
          "body, link, event_id) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7) ON CONFLICT DO "
          "NOTHING RETURNING id::text, to_char(created_at AT TIME ZONE 'UTC', "
          "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at) SELECT n.id, n.at, (SELECT count(*) FROM "
          "notification.notifications WHERE user_id = $1::uuid AND read_at IS NULL) + 1 FROM n",
          r.user_id, plan.category, type, msg->subject, msg->body, plan.path, event_id);
      if (!created.empty()) {
        // Real time: the BFF forwards this to the user's open WebSocket sessions.
        publish->push_back(
            {r.user_id, nlohmann::json{{"type", "notification"},
                                       {"notification",
                                        {{"id", created[0][0].as<std::string>()},
                                         {"category", plan.category},
                                         {"type", type},
                                         {"title", msg->subject},
                                         {"body", msg->body},
                                         {"link", plan.path},
                                         {"read", false},
                                         {"created_at", created[0][1].as<std::string>()}}},
                                       {"unread_count", created[0][2].as<int>()}}
                            .dump()});
      }
    }
    bool sms = plan.sms && sms_ != nullptr && !phone.empty() && wants("sms");
    auto queue = [&](const std::string& channel, const std::string& to, const std::string& subject,
                     const std::string& body, const std::string& html, const std::string& status) {
      auto it = config_.dlt_template_ids.find(type);
      tx.exec_params(
          "INSERT INTO notification.deliveries (event_id, user_id, channel, recipient, "
          "subject, body, html_body, status, event_type, category, locale, security, "
          "urgent, dlt_template_id) VALUES ($1, nullif($2, '')::uuid, $3, $4, $5, $6, $7, "
          "$8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING",
          event_id, r.user_id, channel, to, subject, body, html, status, type, plan.category,
          locale, plan.security, plan.urgent,
          channel == "sms" && it != config_.dlt_template_ids.end() ? it->second : "");
      deliveries_->WithLabels({channel, status == "pending" ? "queued" : status}).Inc();
    };
    if (plan.email && !email.empty()) {
      // An urgent message the user takes by SMS only keeps an email on standby.
      std::string status = wants("email")         ? "pending"
                           : (plan.urgent && sms) ? "standby"
                                                  : "suppressed";
      queue("email", email, msg->subject, msg->body, HtmlEmail(msg->subject, msg->body), status);
    }
    if (plan.sms && sms_ != nullptr && !phone.empty()) {
      queue("sms", phone, msg->subject, RenderSms(type, locale, plan.values), "",
            sms ? "pending" : "suppressed");
    }
  }
}

int NotificationServiceImpl::ConsumeOnce(redis::Client& redis, Consumer& consumer) {
  static constexpr std::array<const char*, 5> kStreams = {
      "healthtech:events:iam", "healthtech:events:org", "healthtech:events:appointment",
      "healthtech:events:payment", "healthtech:events:forum"};
  const std::string group = "notification-service";
  int handled = 0;
  auto ack = [&](const std::string& stream, const std::vector<const Event*>& done,
                 const std::vector<Publication>& publish) {
    if (done.empty()) return;
    std::vector<std::string> cmd = {"XACK", stream, group};
    for (const auto* e : done) cmd.push_back(e->entry_id);
    (void)redis.Command(cmd);
    handled += static_cast<int>(done.size());
    for (const auto& p : publish) Publish(p.user_id, p.message);
  };
  auto handle_entries = [&](const std::string& stream, const redis::Reply& entries) {
    std::vector<Event> events;
    for (const auto& entry : entries.elements) {
      if (entry.elements.size() < 2) continue;
      Event e;
      e.entry_id = entry.elements[0].str;
      const auto& f = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < f.size(); i += 2) {
        if (f[i].str == "id") e.id = f[i + 1].str;
        if (f[i].str == "type") e.type = f[i + 1].str;
        if (f[i].str == "payload") e.payload = f[i + 1].str;
      }
      events.push_back(std::move(e));
    }
    if (events.empty()) return;
    // Acknowledged only after the messages are stored: the batch at once, and if the batch
    // fails, each event alone, so that one poison event fails (and is dead-lettered) alone.
    auto run = [&](const std::vector<Event>& batch, std::vector<Publication>* publish) {
      try {
        return HandleBatch(batch, publish);
      } catch (const std::exception& e) {  // a bug must not stop the consumer
        log::Error("event_handler_exception", {{"events", static_cast<int>(batch.size())},
                                               {"type", batch[0].type},
                                               {"error", e.what()}});
        return st::Internal(e.what());
      }
    };
    std::vector<Publication> publish;
    if (run(events, &publish).ok()) {
      std::vector<const Event*> done;
      for (const auto& e : events) done.push_back(&e);
      ack(stream, done, publish);
      return;
    }
    if (events.size() == 1) return;
    for (const auto& e : events) {
      std::vector<Publication> one;
      if (run({e}, &one).ok()) ack(stream, {&e}, one);
    }
  };
  // Each reply of XREADGROUP: [[stream, [entries]], ...].
  auto handle_reply = [&](const absl::StatusOr<redis::Reply>& r) {
    if (!r.ok() || r->type != redis::Reply::Type::kArray) return;
    for (const auto& s : r->elements) {
      if (s.elements.size() == 2) handle_entries(s.elements[0].str, s.elements[1]);
    }
  };
  auto now = std::chrono::steady_clock::now();
  if (!consumer.groups_ready || now - consumer.last_recovery > std::chrono::seconds(1)) {
    // Now and then: create the groups (idempotent), claim what crashed consumers left, and
    // retry this consumer's own unacknowledged entries (their handling failed).
    consumer.last_recovery = now;
    consumer.groups_ready = true;
    for (const char* stream : kStreams) {
      (void)redis.Command({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
      // An entry whose handling failed max_event_deliveries times (a poison event) would
      // block nothing but retry forever: acknowledge it, log it and count it. It stays in the
      // stream, so it can be replayed once the cause is fixed.
      auto pending = redis.Command({"XPENDING", stream, group, "-", "+", "50", consumer.name});
      if (pending.ok() && pending->type == redis::Reply::Type::kArray) {
        for (const auto& p : pending->elements) {
          if (p.elements.size() == 4 && p.elements[3].integer >= config_.max_event_deliveries) {
            (void)redis.Command({"XACK", stream, group, p.elements[0].str});
            dead_letters_->WithLabels({stream}).Inc();
            log::Error("event_dead_lettered", {{"stream", stream},
                                               {"entry_id", p.elements[0].str},
                                               {"deliveries", p.elements[3].integer}});
          }
        }
      }
      (void)redis.Command({"XAUTOCLAIM", stream, group, consumer.name,
                           std::to_string(consumer.claim_idle_ms), "0-0", "COUNT", "200"});
      handle_reply(redis.Command(
          {"XREADGROUP", "GROUP", group, consumer.name, "COUNT", "200", "STREAMS", stream, "0"}));
      redis::RemoveGoneConsumers(redis, stream, group, consumer.name, consumer.gone_after_ms);
    }
  }
  // New entries of every stream in one call, waiting up to 100 ms for the first.
  std::vector<std::string> read = {"XREADGROUP", "GROUP", group, consumer.name, "COUNT",
                                   "100",        "BLOCK", "100", "STREAMS"};
  for (const char* stream : kStreams) read.push_back(stream);
  for (size_t i = 0; i < kStreams.size(); ++i) read.push_back(">");
  auto r = redis.Command(read);
  if (!r.ok() || r->type == redis::Reply::Type::kError) {
    consumer.groups_ready = false;  // e.g. NOGROUP after Redis lost its data
    return handled > 0 ? handled : -1;
  }
  handle_reply(r);
  return handled;
}

void NotificationServiceImpl::Publish(const std::string& user_id, const std::string& message) {
  // Best effort: the inbox is the record; a missed frame is caught up by the client's refetch.
  if (publisher_ != nullptr)
    (void)publisher_->Command({"PUBLISH", "healthtech:notify:user:" + user_id, message});
}

void NotificationServiceImpl::PublishUnreadCount(const std::string& user_id, int unread) {
  Publish(user_id, nlohmann::json{{"type", "unread_count"}, {"unread_count", unread}}.dump());
}

int NotificationServiceImpl::DeliverOnce() {
  struct Item {
    std::string id, channel, to, subject, body, html, user_id, event_id, dlt;
    int attempts = 0;
    bool security = false, urgent = false;
    std::optional<double> quiet_until;
  };
  std::vector<Item> due;
  // Take a lease on up to 20 due messages (another replica skips them meanwhile).
  auto taken = pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    for (const auto& r : tx.exec(
             "UPDATE notification.deliveries d SET next_attempt_at = now() + interval '2 "
             "minutes' WHERE d.id IN (SELECT id FROM notification.deliveries WHERE status IN "
             "('pending', 'deferred') AND next_attempt_at <= now() ORDER BY next_attempt_at "
             "LIMIT 20 FOR UPDATE SKIP LOCKED) RETURNING d.id::text, d.channel, d.recipient, "
             "d.subject, d.body, d.html_body, coalesce(d.user_id::text, ''), d.event_id, "
             "d.dlt_template_id, d.attempts, d.security, d.urgent, "
             // The end of the user's quiet hours when they are in them now (else NULL).
             "(SELECT extract(epoch from (date_trunc('day', l.lt) + p.quiet_end + CASE WHEN "
             "l.lt::time >= p.quiet_end THEN interval '1 day' ELSE interval '0' END) AT TIME ZONE "
             "p.quiet_timezone) FROM notification.preferences p CROSS JOIN LATERAL (SELECT now() "
             "AT TIME ZONE p.quiet_timezone AS lt) l WHERE p.user_id = d.user_id AND "
             "p.quiet_start IS NOT NULL AND CASE WHEN p.quiet_start < p.quiet_end THEN l.lt::time "
             ">= p.quiet_start AND l.lt::time < p.quiet_end ELSE l.lt::time >= p.quiet_start OR "
             "l.lt::time < p.quiet_end END)")) {
      Item it;
      it.id = r[0].as<std::string>();
      it.channel = r[1].as<std::string>();
      it.to = r[2].as<std::string>();
      it.subject = r[3].as<std::string>();
      it.body = r[4].as<std::string>();
      it.html = r[5].as<std::string>();
      it.user_id = r[6].as<std::string>();
      it.event_id = r[7].as<std::string>();
      it.dlt = r[8].as<std::string>();
      it.attempts = r[9].as<int>();
      it.security = r[10].as<bool>();
      it.urgent = r[11].as<bool>();
      if (!r[12].is_null()) it.quiet_until = r[12].as<double>();
      due.push_back(std::move(it));
    }
    return absl::OkStatus();
  });
  if (!taken.ok()) return 0;
  static thread_local std::mt19937 rng(std::random_device{}());
  auto exec = [&](const std::function<void(transaction_base&)>& f) {
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
      f(tx);
      return absl::OkStatus();
    }).IgnoreError();
  };
  // The urgent message's email, kept on standby, goes out instead of the SMS.
  auto fall_back = [&](const Item& d) {
    exec([&](transaction_base& tx) {
      tx.exec_params(
          "UPDATE notification.deliveries SET status = 'pending', next_attempt_at = now(), "
          "updated_at = now() WHERE event_id = $1 AND user_id = $2::uuid AND channel = 'email' "
          "AND status = 'standby'",
          d.event_id, d.user_id);
    });
    deliveries_->WithLabels({"sms", "fallback_email"}).Inc();
  };
  auto set_status = [&](const Item& d, const std::string& status, const std::string& error,
                        double retry_in_seconds) {
    exec([&](transaction_base& tx) {
      tx.exec_params(
          "UPDATE notification.deliveries SET status = $2, sent_at = NULL, last_error = nullif($3, "
          "''), "
          "next_attempt_at = now() + make_interval(secs => $4), updated_at = now() WHERE id = "
          "$1::uuid",
          d.id, status, error, retry_in_seconds);
    });
    deliveries_->WithLabels({d.channel, status}).Inc();
  };
  for (const auto& d : due) {
    bool sms = d.channel == "sms";
    if (!d.security && d.quiet_until) {  // quiet hours: wait until they end
      exec([&](transaction_base& tx) {
        tx.exec_params(
            "UPDATE notification.deliveries SET status = 'deferred', next_attempt_at = "
            "to_timestamp($2), updated_at = now() WHERE id = $1::uuid",
            d.id, *d.quiet_until);
      });
      deliveries_->WithLabels({d.channel, "deferred"}).Inc();
      continue;
    }
    bool within_cap = true;
    if (sms && !d.security && !d.user_id.empty()) {
      // Counted under a per-user lock, and this message reserves its place (sent_at) before
      // it goes, so parallel delivery workers cannot together exceed the cap. A failed
      // attempt clears sent_at again.
      exec([&](transaction_base& tx) {
        tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('sms-cap:' || $1))", d.user_id);
        int n = tx.exec_params(
                      "SELECT count(*) FROM notification.deliveries WHERE user_id = "
                      "$1::uuid AND channel = 'sms' AND sent_at > now() - interval '1 "
                      "hour' AND id <> $2::uuid",
                      d.user_id, d.id)[0][0]
                    .as<int>();
        within_cap = n < config_.sms_hourly_cap;
        if (within_cap) {
          tx.exec_params("UPDATE notification.deliveries SET sent_at = now() WHERE id = $1::uuid",
                         d.id);
        }
      });
    }
    if (!within_cap) {
      set_status(d, "suppressed", "the user's hourly SMS cap is reached", 0);
      if (d.urgent) fall_back(d);
      continue;
    }
    Channel* channel = sms ? sms_.get() : email_.get();
    CircuitBreaker& breaker = sms ? sms_breaker_ : email_breaker_;
    if (channel == nullptr) {
      set_status(d, "failed", "no provider is configured for this channel", 0);
      continue;
    }
    if (!breaker.Allow()) {
      if (d.urgent && sms) {
        set_status(d, "failed", "the SMS provider's circuit breaker is open", 0);
        fall_back(d);
      } else {
        set_status(d, "pending", "", config_.breaker_open_ms / 1000.0);
      }
      continue;
    }
    auto sent = channel->Send({d.to, d.subject, d.body, d.html, d.dlt});
    bool permanent = !sent.ok() && !absl::IsUnavailable(sent.status());
    // A message the provider refuses is not the provider failing.
    breaker.Record(sent.ok() || permanent);
    circuit_open_->WithLabels({channel->provider()}).Set(breaker.open() ? 1 : 0);
    int attempts = d.attempts + 1;
    std::string status = sent.ok()                                         ? "sent"
                         : (permanent || attempts >= config_.max_attempts) ? "failed"
                                                                           : "pending";
    // Exponential backoff with jitter: ~1 s, 2 s, 4 s, ... up to 5 minutes.
    double backoff = std::min(300.0, 0.5 * (1 << std::min(attempts, 10))) *
                     std::uniform_real_distribution<>(0.5, 1.5)(rng);
    std::string error = sent.ok() ? "" : std::string(sent.status().message());
    exec([&](transaction_base& tx) {
      tx.exec_params(
          "UPDATE notification.deliveries SET attempts = $2, status = $3, sent_at = CASE WHEN $3 "
          "= 'sent' THEN now() END, last_error = nullif($4, ''), provider = $5, "
          "provider_message_id = nullif($6, ''), next_attempt_at = now() + make_interval(secs "
          "=> $7), updated_at = now() WHERE id = $1::uuid",
          d.id, attempts, status, error, channel->provider(), sent.ok() ? *sent : "", backoff);
      tx.exec_params(
          "INSERT INTO notification.delivery_attempts (delivery_id, attempt, provider, status, "
          "provider_message_id, error) VALUES ($1::uuid, (SELECT coalesce(max(attempt), 0) + 1 "
          "FROM notification.delivery_attempts WHERE delivery_id = $1::uuid), $2, $3, "
          "nullif($4, ''), nullif($5, ''))",
          d.id, channel->provider(), sent.ok() ? "sent" : "failed", sent.ok() ? *sent : "", error);
      if (sms && sent.ok()) {  // the standby email is not needed
        tx.exec_params(
            "UPDATE notification.deliveries SET status = 'suppressed', updated_at = now() WHERE "
            "event_id = $1 AND user_id = $2::uuid AND channel = 'email' AND status = 'standby'",
            d.event_id, d.user_id);
      }
    });
    deliveries_->WithLabels({d.channel, status == "pending" ? "retry" : status}).Inc();
    if (status == "failed" && sms && d.urgent) fall_back(d);
    if (!sent.ok()) {
      log::Warn("delivery_failed", {{"delivery_id", d.id},
                                    {"channel", d.channel},
                                    {"attempts", attempts},
                                    {"final", status == "failed"},
                                    {"error", error}});
    }
  }
  return static_cast<int>(due.size());
}

// ------------------------------------------------------------------ preferences

grpc::Status NotificationServiceImpl::GetPreferences(Ctx* ctx, const v1::GetPreferencesRequest*,
                                                     v1::Preferences* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(*pool_, {caller->sub, ""}, [&](transaction_base& tx) {
      return LoadPreferences(tx, caller->sub, resp);
    });
  });
}

grpc::Status NotificationServiceImpl::UpdatePreferences(Ctx* ctx,
                                                        const v1::UpdatePreferencesRequest* req,
                                                        v1::Preferences* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    std::vector<st::Violation> bad;
    nlohmann::json patch = nlohmann::json::object();
    for (int i = 0; i < req->categories_size(); ++i) {
      const auto& c = req->categories(i);
      std::string name;
      for (const char* k : kConfigurable) {
        if (CategoryOf(k) == c.category()) name = k;
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
    if (set_quiet) {
      if (!ValidLocalTime(q.start_local()))
        bad.push_back({"quiet_hours.start_local", "must be HH:MM (24-hour)"});
      if (!ValidLocalTime(q.end_local()))
        bad.push_back({"quiet_hours.end_local", "must be HH:MM (24-hour)"});
      if (q.start_local() == q.end_local() && ValidLocalTime(q.start_local()))
        bad.push_back({"quiet_hours.end_local", "must differ from start_local"});
      if (q.timezone().empty() || q.timezone().size() > 64)
        bad.push_back({"quiet_hours.timezone", "must be an IANA time zone, e.g. Asia/Kolkata"});
    }
    if (req->has_locale() && req->locale() != "en" && req->locale() != "hi")
      bad.push_back({"locale", "must be \"en\" or \"hi\""});
    if (!bad.empty()) return st::ValidationFailed(std::move(bad));
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](transaction_base& tx) -> absl::Status {
          if (set_quiet && !KnownZone(tx, q.timezone())) {
            return st::ValidationFailed(
                {{"quiet_hours.timezone", "is not a known IANA time zone"}});
          }
          tx.exec_params(
              "INSERT INTO notification.preferences AS p (user_id, channels, quiet_start, "
              "quiet_end, quiet_timezone, locale) VALUES ($1::uuid, $2::jsonb, "
              "nullif($4, '')::time, nullif($5, '')::time, nullif($6, ''), coalesce(nullif($8, "
              "''), 'en')) ON CONFLICT (user_id) DO UPDATE SET channels = (SELECT "
              "coalesce(jsonb_object_agg(k, coalesce(p.channels -> k, '{}') || "
              "coalesce($2::jsonb -> k, '{}')), '{}') FROM (SELECT jsonb_object_keys(p.channels) "
              "UNION SELECT jsonb_object_keys($2::jsonb)) AS keys(k)), quiet_start = CASE WHEN $3 "
              "THEN nullif($4, '')::time WHEN $7 THEN NULL ELSE p.quiet_start END, quiet_end = "
              "CASE WHEN $3 THEN nullif($5, '')::time WHEN $7 THEN NULL ELSE p.quiet_end END, "
              "quiet_timezone = CASE WHEN $3 THEN nullif($6, '') WHEN $7 THEN NULL ELSE "
              "p.quiet_timezone END, locale = coalesce(nullif($8, ''), p.locale), updated_at = "
              "now()",
              caller->sub, patch.dump(), set_quiet, set_quiet ? q.start_local() : "",
              set_quiet ? q.end_local() : "", set_quiet ? q.timezone() : "",
              !set_quiet && req->clear_quiet_hours(), req->has_locale() ? req->locale() : "");
          // Messages waiting for the old quiet hours look again now.
          tx.exec_params(
              "UPDATE notification.deliveries SET next_attempt_at = now() WHERE user_id = "
              "$1::uuid AND status = 'deferred'",
              caller->sub);
          return LoadPreferences(tx, caller->sub, resp);
        });
  });
}

// ------------------------------------------------------------------ failed deliveries

grpc::Status NotificationServiceImpl::ListFailedNotifications(
    Ctx* ctx, const v1::ListFailedNotificationsRequest* req,
    v1::ListFailedNotificationsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin"))
      return st::PermissionDenied("FORBIDDEN", "Only platform admins see failed deliveries.");
    int limit = paging::Limit(req->limit(), 50, 200);
    bool after = false;
    int64_t after_us = 0;
    std::string after_id = "00000000-0000-0000-0000-000000000000";
    if (!req->page_token().empty()) {
      auto pos = page_tokens_.Decode("failed-deliveries", req->page_token(), 2);
      if (!pos.ok()) return pos.status();
      auto us = paging::Int64Field((*pos)[0]);
      if (!us.ok() || !validate::ValidUuid((*pos)[1])) return paging::InvalidPageToken();
      after = true;
      after_us = *us;
      after_id = (*pos)[1];
    }
    std::string channel = req->channel() == v1::CHANNEL_EMAIL  ? "email"
                          : req->channel() == v1::CHANNEL_SMS  ? "sms"
                          : req->channel() == v1::CHANNEL_PUSH ? "push"
                                                               : "";
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string("SELECT ") + kDeliveryCols +
                  ", (extract(epoch from d.updated_at) * 1000000)::bigint"
                  " FROM notification.deliveries d WHERE d.status = 'failed' AND ($1 = '' OR "
                  "d.channel = $1) AND (NOT $2::bool OR (d.updated_at, d.id) < (timestamptz "
                  "'epoch' + $3::bigint * interval '1 microsecond', $4::uuid)) ORDER BY "
                  "d.updated_at DESC, d.id DESC LIMIT $5",
              channel, after, after_us, after_id, limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
            ReadDelivery(tx, rows[i], resp->add_items());
          if (static_cast<int>(rows.size()) > limit) {
            const auto& last = rows[limit - 1];
            resp->set_next_page_token(page_tokens_.Encode(
                "failed-deliveries",
                {std::to_string(last[last.size() - 1].as<int64_t>()), last[0].as<std::string>()}));
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status NotificationServiceImpl::RetryNotification(Ctx* ctx,
                                                        const v1::RetryNotificationRequest* req,
                                                        v1::OutboundMessage* resp) {
  return Serve(ctx, [&](const RpcScope& scope) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    if (!caller->HasRole("platform_admin"))
      return st::PermissionDenied("FORBIDDEN", "Only platform admins retry deliveries.");
    const absl::Status not_found = st::NotFound("DELIVERY_NOT_FOUND", "No such delivery.");
    if (!validate::ValidUuid(req->id())) return not_found;
    return pg::WithTransaction(
        *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string("UPDATE notification.deliveries d SET status = 'pending', attempts = "
                          "0, next_attempt_at = now(), updated_at = now() WHERE d.id = $1::uuid "
                          "AND d.status = 'failed' RETURNING ") +
                  kDeliveryCols,
              req->id());
          if (rows.empty()) {
            auto s = tx.exec_params(
                "SELECT status FROM notification.deliveries WHERE id = $1::uuid", req->id());
            if (s.empty()) return not_found;
            return st::Conflict("DELIVERY_NOT_FAILED",
                                "Only failed deliveries can be retried; this one is " +
                                    s[0][0].as<std::string>() + ".");
          }
          log::Info("delivery_retry_requested", {{"delivery_id", req->id()},
                                                 {"by", caller->sub},
                                                 {"request_id", scope.request_id()}});
          ReadDelivery(tx, rows[0], resp);
          return absl::OkStatus();
        });
  });
}

// ------------------------------------------------------------------ development outbox

grpc::Status NotificationServiceImpl::ListDevOutbox(Ctx* ctx, const v1::ListDevOutboxRequest* req,
                                                    v1::ListDevOutboxResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    if (!config_.development) return st::NotFound("NOT_FOUND", "Not found.");
    std::string to = req->to();
    while (!to.empty() && std::isspace(static_cast<unsigned char>(to.back()))) to.pop_back();
    while (!to.empty() && std::isspace(static_cast<unsigned char>(to.front()))) to.erase(0, 1);
    if (to.empty()) return st::ValidationFailed({{"to", "is required"}});
    bool is_email = to.find('@') != std::string::npos;
    if (is_email) {
      for (auto& c : to) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string sink = is_email ? config_.smtp_sink_url : config_.sms_sink_url;
    if (sink.empty()) return absl::OkStatus();
    auto got = nlohmann::json::parse(HttpGet(sink + "/messages", {{"to", to}}), nullptr, false);
    if (!got.is_object() || !got.contains("items") || !got["items"].is_array())
      return st::Unavailable("SINK_UNAVAILABLE", "The development sink did not answer.");
    for (const auto& m : got["items"]) {
      auto* out = resp->add_items();
      out->set_channel(is_email ? "email" : "sms");
      out->set_to(to);
      out->set_subject(is_email ? m.value("subject", "") : "");
      out->set_body(is_email ? m.value("body", "") : m.value("text", ""));
      out->mutable_created_at()->set_seconds(static_cast<int64_t>(m.value("received_at", 0.0)));
    }
    return absl::OkStatus();
  });
}

}  // namespace healthtech::notification
