#include "consumer/event_consumer.h"

#include <unistd.h>

#include <array>
#include <set>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "domain/delivery.h"
#include "domain/preferences.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/status/status.h"
#include "healthtech/trace/trace.h"
#include "render.h"

namespace healthtech::notification::consumer {

namespace st = status;

EventConsumer::EventConsumer(const Config& config, pg::Pool* pool,
                             std::shared_ptr<grpc::Channel> iam, bool sms_enabled,
                             Realtime* realtime, storage::TimeZones* zones, Counters* counters)
    : config_(config),
      pool_(pool),
      iam_(iam::v1::IamService::NewStub(iam)),
      sms_enabled_(sms_enabled),
      realtime_(realtime),
      zones_(zones),
      counters_(counters) {}

absl::Status EventConsumer::HandleBatch(const std::vector<Event>& events,
                                        std::vector<Publication>* publish) {
  // What each event means (no I/O), then one IAM lookup for every recipient of the batch
  // (events carry identifiers, not contacts), then one transaction for the whole batch.
  struct Planned {
    const Event* event;
    domain::Plan plan;
  };
  std::vector<Planned> planned;
  for (const auto& e : events) {
    auto p = nlohmann::json::parse(e.payload, nullptr, false);
    if (!p.is_object()) continue;  // not for us: nothing to do
    auto plan = domain::PlanFor(e.type, p, config_.public_web_url);
    if (!plan) continue;
    counters_->events->WithLabels({e.type}).Inc();
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
  const auto queued_in = trace::CurrentTraceparent();  // sending links to this processing
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) -> absl::Status {
    batch_publish.clear();
    // Preferences of every recipient, in one read.
    std::vector<std::string> recipients;
    for (const auto& [id, u] : users) recipients.push_back(id);
    std::map<std::string, std::pair<nlohmann::json, std::string>> prefs;
    if (!recipients.empty()) {
      for (const auto& [id, p] : storage::PreferencesOf(tx, recipients))
        prefs[id] = {nlohmann::json::parse(p.channels_json), p.locale};
    }
    for (auto& pl : planned) {
      Store(tx, *pl.event, pl.plan, users, prefs, queued_in, &batch_publish);
    }
    return absl::OkStatus();
  });
  if (s.ok()) publish->insert(publish->end(), batch_publish.begin(), batch_publish.end());
  return s;
}

void EventConsumer::Store(
    storage::Tx& tx, const Event& e, domain::Plan& plan,
    const std::map<std::string, iam::v1::User>& users,
    const std::map<std::string, std::pair<nlohmann::json, std::string>>& prefs,
    const std::optional<std::string>& queued_in, std::vector<Publication>* publish) {
  const std::string& event_id = e.id;
  const std::string& type = e.type;
  if (!storage::MarkEventProcessed(tx, event_id, type)) {
    return;  // handled before: nothing is sent twice
  }
  if (!zones_->Known(tx, plan.values["timezone"])) plan.values["timezone"] = "UTC";
  for (const auto& [name, instant] : plan.local_times) {
    if (instant.empty()) continue;
    plan.values[name] = storage::LocalTime(tx, instant, plan.values["timezone"]);
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
      return plan.security || domain::Wants(channels, plan.category, channel);
    };
    auto msg = Render(type, locale, plan.values);
    if (!msg) continue;
    if (plan.in_app && !r.user_id.empty() && wants("in_app")) {
      storage::NewNotification n;
      n.user_id = r.user_id;
      n.category = plan.category;
      n.type = type;
      n.title = msg->subject;
      n.body = msg->body;
      n.link = plan.path;
      n.event_id = event_id;
      if (auto created = storage::InsertNotification(tx, n)) {
        // Real time: the BFF forwards this to the user's open WebSocket sessions.
        publish->push_back({r.user_id, nlohmann::json{{"type", "notification"},
                                                      {"notification",
                                                       {{"id", created->id},
                                                        {"category", plan.category},
                                                        {"type", type},
                                                        {"title", msg->subject},
                                                        {"body", msg->body},
                                                        {"link", plan.path},
                                                        {"read", false},
                                                        {"created_at", created->created_at}}},
                                                      {"unread_count", created->unread_count}}
                                           .dump()});
      }
    }
    bool sms = plan.sms && sms_enabled_ && !phone.empty() && wants("sms");
    auto queue = [&](const std::string& channel, const std::string& to, const std::string& subject,
                     const std::string& body, const std::string& html, const std::string& status) {
      auto it = config_.dlt_template_ids.find(type);
      storage::NewDelivery d;
      d.event_id = event_id;
      d.user_id = r.user_id;
      d.channel = channel;
      d.recipient = to;
      d.subject = subject;
      d.body = body;
      d.html_body = html;
      d.status = status;
      d.event_type = type;
      d.category = plan.category;
      d.locale = locale;
      d.security = plan.security;
      d.urgent = plan.urgent;
      d.dlt_template_id =
          channel == "sms" && it != config_.dlt_template_ids.end() ? it->second : "";
      d.traceparent = queued_in;
      storage::QueueDelivery(tx, d);
      counters_->deliveries->WithLabels({channel, status == "pending" ? "queued" : status}).Inc();
    };
    if (plan.email && !email.empty()) {
      // An urgent message the user takes by SMS only keeps an email on standby.
      std::string status = domain::EmailStatus(wants("email"), plan.urgent, sms);
      queue("email", email, msg->subject, msg->body, HtmlEmail(msg->subject, msg->body), status);
    }
    if (plan.sms && sms_enabled_ && !phone.empty()) {
      queue("sms", phone, msg->subject, RenderSms(type, locale, plan.values), "",
            sms ? "pending" : "suppressed");
    }
  }
}

const std::vector<std::string>& EventConsumer::Streams() {
  static const std::vector<std::string> streams = {
      "healthtech:events:iam", "healthtech:events:org", "healthtech:events:appointment",
      "healthtech:events:payment", "healthtech:events:forum"};
  return streams;
}

events::ConsumerOptions EventConsumer::Options(int consumer_index, Counters* counters) const {
  events::ConsumerOptions o;
  o.group = "notification-service";
  o.name = "notification-" + std::to_string(::getpid()) + "-" + std::to_string(consumer_index);
  o.streams = Streams();
  // An entry whose handling failed max_event_deliveries times (a poison event) would block
  // nothing but retry forever: it is acknowledged, logged and counted, and stays in the
  // stream to be replayed once the cause is fixed.
  o.max_deliveries = config_.max_event_deliveries;
  o.dead_letters = counters->dead_letters;
  o.claim_idle_ms = config_.claim_idle_ms;
  o.gone_after_ms = config_.gone_after_ms;
  return o;
}

absl::Status EventConsumer::Handle(const std::vector<events::Event>& batch) {
  std::vector<Publication> publish;
  absl::Status s = HandleBatch(batch, &publish);
  if (s.ok()) {
    for (const auto& p : publish) realtime_->Publish(p.user_id, p.message);
  }
  return s;
}

}  // namespace healthtech::notification::consumer
