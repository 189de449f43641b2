#pragma once
// Consumes the platform's events (Redis consumer group "notification-service", acknowledged
// only after the messages are stored) and turns each into its messages, once: the in-app
// notification (published to the BFF's WebSockets) and the email and SMS deliveries that
// delivery/ sends.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <absl/status/status.h>

#include "config.h"
#include "counters.h"
#include "domain/plan.h"
#include "healthtech/iam/v1/iam_service.grpc.pb.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "realtime.h"
#include "storage/store.h"

namespace healthtech::notification::consumer {

class EventConsumer {
 public:
  // `sms_enabled`: whether an SMS provider is configured (without one no SMS is planned).
  EventConsumer(const Config& config, pg::Pool* pool, std::shared_ptr<grpc::Channel> iam,
                bool sms_enabled, Realtime* realtime, storage::TimeZones* zones,
                Counters* counters);

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

 private:
  struct Publication {
    std::string user_id, message;
  };
  struct Event {
    std::string entry_id, id, type, payload;
  };
  // Turns events into stored messages, all in one transaction (all or nothing).
  absl::Status HandleBatch(const std::vector<Event>& events, std::vector<Publication>* publish);
  void Store(storage::Tx& tx, const Event& e, domain::Plan& plan,
             const std::map<std::string, iam::v1::User>& users,
             const std::map<std::string, std::pair<nlohmann::json, std::string>>& prefs,
             std::vector<Publication>* publish);

  const Config& config_;
  pg::Pool* pool_;
  std::unique_ptr<iam::v1::IamService::Stub> iam_;
  bool sms_enabled_;
  Realtime* realtime_;
  storage::TimeZones* zones_;
  Counters* counters_;
};

}  // namespace healthtech::notification::consumer
