#include "healthtech/outbox/relay.h"

#include <chrono>
#include <optional>
#include <vector>

#include "healthtech/log/log.h"
#include "healthtech/trace/trace.h"

namespace healthtech::outbox {

std::optional<std::string> TraceEvent(const std::string& schema, const std::string& event_type) {
  if (!trace::Current().valid()) return std::nullopt;
  trace::Span created("create " + event_type, trace::Kind::kProducer);
  created.Set("messaging.system", "redis");
  created.Set("messaging.destination.name", "healthtech:events:" + schema);
  created.Set("messaging.operation.type", "create");
  return trace::FormatTraceparent(created.context());
}

void Enqueue(pqxx::transaction_base& tx, const std::string& schema, const std::string& event_type,
             const std::string& aggregate_id, const std::string& payload_json) {
  tx.exec_params("INSERT INTO " + tx.quote_name(schema) +
                     ".outbox (event_id, event_type, aggregate_id, payload, traceparent) "
                     "VALUES (gen_random_uuid(), $1, $2, $3::jsonb, $4)",
                 event_type, aggregate_id, payload_json, TraceEvent(schema, event_type));
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
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "coalesce(traceparent, '') "
        "FROM " +
        tx.quote_name(schema_) +
        ".outbox WHERE published_at IS NULL ORDER BY id LIMIT 100 "
        "FOR UPDATE SKIP LOCKED");
    // One publish span per batch, linked to each event's creation (a batch has no one
    // parent); kept when any of those traces was.
    std::vector<trace::SpanContext> created;
    for (const auto& row : rows)
      if (auto c = trace::ParseTraceparent(row[6].as<std::string>())) created.push_back(*c);
    std::optional<trace::Span> publish;
    if (!created.empty()) {
      publish.emplace("publish " + stream_, trace::Kind::kProducer, created);
      publish->Set("messaging.system", "redis");
      publish->Set("messaging.destination.name", stream_);
      publish->Set("messaging.operation.type", "send");
    }
    if (publish) publish->Set("messaging.batch.message_count", static_cast<int64_t>(rows.size()));
    for (const auto& row : rows) {
      std::vector<std::string> cmd = {"XADD",         stream_,
                                      "MAXLEN",       "~",
                                      "100000",       "*",
                                      "id",           row[1].as<std::string>(),
                                      "type",         row[2].as<std::string>(),
                                      "source",       service_,
                                      "aggregate_id", row[3].as<std::string>(),
                                      "occurred_at",  row[5].as<std::string>(),
                                      "payload",      row[4].as<std::string>()};
      if (!row[6].as<std::string>().empty()) {
        cmd.push_back("traceparent");
        cmd.push_back(row[6].as<std::string>());
      }
      auto r = redis_->Command(cmd);
      if (!r.ok() || r->type == redis::Reply::Type::kError) {
        if (publish) publish->Error("XADD failed");
        break;  // retry later
      }
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
