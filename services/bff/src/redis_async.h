#pragma once
// Redis for the event loop: commands are queued to one worker thread that owns a
// blocking hiredis connection and pipelines whatever is queued; each result is posted
// back to the awaiting coroutine's executor. The loop never blocks on Redis.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <absl/status/statusor.h>

#include "asio.h"
#include "healthtech/redis/redis.h"

struct redisContext;

namespace healthtech::bff {

class AsyncRedis {
 public:
  explicit AsyncRedis(redis::Url url);
  ~AsyncRedis();
  awaitable<absl::StatusOr<redis::Reply>> Command(std::vector<std::string> args);
  void Stop();

 private:
  struct Job {
    std::vector<std::string> args;
    std::function<void(absl::StatusOr<redis::Reply>)> done;
  };
  void Run();
  bool Connect();
  void Submit(Job job);

  redis::Url url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stop_ = false;
  redisContext* ctx_ = nullptr;
  std::thread thread_;
};

}  // namespace healthtech::bff
