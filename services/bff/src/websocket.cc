#include "websocket.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <optional>

#include <hiredis/hiredis.h>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "healthtech/auth/revocation.h"
#include "healthtech/log/log.h"

namespace healthtech::bff {
namespace websocket = beast::websocket;

namespace {
constexpr std::string_view kChannelPrefix = "healthtech:notify:user:";
constexpr auto kAuthDeadline = std::chrono::seconds(5);
constexpr std::string_view kRevokedPrefix = R"({"type":"session_revoked")";

std::string ErrorFrame(std::string_view code, std::string_view detail) {
  return nlohmann::json{{"type", "error"}, {"code", code}, {"detail", detail}}.dump();
}
}  // namespace

// One connection. Everything runs on the connection's event loop: the reader (WsHub::Serve)
// and the writer below share it, so the queue needs no lock. All frames, and the close,
// go through the writer, because Beast allows one write at a time.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  explicit WsSession(beast::tcp_stream&& s) : ws(std::move(s)), signal(ws.get_executor()) {}

  void Send(std::string message) {
    if (close_ || done) return;
    out_.push_back(std::move(message));
    signal.cancel();
  }
  void Close(uint16_t code, std::string_view reason) {
    if (close_ || done) return;
    close_ = websocket::close_reason(static_cast<websocket::close_code>(code),
                                     beast::string_view(reason.data(), reason.size()));
    signal.cancel();
  }
  void Finish() {
    done = true;
    signal.cancel();
  }

