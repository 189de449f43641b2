#pragma once
// Turns the platform's events into their messages, once: the in-app notification (published
// to the BFF's WebSockets) and the email and SMS deliveries that delivery/ sends. The events
// come from a libs/events StreamConsumer (consumer group "notification-service" over every
// service's stream), which acknowledges a batch only after Handle() stored its messages.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <absl/status/status.h>

#include "config.h"
#include "counters.h"
#include "domain/plan.h"
#include "healthtech/events/consumer.h"
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

  // The streams it reads and the consumer settings of the group (one consumer thread each).
  static const std::vector<std::string>& Streams();
  events::ConsumerOptions Options(int consumer_index, Counters* counters) const;

  // Stores the messages of a batch of events (one IAM lookup, one transaction), then
  // publishes the in-app ones to the WebSockets. Not OK: nothing was stored; the batch is
  // retried (event by event).
  absl::Status Handle(const std::vector<events::Event>& batch);

 private:
  struct Publication {
    std::string user_id, message;
  };
  using Event = events::Event;
  // Turns events into stored messages, all in one transaction (all or nothing).
  absl::Status HandleBatch(const std::vector<Event>& events, std::vector<Publication>* publish);
  void Store(storage::Tx& tx, const Event& e, domain::Plan& plan,
             const std::map<std::string, iam::v1::User>& users,
             const std::map<std::string, std::pair<nlohmann::json, std::string>>& prefs,
             const std::optional<std::string>& queued_in,  // traceparent for the messages
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
