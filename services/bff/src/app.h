#pragma once
// The BFF application: request pipeline from HTTP to gRPC and back.
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "asio.h"
#include "config.h"
#include "healthtech/metrics/metrics.h"
#include "healthtech/status/status.h"
#include "rate_limit.h"
#include "redis_async.h"
#include "router.h"
#include "static_files.h"
#include "token_verifier.h"
#include "upstream.h"
#include "websocket.h"

namespace healthtech::bff {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class App {
 public:
  App(Config config, metrics::Registry* registry);
  ~App();

  // Handles one request; `client_ip` is the peer address (or the forwarded one).
  awaitable<Response> Handle(Request req, std::string client_ip);
  // An error response for transport-level failures (413 on body limit, 400 on parse).
  Response TransportError(int status, const std::string& code, const std::string& detail,
                          unsigned version);

  // Per event-loop state (a Redis connection driven by that loop). Call on the loop's
  // thread before it runs, and DetachThread() after it stopped.
  void AttachThread(asio::io_context& ioc);
  void DetachThread();

  // Largest body accepted for this request line (route's own limit or the default).
  size_t BodyLimitFor(std::string_view method, std::string_view target) const;
  // The largest body any route takes: the parser's limit while the headers are read (Beast
  // checks Content-Length against it as soon as the headers end, before the route is known).
  size_t LargestBodyLimit() const { return largest_body_limit_; }

  const Config& config() const { return config_; }
  const Router& router() const { return router_; }
  const std::string& openapi() const { return openapi_; }
  // Real-time notifications over `GET /ws` (websocket.h).
  WsHub& ws() { return *ws_hub_; }
  awaitable<void> WarmUp();

 private:
  // This I/O thread's rate limiter (AttachThread), or null outside one.
  static RateLimiter* ThreadLimiter();
  struct Ctx;
  struct Call;
  // An API request: MatchRoute → AuthenticateCall → BuildMessage → CallService; each stage
  // either hands on or answers.
  awaitable<Response> HandleRoute(Request& req, Ctx& ctx);
  std::optional<Response> MatchRoute(Request& req, Ctx& ctx, Call& call);
  awaitable<std::optional<Response>> AuthenticateCall(Request& req, Ctx& ctx, Call& call);
  std::optional<Response> BuildMessage(Request& req, Ctx& ctx, Call& call);
  awaitable<Response> CallService(Request& req, Ctx& ctx, Call& call);
  awaitable<Response> Ready(Ctx& ctx);
  // Verifies an access token (signature, expiry) and that its session or user was not cut
  // off since it was issued (auth/revocation.h; one Redis MGET, skipped if Redis fails).
  awaitable<absl::StatusOr<auth::Claims>> Authenticate(std::string token);
  awaitable<absl::Status> CheckRevocation(const auth::Claims& claims);
  // Set-Cookie value carrying a browser session's refresh token (empty: clear it).
  std::string SessionCookie(const std::string& refresh_token) const;
  Response Json(Ctx& ctx, int status, std::string body);
  Response Problem(Ctx& ctx, const status::Problem& p);
  void Finish(Ctx& ctx, Response& res);

  Config config_;
  Router router_;
  size_t largest_body_limit_;                  // of all routes, known once the routes are
  std::unique_ptr<StaticFiles> static_files_;  // the web app (WEB_DIST_DIR), when served here
  std::map<std::string, std::unique_ptr<Upstream>> upstreams_;
  redis::Url redis_url_;
  std::unique_ptr<TokenVerifier> verifier_;
  std::string openapi_;
  std::unique_ptr<WsHub> ws_hub_;
  metrics::Family<metrics::Counter>* http_requests_;
  metrics::Family<metrics::Histogram>* http_duration_;
  metrics::Counter* revocation_unchecked_;
  std::mutex ready_mu_;
  std::chrono::steady_clock::time_point ready_checked_{};
  bool ready_cached_ = false;
  std::string ready_body_;
};

std::string BuildOpenApi(const Router& router);

}  // namespace healthtech::bff
