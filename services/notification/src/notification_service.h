#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "channels.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/metrics/metrics.h"
#include "healthtech/notification/v1/notification_service.grpc.pb.h"
#include "healthtech/paging/page_token.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"

namespace healthtech::notification {

struct Plan;  // what one event sends, and to whom (notification_service.cc)

struct Config {
  std::string internal_token, jwt_issuer, jwt_audience;
  std::string public_web_url;
  bool development = false;
  // Development sinks that GET /v1/dev/outbox reads back (empty: not shown).
  std::string smtp_sink_url, sms_sink_url;
  // DLT template id per event type (India's SMS rules), e.g. "appointment.booked" -> "1107…".
  std::map<std::string, std::string> dlt_template_ids;
  int max_attempts = 8;
  int max_event_deliveries = 20;  // then an event that keeps failing is dead-lettered
  int sms_hourly_cap = 10;
  int breaker_failures = 5;
  int breaker_open_ms = 30000;
};

// Consumes the platform's events (Redis consumer groups, acknowledged only after the
// messages are stored), keeps each user's in-app inbox (published to the BFF's WebSockets
// as it changes), honours preferences and quiet hours, and delivers email and SMS with
// recorded attempts, backoff, a circuit breaker per provider and an email fallback for
// urgent SMS. Each event produces its messages once.
class NotificationServiceImpl final : public v1::NotificationService::Service {
 public:
  NotificationServiceImpl(Config config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
                          std::unique_ptr<Channel> email, std::unique_ptr<Channel> sms,
                          redis::Client* publisher, metrics::Registry* registry);

  using Ctx = grpc::ServerContext;
  grpc::Status ListNotifications(Ctx*, const v1::ListNotificationsRequest*,
                                 v1::ListNotificationsResponse*) override;
  grpc::Status MarkRead(Ctx*, const v1::MarkReadRequest*, v1::Notification*) override;
  grpc::Status MarkAllRead(Ctx*, const v1::MarkAllReadRequest*, v1::MarkAllReadResponse*) override;
  grpc::Status GetPreferences(Ctx*, const v1::GetPreferencesRequest*, v1::Preferences*) override;
  grpc::Status UpdatePreferences(Ctx*, const v1::UpdatePreferencesRequest*,
                                 v1::Preferences*) override;
  grpc::Status ListFailedNotifications(Ctx*, const v1::ListFailedNotificationsRequest*,
                                       v1::ListFailedNotificationsResponse*) override;
  grpc::Status RetryNotification(Ctx*, const v1::RetryNotificationRequest*,
                                 v1::OutboundMessage*) override;
  grpc::Status ListDevOutbox(Ctx*, const v1::ListDevOutboxRequest*,
                             v1::ListDevOutboxResponse*) override;

  // What one consumer thread keeps between rounds.
  struct Consumer {
    std::string name;  // unique in the group: "notification-<pid>-<n>"
    int claim_idle_ms = 8000;
    int gone_after_ms = 60000;  // a consumer silent this long, with nothing pending, is removed
    bool groups_ready = false;
    std::chrono::steady_clock::time_point last_recovery{};
  };
  // One round over every stream, waiting up to 100 ms for new events; returns the number
  // of entries handled, or -1 when Redis is unreachable. Each stream's new entries are
  // handled as one batch (one IAM lookup, one transaction). Now and then, entries another
  // consumer left unacknowledged for claim_idle_ms (it crashed) are claimed, and consumers
  // gone for a minute with nothing pending are removed from the group.
  int ConsumeOnce(redis::Client& redis, Consumer& consumer);
  // Sends due email and SMS deliveries; returns how many were looked at.
  int DeliverOnce();

 private:
  struct Publication {
    std::string user_id, message;
  };
  struct Event {
    std::string entry_id, id, type, payload;
  };
  // Turns events into stored messages, all in one transaction (all or nothing).
  absl::Status HandleBatch(const std::vector<Event>& events, std::vector<Publication>* publish);
  void Store(pqxx::transaction_base& tx, const Event& e, Plan& plan,
             const std::map<std::string, iam::v1::User>& users,
             const std::map<std::string, std::pair<nlohmann::json, std::string>>& prefs,
             std::vector<Publication>* publish);
  void Publish(const std::string& user_id, const std::string& message);
  void PublishUnreadCount(const std::string& user_id, int unread);
  bool KnownZone(pqxx::transaction_base& tx, const std::string& name);
  absl::Status LoadPreferences(pqxx::transaction_base& tx, const std::string& user_id,
                               v1::Preferences* out);

  Config config_;
  pg::Pool* pool_;
  paging::PageTokens page_tokens_;
  auth::Authenticator authn_;
  std::unique_ptr<iam::v1::IamService::Stub> iam_;
  std::unique_ptr<Channel> email_, sms_;
  CircuitBreaker email_breaker_, sms_breaker_;
  redis::Client* publisher_;
  metrics::Family<metrics::Counter>* deliveries_;
  metrics::Family<metrics::Gauge>* circuit_open_;
  metrics::Family<metrics::Counter>* events_;
  metrics::Family<metrics::Counter>* dead_letters_;
  std::mutex zones_mu_;
  std::set<std::string> zones_;
};

}  // namespace healthtech::notification