  awaitable<void> Writer(metrics::Counter* sent) {
    auto self = shared_from_this();
    beast::error_code ec;
    while (!done) {
      while (!out_.empty() && !done) {
        std::string m = std::move(out_.front());
        out_.pop_front();
        co_await ws.async_write(asio::buffer(m), asio::redirect_error(use_awaitable, ec));
        if (ec) {
          done = true;
          co_return;
        }
        sent->Inc();
      }
      if (close_ && !done) {
        co_await ws.async_close(*close_, asio::redirect_error(use_awaitable, ec));
        co_return;
      }
      signal.expires_at(asio::steady_timer::time_point::max());
      co_await signal.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer signal;
  bool authed = false;
  bool done = false;
  // Of the token the session last authenticated with (for revocation).
  std::string sid;
  int64_t iat = 0;

 private:
  std::deque<std::string> out_;
  std::optional<websocket::close_reason> close_;
};

WsHub::WsHub(redis::Url redis, Verify verify, metrics::Registry* registry, WsLimits limits)
    : redis_(std::move(redis)), verify_(std::move(verify)), limits_(limits) {
  sessions_gauge_ =
      &registry->AddGauge("bff_websocket_sessions", "Open WebSocket sessions").WithLabels({});
  frames_ = &registry->AddCounter("bff_websocket_frames_total",
                                  "WebSocket text frames by direction", {"direction"});
  refused_ = &registry->AddCounter("bff_websocket_refused_total",
                                   "WebSocket sessions closed by a limit", {"reason"});
}

WsHub::~WsHub() { Stop(); }

void WsHub::Start() {
  if (subscriber_.joinable()) return;
  subscriber_ = std::thread([this] { Subscribe(); });
}

void WsHub::Stop() {
  stop_ = true;
  if (subscriber_.joinable()) subscriber_.join();
  std::vector<std::shared_ptr<WsSession>> open;
  {
    std::lock_guard lock(mu_);
    for (auto& [_, w] : all_) {
      if (auto s = w.lock()) open.push_back(std::move(s));
    }
  }
  for (auto& s : open) {
    asio::post(s->ws.get_executor(), [s] { s->Close(1001, "server shutting down"); });
  }
  // Give the close handshakes a moment before the event loops stop.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (sessions_gauge_->Value() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::shared_ptr<WsSession>> WsHub::SessionsOf(const std::string& user_id) {
  std::lock_guard lock(mu_);
  return OpenSessionsLocked(user_id);
}

std::vector<std::shared_ptr<WsSession>> WsHub::OpenSessionsLocked(const std::string& user_id) {
  std::vector<std::shared_ptr<WsSession>> out;
  auto [begin, end] = by_user_.equal_range(user_id);
  for (auto it = begin; it != end; ++it) {
    if (auto s = it->second.lock()) out.push_back(std::move(s));
  }
  return out;
}

bool WsHub::Register(const std::string& user_id, const std::shared_ptr<WsSession>& s) {
  std::lock_guard lock(mu_);
  if (static_cast<int>(OpenSessionsLocked(user_id).size()) >= limits_.max_sessions_per_user)
    return false;
  by_user_.emplace(user_id, s);
  return true;
}

void WsHub::Unregister(const std::string& user_id, const WsSession* s) {
  std::lock_guard lock(mu_);
  auto [begin, end] = by_user_.equal_range(user_id);
  for (auto it = begin; it != end; ++it) {
    auto p = it->second.lock();
    if (p == nullptr || p.get() == s) {
      by_user_.erase(it);
      break;
    }
  }
}

int WsHub::Deliver(const std::string& user_id, const std::string& message) {
  auto targets = SessionsOf(user_id);
  for (auto& s : targets) {
    asio::post(s->ws.get_executor(), [s, message] { s->Send(message); });
  }
  return static_cast<int>(targets.size());
}

void WsHub::Revoke(const std::string& user_id, const std::string& message) {
  auto note = nlohmann::json::parse(message, nullptr, false);
  if (!note.is_object()) return;
  std::vector<std::string> sessions;
  if (auto it = note.find("sessions"); it != note.end() && it->is_array()) {
    for (const auto& sid : *it)
      if (sid.is_string()) sessions.push_back(sid.get<std::string>());
  }
  std::optional<std::string> before;
  if (auto it = note.find("before"); it != note.end() && it->is_number_integer())
    before = std::to_string(it->get<int64_t>());
  auto targets = SessionsOf(user_id);
  for (auto& s : targets) {
    asio::post(s->ws.get_executor(), [s, user_id, sessions, before] {
      auth::Claims c;
      c.sub = user_id;
      c.sid = s->sid;
      c.iat = s->iat;
      bool listed = std::find(sessions.begin(), sessions.end(), s->sid) != sessions.end();
      if (!auth::IsRevoked(c, listed, before)) return;
      s->Send(ErrorFrame("TOKEN_REVOKED", "This session was signed out."));
      s->Close(4001, "token revoked");
    });
  }
}

void WsHub::Broadcast(const std::string& message) {
  std::vector<std::shared_ptr<WsSession>> targets;
  {
    std::lock_guard lock(mu_);
    for (auto& [_, w] : by_user_) {
      if (auto s = w.lock()) targets.push_back(std::move(s));
    }
  }
  for (auto& s : targets) {
    asio::post(s->ws.get_executor(), [s, message] { s->Send(message); });
  }
}

awaitable<void> WsHub::Serve(beast::tcp_stream stream, http::request<http::string_body> req) {
  auto ex = co_await asio::this_coro::executor;
  stream.expires_never();  // the WebSocket's own timeouts take over
  auto s = std::make_shared<WsSession>(std::move(stream));
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::chrono::seconds(5);
  timeouts.idle_timeout = std::chrono::seconds(20);  // pings after 10 s of silence
  timeouts.keep_alive_pings = true;
  s->ws.set_option(timeouts);
  s->ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "healthtech-bff"); }));
  s->ws.read_message_max(16 * 1024);
  beast::error_code ec;
  co_await s->ws.async_accept(req, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  s->ws.text(true);
  bool full = false;
  {
    std::lock_guard lock(mu_);
    full = static_cast<int>(all_.size()) >= limits_.max_sessions;
    all_[s.get()] = s;
  }
  sessions_gauge_->Inc();
  asio::co_spawn(ex, s->Writer(&frames_->WithLabels({"out"})), asio::detached);
  if (full) {
    refused_->WithLabels({"server_full"}).Inc();
    s->Send(ErrorFrame("SERVER_BUSY", "This server has too many sessions; try again later."));
    s->Close(4029, "try again later");
  }

  std::weak_ptr<WsSession> weak = s;
  asio::steady_timer auth_deadline(ex), expiry(ex);
  auth_deadline.expires_after(kAuthDeadline);
  auth_deadline.async_wait([weak](beast::error_code e) {
    auto p = weak.lock();
    if (e || p == nullptr || p->authed) return;
    p->Send(ErrorFrame("UNAUTHENTICATED", "Send {\"type\":\"auth\"} within 5 seconds."));
    p->Close(1008, "authentication timeout");
  });
  auto& received = frames_->WithLabels({"in"});
  std::string user;
  beast::flat_buffer buffer;
  double tokens = limits_.message_burst;
  bool flooded = false;
  auto refilled = std::chrono::steady_clock::now();
  for (;;) {
    buffer.clear();
    co_await s->ws.async_read(buffer, asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    received.Inc();
    auto now = std::chrono::steady_clock::now();
    tokens = std::min(limits_.message_burst,
                      tokens + std::chrono::duration<double>(now - refilled).count() *
                                   limits_.messages_per_second);
    refilled = now;
    if (flooded) continue;  // closing: ignore the rest
    if (tokens < 1) {
      flooded = true;
      refused_->WithLabels({"message_rate"}).Inc();
      s->Send(ErrorFrame("RATE_LIMITED", "Too many messages on this socket."));
      s->Close(1008, "too many messages");
      continue;
    }
    tokens -= 1;
    auto msg = nlohmann::json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
    std::string type;
    if (msg.is_object() && msg.contains("type") && msg["type"].is_string())
      type = msg["type"].get<std::string>();
    if (type == "auth") {
      std::string token;
      if (msg.contains("access_token") && msg["access_token"].is_string())
        token = msg["access_token"].get<std::string>();
      auto claims = co_await verify_(token);
      if (!claims.ok() || (!user.empty() && claims->sub != user)) {
        s->Send(ErrorFrame("UNAUTHENTICATED", "The access token is invalid or expired."));
        s->Close(1008, "authentication failed");
        continue;
      }
      if (user.empty()) {
        auth_deadline.cancel();
        if (!Register(claims->sub, s)) {
          refused_->WithLabels({"sessions_per_user"}).Inc();
          s->Send(ErrorFrame("TOO_MANY_SESSIONS",
                             "This account has too many open sessions; close one and retry."));
          s->Close(4029, "too many sessions");
          continue;
        }
        user = claims->sub;
        s->authed = true;
      }
      s->sid = claims->sid;
      s->iat = claims->iat;
      // A later auth message with a fresh token extends the session.
      int64_t left = std::max<int64_t>(0, claims->exp - static_cast<int64_t>(std::time(nullptr)));
      expiry.expires_after(std::chrono::seconds(left));
      expiry.async_wait([weak](beast::error_code e) {
        auto p = weak.lock();
        if (e || p == nullptr) return;
        p->Send(ErrorFrame("TOKEN_EXPIRED", "The access token expired; reconnect with a new one."));
        p->Close(4001, "token expired");
      });
      s->Send(
          nlohmann::json{{"type", "ready"}, {"user_id", user}, {"expires_at", claims->exp}}.dump());
    } else if (!s->authed) {
      s->Send(ErrorFrame("UNAUTHENTICATED", "The first message must be {\"type\":\"auth\"}."));
      s->Close(1008, "authentication required");
    } else if (type == "ping") {
      s->Send(R"({"type":"pong"})");
    } else {
      s->Send(ErrorFrame("UNKNOWN_MESSAGE", "Known message types: auth, ping."));
    }
  }
  auth_deadline.cancel();
  expiry.cancel();
  s->Finish();
  if (!user.empty()) Unregister(user, s.get());
  {
    std::lock_guard lock(mu_);
    all_.erase(s.get());
  }
  sessions_gauge_->Dec();
}

// One subscriber connection per replica: PSUBSCRIBE to every user's channel and hand each
// message to that user's sessions here. After a lost connection, sessions get
// {"type":"resync"} (they may have missed messages: refetch the inbox).
void WsHub::Subscribe() {
  bool subscribed_before = false, warned = false;
  const std::string pattern = std::string(kChannelPrefix) + "*";
  while (!stop_) {
    timeval tv{1, 0};
    redisContext* c = redisConnectWithTimeout(redis_.host.c_str(), redis_.port, tv);
    bool ok = c != nullptr && c->err == 0;
    if (ok && !redis_.password.empty()) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "AUTH %s", redis_.password.c_str()));
      ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
      if (r != nullptr) freeReplyObject(r);
    }
    if (ok) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PSUBSCRIBE %s", pattern.c_str()));
      ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
      if (r != nullptr) freeReplyObject(r);
    }
    if (ok) {
      log::Info("ws_subscribed", {{"pattern", pattern}});
      if (subscribed_before) Broadcast(R"({"type":"resync"})");
      subscribed_before = true;
      warned = false;
    } else if (!warned) {
      log::Warn("ws_subscribe_failed", {{"error", c != nullptr ? c->errstr : "no memory"}});
      warned = true;
    }
    while (ok && !stop_) {
      void* reply = nullptr;
      if (redisGetReplyFromReader(c, &reply) != REDIS_OK) break;
      if (reply == nullptr) {
        pollfd p{c->fd, POLLIN, 0};
        int n = ::poll(&p, 1, 200);
        if (n < 0 && errno != EINTR) break;
        if (n > 0 && redisBufferRead(c) != REDIS_OK) break;
        continue;
      }
      auto* r = static_cast<redisReply*>(reply);
      if (r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
          std::string_view(r->element[0]->str, r->element[0]->len) == "pmessage") {
        std::string_view channel(r->element[2]->str, r->element[2]->len);
        if (channel.substr(0, kChannelPrefix.size()) == kChannelPrefix) {
          std::string user(channel.substr(kChannelPrefix.size()));
          std::string payload(r->element[3]->str, r->element[3]->len);
          // IAM's sign-out notes are for this hub, not for the browser.
          if (payload.rfind(kRevokedPrefix, 0) == 0)
            Revoke(user, payload);
          else
            Deliver(user, payload);
        }
      }
      freeReplyObject(r);
    }
    if (c != nullptr) redisFree(c);
    if (ok && !stop_) log::Warn("ws_subscriber_disconnected");
    for (int i = 0; i < 5 && !stop_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace healthtech::bff
