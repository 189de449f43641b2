#pragma once
// A consumer group over services' event streams (healthtech:events:<service>, written by
// the outbox relay), at least once: an entry is acknowledged only after its handler
// succeeded, so handlers must be idempotent (dedupe by event id, or apply only newer
// versions). New entries of each stream are handled as one batch; when a batch fails, each
// event is retried alone, so one poison event fails alone. Now and then the group is
// (re)created, entries a crashed consumer left pending for claim_idle_ms are claimed,
// this consumer's failed entries are retried, an entry delivered max_deliveries times is
// acknowledged unhandled (dead-lettered: logged and counted; it stays in the stream for a
// replay), and consumers silent for gone_after_ms with nothing pending leave the group.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <absl/status/status.h>

#include "healthtech/metrics/metrics.h"
#include "healthtech/redis/redis.h"

namespace healthtech::events {

struct Event {
  std::string stream, entry_id;                         // where it was read
  std::string id, type, source, aggregate_id, payload;  // the relay's fields
  std::string traceparent;  // the event's creation, when a traced request wrote it
};

struct ConsumerOptions {
  std::string group;                 // e.g. "org-service"
  std::string name;                  // unique in the group, e.g. "org-<pid>"
  std::vector<std::string> streams;  // e.g. {"healthtech:events:appointment"}
  std::vector<std::string> types;    // only these event types reach the handler ({} = all)
  int max_deliveries = 20;           // 0: never dead-letter (retry until it succeeds)
  // Counts dead-lettered entries by stream (a family with the one label "stream"), or null.
  metrics::Family<metrics::Counter>* dead_letters = nullptr;
  long long claim_idle_ms = 8000;
  long long gone_after_ms = 60000;
  int block_ms = 100;  // how long one poll waits for new entries
};

class StreamConsumer {
 public:
  using Handler = std::function<absl::Status(const std::vector<Event>&)>;
  StreamConsumer(redis::Client* redis, ConsumerOptions options, Handler handler);
  ~StreamConsumer();
  StreamConsumer(const StreamConsumer&) = delete;
  StreamConsumer& operator=(const StreamConsumer&) = delete;

  // One round: recovery when due, then new entries (waiting up to block_ms). Returns the
  // number of entries acknowledged, or -1 when Redis did not answer.
  int PollOnce();
  // Polls on a thread of its own until Stop() (backing off while Redis is down).
  void Start();
  void Stop();

 private:
  void Recover();
  void HandleReply(const redis::Reply& reply);
  void HandleEntries(const std::string& stream, const redis::Reply& entries);
  bool Run(const std::vector<Event>& batch);
  void Ack(const std::string& stream, const std::vector<const Event*>& done);

  redis::Client* redis_;
  ConsumerOptions options_;
  Handler handler_;
  bool groups_ready_ = false;
  std::chrono::steady_clock::time_point last_recovery_{};
  int acknowledged_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace healthtech::events
