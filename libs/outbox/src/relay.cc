#include "healthtech/outbox/relay.h"

#include <chrono>

#include "healthtech/log/log.h"

namespace healthtech::outbox {

void Enqueue(pqxx::transaction_base& tx, const std::string& schema, const std::string& event_type,
             const std::string& aggregate_id, const std::string& payload_json) {
  tx.exec_params("INSERT INTO " + tx.quote_name(schema) +
                     ".outbox (event_id, event_type, aggregate_id, payload) "
                     "VALUES (gen_random_uuid(), $1, $2, $3::jsonb)",
                 event_type, aggregate_id, payload_json);
}

Relay::Relay(pg::Pool* pool, redis::Client* redis, std::string schema, std::string service)
    : pool_(pool),
      redis_(redis),
      schema_(std::move(schema)),
      service_(std::move(service)),
      stream_("healthtech:events:" + schema_) {}

Relay::~Relay() { Stop(); }

void Relay::Start() {
  thread_ = std::thread([this] {
    while (!stop_) {
      int n = RunOnce();
      if (n == 0) {
        for (int i = 0; i < 5 && !stop_; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    }
  });
}

void Relay::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

int Relay::RunOnce() {
  int published = 0;
  auto s = pg::WithTransaction(*pool_, pg::Subject::System(), [&](pqxx::transaction_base& tx) {
    auto rows = tx.exec(
        "SELECT id, event_id::text, event_type, aggregate_id, payload::text, "
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
        "FROM " +
        tx.quote_name(schema_) +
        ".outbox WHERE published_at IS NULL ORDER BY id LIMIT 100 "
        "FOR UPDATE SKIP LOCKED");
    for (const auto& row : rows) {
      auto r = redis_->Command(
          {"XADD", stream_, "MAXLEN", "~", "100000", "*", "id", row[1].as<std::string>(), "type",
           row[2].as<std::string>(), "source", service_, "aggregate_id", row[3].as<std::string>(),
           "occurred_at", row[5].as<std::string>(), "payload", row[4].as<std::string>()});
      if (!r.ok() || r->type == redis::Reply::Type::kError) break;  // retry later
      tx.exec_params(
          "UPDATE " + tx.quote_name(schema_) + ".outbox SET published_at = now() WHERE id = $1",
          row[0].as<long long>());
      ++published;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) log::Warn("outbox_relay_failed", {{"error", std::string(s.message())}});
  return published;
}

}  // namespace healthtech::outbox
