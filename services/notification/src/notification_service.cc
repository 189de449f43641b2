#include "notification_service.h"

#include <chrono>
#include <cstring>
#include <random>

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "healthtech/auth/jwt.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
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

// SMTP upload source.
struct Upload {
  std::string data;
  size_t offset = 0;
};
size_t ReadUpload(char* buf, size_t size, size_t n, void* p) {
  auto* u = static_cast<Upload*>(p);
  size_t left = u->data.size() - u->offset, want = size * n;
  size_t take = std::min(left, want);
  std::memcpy(buf, u->data.data() + u->offset, take);
  u->offset += take;
  return take;
}

std::string Base64(const std::string& s) { return auth::Base64UrlEncode(s); }

absl::Status SendMail(const Config& c, const std::string& to, const std::string& subject,
                      const std::string& body) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return st::Unavailable("SMTP_UNAVAILABLE", "no curl");
  // RFC 2047 subject (UTF-8, base64; our base64url has '-' '_' instead of '+' '/').
  std::string b64 = Base64(subject);
  for (auto& ch : b64) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  while (b64.size() % 4) b64.push_back('=');
  std::string text;
  for (char ch : body) {
    if (ch == '\n')
      text += "\r\n";
    else
      text.push_back(ch);
  }
  Upload up;
  up.data = "To: <" + to + ">\r\nFrom: HealthTech <" + c.smtp_from + ">\r\nSubject: =?UTF-8?B?" +
            b64 +
            "?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
            "charset=utf-8\r\nContent-Transfer-Encoding: "
            "8bit\r\n\r\n" +
            text + "\r\n";
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
  std::string from = "<" + c.smtp_from + ">";
  curl_easy_setopt(curl, CURLOPT_URL, c.smtp_url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // STARTTLS when the server offers it ("try"), or insist on it ("required").
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   c.smtp_starttls == "required" ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return st::Unavailable("SMTP_FAILED", curl_easy_strerror(rc));
  return absl::OkStatus();
}

}  // namespace

NotificationServiceImpl::NotificationServiceImpl(Config config, pg::Pool* pool,
                                                 std::shared_ptr<grpc::Channel> iam)
    : config_(std::move(config)),
      pool_(pool),
      authn_(auth::JwksFromIam(iam), config_.jwt_issuer, config_.jwt_audience),
      iam_(iam::v1::IamService::NewStub(iam)) {}

grpc::Status NotificationServiceImpl::ListNotifications(Ctx* ctx,
                                                        const v1::ListNotificationsRequest* req,
                                                        v1::ListNotificationsResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    int limit = req->limit() <= 0 ? 20 : std::min(req->limit(), 100);
    std::string after;
    if (!req->page_token().empty()) {
      auto raw = auth::Base64UrlDecode(req->page_token());
      if (!raw.ok() || raw->find('|') == std::string::npos) {
        return st::ValidationFailed({{"page_token", "is not a token this API returned"}});
      }
      after = *raw;
    }
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](transaction_base& tx) -> absl::Status {
          std::string after_ts = after.empty() ? "" : after.substr(0, after.find('|'));
          std::string after_id = after.empty() ? "" : after.substr(after.find('|') + 1);
          auto rows = tx.exec_params(
              std::string("SELECT ") + kCols +
                  ", to_char(n.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM "
                  "notification.notifications n WHERE n.user_id = $1::uuid AND (NOT $2 OR "
                  "n.read_at IS NULL) AND ($3 = '' OR (n.created_at, n.id::text) < ($3::timestamp, "
                  "$4)) ORDER BY n.created_at DESC, n.id DESC LIMIT $5",
              caller->sub, req->unread_only(), after_ts, after_id, limit + 1);
          for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i)
            Read(rows[i], resp->add_items());
          if (static_cast<int>(rows.size()) > limit) {
            resp->set_next_page_token(auth::Base64UrlEncode(
                rows[limit - 1][9].as<std::string>() + "|" + rows[limit - 1][0].as<std::string>()));
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
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](transaction_base& tx) -> absl::Status {
          auto rows = tx.exec_params(
              std::string(
                  "UPDATE notification.notifications n SET read_at = coalesce(read_at, now()) "
                  "WHERE n.id = $1::uuid AND n.user_id = $2::uuid RETURNING ") +
                  kCols,
              req->id(), caller->sub);
          if (rows.empty()) return not_found;
          Read(rows[0], resp);
          return absl::OkStatus();
        });
  });
}

