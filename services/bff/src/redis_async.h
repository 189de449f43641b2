#pragma once
// Redis on the event loop itself: a hiredis async context driven by Asio (the
// descriptor's readiness calls redisAsyncHandleRead/Write), one connection per
// io_context thread, so a rate-limit check costs no thread hand-off. Commands time out
// (the request then proceeds without the check); a lost connection is re-established
// on the next command, at most every 500 ms.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "asio.h"
#include "healthtech/redis/redis.h"

struct redisAsyncContext;

namespace healthtech::bff {

class AsyncRedis {
 public:
  AsyncRedis(asio::io_context& ioc, redis::Url url,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(500));
  ~AsyncRedis();
  AsyncRedis(const AsyncRedis&) = delete;
  AsyncRedis& operator=(const AsyncRedis&) = delete;

  // Must be awaited on this object's io_context thread.
  awaitable<absl::StatusOr<redis::Reply>> Command(std::vector<std::string> args);

 private:
  struct Pending;
  bool EnsureConnected();
  void ArmRead();
  void ArmWrite();
  void Detach();
  static void AddRead(void* p);
  static void DelRead(void* p);
  static void AddWrite(void* p);
  static void DelWrite(void* p);
  static void Cleanup(void* p);
  static void OnReply(redisAsyncContext* ac, void* reply, void* privdata);
  static void OnConnect(const redisAsyncContext* ac, int status);
  static void OnDisconnect(const redisAsyncContext* ac, int status);

  asio::io_context& ioc_;
  redis::Url url_;
  std::chrono::milliseconds timeout_;
  redisAsyncContext* ac_ = nullptr;
  std::unique_ptr<asio::posix::stream_descriptor> sd_;
  bool want_read_ = false, want_write_ = false;
  bool read_armed_ = false, write_armed_ = false;
  uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point next_connect_{};
};

}  // namespace healthtech::bff
