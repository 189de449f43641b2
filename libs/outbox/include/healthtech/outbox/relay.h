#pragma once
// Transactional outbox relay (DESIGN.md §6). A service writes its events into
// <schema>.outbox in the same transaction as the change; this relay publishes
// unpublished rows to the Redis stream healthtech:events:<service> (XADD) and marks
// them published. Delivery is at least once: consumers dedupe by event id. When Redis
// is down nothing is lost; rows wait in PostgreSQL.
//
// Expected table (each service's migration creates it):
//   CREATE TABLE <schema>.outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE,
//     event_type text NOT NULL, aggregate_id text NOT NULL, payload jsonb NOT NULL,
//     created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz,
//     traceparent text);
#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include <pqxx/pqxx>

#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"

namespace healthtech::outbox {

// The trace context to store with an event (the outbox's traceparent column): in a traced
// request, a producer span "create <event_type>" under the current span, whose context the
// relay publishes with the event so that publication and consumers link to it; nullopt
// outside a trace. Enqueue calls it; SQL that inserts into the outbox itself passes it on.
std::optional<std::string> TraceEvent(const std::string& schema, const std::string& event_type);

// Inserts an event row inside the caller's transaction.
void Enqueue(pqxx::transaction_base& tx, const std::string& schema, const std::string& event_type,
             const std::string& aggregate_id, const std::string& payload_json);

class Relay {
 public:
  Relay(pg::Pool* pool, redis::Client* redis, std::string schema, std::string service);
  ~Relay();
  void Start();
  void Stop();
  // Publishes one batch; returns how many rows were published (for tests).
  int RunOnce();

 private:
  pg::Pool* pool_;
  redis::Client* redis_;
  std::string schema_, service_, stream_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace healthtech::outbox