grpc::Status NotificationServiceImpl::MarkAllRead(Ctx* ctx, const v1::MarkAllReadRequest*,
                                                  v1::MarkAllReadResponse* resp) {
  return Serve(ctx, [&](const RpcScope&) -> absl::Status {
    auto caller = authn_.Authenticate(*ctx);
    if (!caller.ok()) return caller.status();
    return pg::WithTransaction(
        *pool_, {caller->sub, ""}, [&](transaction_base& tx) -> absl::Status {
          auto r = tx.exec_params(
              "UPDATE notification.notifications SET read_at = now() WHERE user_id = $1::uuid AND "
              "read_at IS NULL RETURNING 1",
              caller->sub);
          resp->set_marked_count(static_cast<int>(r.size()));
          resp->set_unread_count(0);
          return absl::OkStatus();
        });
  });
}

absl::Status NotificationServiceImpl::Handle(const std::string& event_id, const std::string& type,
                                             const std::string& payload_text,
                                             std::vector<Publication>* publish) {
  auto p = nlohmann::json::parse(payload_text, nullptr, false);
  if (!p.is_object()) return absl::OkStatus();  // not for us: nothing to do
  std::string user_id, category, link;
  std::map<std::string, std::string> values;
  if (type == "appointment.booked" || type == "appointment.cancelled" ||
      type == "appointment.reminder_due") {
    user_id = p.value("patient_id", "");
    category = "appointments";
    link = config_.public_web_url + "/appointments/" + p.value("appointment_id", "");
    values["timezone"] = p.value("timezone", "UTC");
    values["lead_text"] = p.value("lead", "") == "1h" ? "in one hour" : "tomorrow";
  } else if (type == "payment.captured" || type == "refund.processed") {
    user_id = p.value("payer_id", "");
    category = "payments";
    link = config_.public_web_url + "/payments/" + p.value("payment_id", "");
    values["amount"] = Money(p.value("amount", nlohmann::json::object()));
  } else {
    return absl::OkStatus();
  }
  if (!validate::ValidUuid(user_id)) return absl::OkStatus();
  values["link"] = link;
  // The recipient's address (never in events).
  grpc::ClientContext ctx;
  grpc_server::PrepareInternalCall(ctx, config_.internal_token);
  iam::v1::LookupUsersRequest lreq;
  lreq.add_user_ids(user_id);
  iam::v1::LookupUsersResponse lresp;
  grpc::Status gs = iam_->LookupUsers(&ctx, lreq, &lresp);
  if (!gs.ok()) return st::Unavailable("IAM_UNAVAILABLE", "users unavailable");  // retried later
  std::string email = lresp.users().empty() ? "" : lresp.users(0).email();
  return pg::WithTransaction(
      *pool_, pg::Subject::System(), [&](transaction_base& tx) -> absl::Status {
        if (tx.exec_params("INSERT INTO notification.processed_events (event_id, event_type) "
                           "VALUES ($1, $2) ON CONFLICT "
                           "DO NOTHING RETURNING 1",
                           event_id, type)
                .empty()) {
          return absl::OkStatus();  // handled before: nothing is sent twice
        }
        if (p.contains("start")) {
          values["start_local"] =
              tx.exec_params(
                    "SELECT to_char($1::timestamptz AT TIME ZONE $2, 'Dy DD Mon YYYY, HH24:MI')",
                    p.value("start", ""), values["timezone"])[0][0]
                  .as<std::string>();
        }
        auto msg = Render(type, "en", values);
        if (!msg) return absl::OkStatus();
        auto created = tx.exec_params(
            "INSERT INTO notification.notifications (user_id, category, type, title, body, link, "
            "event_id) "
            "VALUES ($1::uuid, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id::text, "
            "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            user_id, category, type, msg->subject, msg->body, link, event_id);
        if (!created.empty() && publish != nullptr) {
          // Real time: the BFF forwards this to the user's open WebSocket sessions.
          int unread = tx.exec_params(
                             "SELECT count(*) FROM notification.notifications WHERE "
                             "user_id = $1::uuid AND read_at IS NULL",
                             user_id)[0][0]
                           .as<int>();
          publish->push_back(
              {user_id, nlohmann::json{{"type", "notification"},
                                       {"notification",
                                        {{"id", created[0][0].as<std::string>()},
                                         {"category", category},
                                         {"type", type},
                                         {"title", msg->subject},
                                         {"body", msg->body},
                                         {"link", link},
                                         {"read", false},
                                         {"created_at", created[0][1].as<std::string>()}}},
                                       {"unread_count", unread}}
                            .dump()});
        }
        if (!email.empty()) {
          tx.exec_params(
              "INSERT INTO notification.deliveries (event_id, user_id, channel, recipient, "
              "subject, body, status) "
              "VALUES ($1, $2::uuid, 'email', $3, $4, $5, 'pending') ON CONFLICT DO NOTHING",
              event_id, user_id, email, msg->subject, msg->body);
        }
        return absl::OkStatus();
      });
}

int NotificationServiceImpl::ConsumeOnce(redis::Client& redis, const std::string& consumer,
                                         int claim_idle_ms) {
  int handled = 0;
  for (const char* source : {"appointment", "payment"}) {
    std::string stream = std::string("healthtech:events:") + source, group = "notification-service";
    (void)redis.Command({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
    (void)redis.Command({"XAUTOCLAIM", stream, group, consumer, std::to_string(claim_idle_ms),
                         "0-0", "COUNT", "50"});
    auto r = redis.Command(
        {"XREADGROUP", "GROUP", group, consumer, "COUNT", "50", "STREAMS", stream, "0"});
    if (!r.ok() || r->type != redis::Reply::Type::kArray || r->elements.empty() ||
        r->elements[0].elements.size() < 2 || r->elements[0].elements[1].elements.empty()) {
      r = redis.Command(
          {"XREADGROUP", "GROUP", group, consumer, "COUNT", "50", "STREAMS", stream, ">"});
    }
    if (!r.ok() || r->type != redis::Reply::Type::kArray || r->elements.empty()) continue;
    for (const auto& entry : r->elements[0].elements[1].elements) {
      if (entry.elements.size() < 2) continue;
      std::string id, type, payload;
      const auto& f = entry.elements[1].elements;
      for (size_t i = 0; i + 1 < f.size(); i += 2) {
        if (f[i].str == "id") id = f[i + 1].str;
        if (f[i].str == "type") type = f[i + 1].str;
        if (f[i].str == "payload") payload = f[i + 1].str;
      }
      // Acknowledged only after the notifications are stored.
      std::vector<Publication> publish;
      if (Handle(id, type, payload, &publish).ok()) {
        (void)redis.Command({"XACK", stream, group, entry.elements[0].str});
        ++handled;
        for (const auto& [user, message] : publish) Publish(redis, user, message);
      }
    }
  }
  return handled;
}

void NotificationServiceImpl::Publish(redis::Client& redis, const std::string& user_id,
                                      const std::string& message) {
  // Best effort: the inbox is the record; a missed frame is caught up by the client's refetch.
  (void)redis.Command({"PUBLISH", "healthtech:notify:user:" + user_id, message});
}

int NotificationServiceImpl::DeliverOnce() {
  struct Item {
    std::string id, to, subject, body;
    int attempts;
  };
  std::vector<Item> due;
  pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
    for (const auto& r :
         tx.exec("SELECT id::text, recipient, subject, body, attempts FROM notification.deliveries "
                 "WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at "
                 "LIMIT 20")) {
      due.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<std::string>(), r[4].as<int>()});
    }
    return absl::OkStatus();
  }).IgnoreError();
  static thread_local std::mt19937 rng(std::random_device{}());
  for (const auto& d : due) {
    absl::Status sent = SendMail(config_, d.to, d.subject, d.body);
    // Transient failures retry with exponential backoff and jitter, then fail for good.
    int attempts = d.attempts + 1;
    double backoff = std::min(300.0, 0.5 * (1 << std::min(attempts, 9))) *
                     (0.5 + std::uniform_real_distribution<>(0, 1)(rng));
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](transaction_base& tx) {
      tx.exec_params(
          "UPDATE notification.deliveries SET attempts = $2, status = CASE WHEN $3 THEN 'sent' "
          "WHEN $2 >= 8 "
          "THEN 'failed' ELSE 'pending' END, sent_at = CASE WHEN $3 THEN now() END, last_error = "
          "nullif($4, ''), "
          "next_attempt_at = now() + make_interval(secs => $5) WHERE id = $1::uuid",
          d.id, attempts, sent.ok(), sent.ok() ? "" : std::string(sent.message()), backoff);
      return absl::OkStatus();
    }).IgnoreError();
    if (!sent.ok())
      log::Warn("email_delivery_failed", {{"delivery_id", d.id}, {"attempts", attempts}});
  }
  return static_cast<int>(due.size());
}

}  // namespace healthtech::notification
