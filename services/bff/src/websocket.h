#pragma once
// Real-time notifications: `GET /ws` upgrades to a WebSocket that authenticates with its
// first message, {"type":"auth","access_token":"…"} (never a token in the URL), within
// 5 s. After {"type":"ready"} the server forwards what notification-service publishes on
// the Redis channel healthtech:notify:user:{user_id} to every session of that user, on
// every BFF replica (each replica subscribes once, by pattern, and fans out to its own
// sessions). Heartbeats are WebSocket pings; a session whose token expires is closed with
// 4001 (send a fresh {"type":"auth"} before then to extend it); bad or missing
// authentication closes with 1008; shutdown closes with 1001; a session signed out
// elsewhere (logout, sign out everywhere, password reset, a role taken away) gets
// TOKEN_REVOKED and 4001 at once (IAM publishes on the user's channel).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <absl/status/statusor.h>

#include "asio.h"
#include "healthtech/auth/jwt.h"
#include "healthtech/metrics/metrics.h"
#include "healthtech/redis/redis.h"

namespace healthtech::bff {

class WsSession;

// What one replica allows, so a client (or many) cannot exhaust it: sessions in all,
// sessions per user (the next is closed with 4029 "try again later"), and messages per
// session (a token bucket; a session that floods is closed with 1008).
struct WsLimits {
  int max_sessions = 10000;
  int max_sessions_per_user = 10;
  double messages_per_second = 5;
  double message_burst = 20;
};

class WsHub {
 public:
  using Verify = std::function<awaitable<absl::StatusOr<auth::Claims>>(std::string)>;
  WsHub(redis::Url redis, Verify verify, metrics::Registry* registry, WsLimits limits = {});
  ~WsHub();
  WsHub(const WsHub&) = delete;
  WsHub& operator=(const WsHub&) = delete;

  // Starts the Redis subscriber thread.
  void Start();
  // Closes every session (1001) and stops the subscriber.
  void Stop();

  // Runs one WebSocket session on the calling coroutine's executor until it closes.
  awaitable<void> Serve(beast::tcp_stream stream, http::request<http::string_body> upgrade_request);

  // Delivers `message` to every session of `user_id` on this replica; returns how many.
  int Deliver(const std::string& user_id, const std::string& message);
  int sessions() const { return static_cast<int>(sessions_gauge_->Value()); }

 private:
  void Subscribe();
  // The user's open sessions on this replica (OpenSessionsLocked: with mu_ held).
  std::vector<std::shared_ptr<WsSession>> SessionsOf(const std::string& user_id);
  std::vector<std::shared_ptr<WsSession>> OpenSessionsLocked(const std::string& user_id);
  // False (and nothing registered) when the user already has the most sessions allowed.
  bool Register(const std::string& user_id, const std::shared_ptr<WsSession>& s);
  void Unregister(const std::string& user_id, const WsSession* s);
  void Broadcast(const std::string& message);
  // IAM's {"type":"session_revoked","sessions":[…],"before":N} for a user: closes (4001) the
  // user's sessions here whose token it cuts off.
  void Revoke(const std::string& user_id, const std::string& message);

  redis::Url redis_;
  Verify verify_;
  WsLimits limits_;
  std::mutex mu_;
  std::unordered_multimap<std::string, std::weak_ptr<WsSession>> by_user_;
  std::unordered_map<const WsSession*, std::weak_ptr<WsSession>> all_;
  std::thread subscriber_;
  std::atomic<bool> stop_{false};
  metrics::Gauge* sessions_gauge_;
  metrics::Family<metrics::Counter>* frames_;
  metrics::Family<metrics::Counter>* refused_;
};

}  // namespace healthtech::bff
