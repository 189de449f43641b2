#include "healthtech/events/consumer.h"

#include <algorithm>
#include <exception>
#include <optional>

#include "healthtech/log/log.h"
#include "healthtech/trace/trace.h"

namespace healthtech::events {

StreamConsumer::StreamConsumer(redis::Client* redis, ConsumerOptions options, Handler handler)
    : redis_(redis), options_(std::move(options)), handler_(std::move(handler)) {
  // A series per stream from the start, at 0: a dashboard or an alert that reads it sees a
  // zero, not nothing (and increase() sees the first dead letter).
  if (options_.dead_letters != nullptr)
    for (const auto& stream : options_.streams) options_.dead_letters->WithLabels({stream});
}

StreamConsumer::~StreamConsumer() { Stop(); }

void StreamConsumer::Start() {
  thread_ = std::thread([this] {
    while (!stop_) {
      if (PollOnce() < 0) {  // Redis is down: try again in a second
        for (int i = 0; i < 20 && !stop_; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
}

void StreamConsumer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void StreamConsumer::Ack(const std::string& stream, const std::vector<const Event*>& done) {
  if (done.empty()) return;
  std::vector<std::string> cmd = {"XACK", stream, options_.group};
  for (const auto* e : done) cmd.push_back(e->entry_id);
  (void)redis_->Command(cmd);
  acknowledged_ += static_cast<int>(done.size());
}

bool StreamConsumer::Run(const std::vector<Event>& batch) {
  // A consumer span per handled batch, linked to each event's creation; it is current while
  // the handler runs, so the handler's database work and calls appear under it.
  std::vector<trace::SpanContext> created;
  for (const auto& e : batch)
    if (auto c = trace::ParseTraceparent(e.traceparent)) created.push_back(*c);
  std::optional<trace::Span> span;
  std::optional<trace::Activate> active;
  if (!created.empty()) {
    span.emplace("process " + batch[0].stream, trace::Kind::kConsumer, created);
    span->Set("messaging.system", "redis");
    span->Set("messaging.destination.name", batch[0].stream);
    span->Set("messaging.consumer.group.name", options_.group);
    span->Set("messaging.operation.type", "process");
    span->Set("messaging.batch.message_count", static_cast<int64_t>(batch.size()));
    if (batch.size() == 1) span->Set("event.type", batch[0].type);
    active.emplace(span->context());
  }
  try {
    absl::Status s = handler_(batch);
    if (span && !s.ok()) span->Error(std::string(s.message()));
    if (!s.ok()) {
      log::Warn("event_handler_failed", {{"group", options_.group},
                                         {"events", static_cast<int>(batch.size())},
                                         {"type", batch[0].type},
                                         {"error", std::string(s.message())}});
    }
    return s.ok();
  } catch (const std::exception& e) {  // a bug must not stop the consumer
    if (span) span->Error("exception");
    log::Error("event_handler_exception", {{"group", options_.group},
                                           {"events", static_cast<int>(batch.size())},
                                           {"type", batch[0].type},
                                           {"error", e.what()}});
    return false;
  }
}

void StreamConsumer::HandleEntries(const std::string& stream, const redis::Reply& entries) {
  std::vector<Event> events, skipped;
  for (const auto& entry : entries.elements) {
    if (entry.elements.size() < 2) continue;
    Event e;
    e.stream = stream;
    e.entry_id = entry.elements[0].str;
    const auto& f = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < f.size(); i += 2) {
      const std::string& key = f[i].str;
      const std::string& value = f[i + 1].str;
      if (key == "id") e.id = value;
      if (key == "type") e.type = value;
      if (key == "source") e.source = value;
      if (key == "aggregate_id") e.aggregate_id = value;
      if (key == "payload") e.payload = value;
      if (key == "traceparent") e.traceparent = value;
    }
    bool wanted = options_.types.empty() || std::find(options_.types.begin(), options_.types.end(),
                                                      e.type) != options_.types.end();
    (wanted ? events : skipped).push_back(std::move(e));
  }
  std::vector<const Event*> done;
  for (const auto& e : skipped) done.push_back(&e);
  Ack(stream, done);
  if (events.empty()) return;
  if (Run(events)) {
    done.clear();
    for (const auto& e : events) done.push_back(&e);
    Ack(stream, done);
    return;
  }
  if (events.size() == 1) return;  // left pending: retried by Recover()
  for (const auto& e : events) {
    if (Run({e})) Ack(stream, {&e});
  }
}

// Each reply of XREADGROUP: [[stream, [entries]], ...].
void StreamConsumer::HandleReply(const redis::Reply& reply) {
  if (reply.type != redis::Reply::Type::kArray) return;
  for (const auto& s : reply.elements) {
    if (s.elements.size() == 2) HandleEntries(s.elements[0].str, s.elements[1]);
  }
}

void StreamConsumer::Recover() {
  const std::string& group = options_.group;
  const std::string& name = options_.name;
  for (const auto& stream : options_.streams) {
    (void)redis_->Command({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
    auto pending = options_.max_deliveries > 0
                       ? redis_->Command({"XPENDING", stream, group, "-", "+", "50", name})
                       : absl::StatusOr<redis::Reply>(redis::Reply());
    if (pending.ok() && pending->type == redis::Reply::Type::kArray) {
      for (const auto& p : pending->elements) {
        if (p.elements.size() == 4 && p.elements[3].integer >= options_.max_deliveries) {
          (void)redis_->Command({"XACK", stream, group, p.elements[0].str});
          if (options_.dead_letters != nullptr) options_.dead_letters->WithLabels({stream}).Inc();
          log::Error("event_dead_lettered", {{"group", group},
                                             {"stream", stream},
                                             {"entry_id", p.elements[0].str},
                                             {"deliveries", p.elements[3].integer}});
        }
      }
    }
    (void)redis_->Command({"XAUTOCLAIM", stream, group, name,
                           std::to_string(options_.claim_idle_ms), "0-0", "COUNT", "200"});
    auto mine = redis_->Command(
        {"XREADGROUP", "GROUP", group, name, "COUNT", "200", "STREAMS", stream, "0"});
    if (mine.ok()) HandleReply(*mine);
    redis::RemoveGoneConsumers(*redis_, stream, group, name, options_.gone_after_ms);
  }
}

int StreamConsumer::PollOnce() {
  acknowledged_ = 0;
  auto now = std::chrono::steady_clock::now();
  if (!groups_ready_ || now - last_recovery_ > std::chrono::seconds(1)) {
    last_recovery_ = now;
    groups_ready_ = true;
    Recover();
  }
  std::vector<std::string> read = {
      "XREADGROUP", "GROUP", options_.group, options_.name,
      "COUNT",      "100",   "BLOCK",        std::to_string(options_.block_ms),
      "STREAMS"};
  for (const auto& stream : options_.streams) read.push_back(stream);
  for (size_t i = 0; i < options_.streams.size(); ++i) read.push_back(">");
  auto r = redis_->Command(read);
  if (!r.ok() || r->type == redis::Reply::Type::kError) {
    groups_ready_ = false;  // e.g. NOGROUP after Redis lost its data
    return acknowledged_ > 0 ? acknowledged_ : -1;
  }
  HandleReply(*r);
  return acknowledged_;
}

}  // namespace healthtech::events
