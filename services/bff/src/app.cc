#include "app.h"

#include <random>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <nlohmann/json.hpp>

#include "contract.h"
#include "healthtech/auth/authenticator.h"
#include "healthtech/auth/revocation.h"
#include "healthtech/log/log.h"
#include "healthtech/status/status.h"
#include "static_files.h"
#include "transcode.h"
#include "web_app_response.h"

namespace healthtech::bff {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::MessageFactory;

std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (size_t i = 0; i < bytes; i += 8) {
    uint64_t v = rng();
    for (size_t k = 0; k < 8 && i + k < bytes; ++k) {
      unsigned char c = static_cast<unsigned char>(v >> (k * 8));
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool SafeRequestId(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

// "/healthtech.iam.v1.IamService/Login" from "healthtech.iam.v1.IamService.Login".
std::string GrpcPath(const std::string& rpc) {
  auto dot = rpc.rfind('.');
  return "/" + rpc.substr(0, dot) + "/" + rpc.substr(dot + 1);
}

const char* kApiCsp = "default-src 'none'; frame-ancestors 'none'";
// Powerful features no page of the platform uses (video visits open the provider's link).
const char* kPermissionsPolicy =
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()";

// gRPC metadata values must be printable ASCII; a byte outside it aborts the gRPC library.
bool PrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// Informational headers (User-Agent) travel with anything else replaced by '?'.
std::string AsPrintableAscii(std::string_view s, size_t max) {
  std::string out(s.substr(0, max));
  for (auto& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

struct ThreadState {
  std::unique_ptr<AsyncRedis> redis;
  std::unique_ptr<RateLimiter> limiter;
};
thread_local ThreadState* t_state = nullptr;

}  // namespace

void App::AttachThread(asio::io_context& ioc) {
  auto* st = new ThreadState;
  st->redis = std::make_unique<AsyncRedis>(ioc, redis_url_);
  st->limiter = std::make_unique<RateLimiter>(st->redis.get());
  t_state = st;
}

void App::DetachThread() {
  delete t_state;
  t_state = nullptr;
}

struct App::Ctx {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string request_id;
  std::string trace_id;
  std::string traceparent;  // forwarded downstream
  std::string route = "unmatched";
  std::string method;
  std::string origin;
  std::string client_ip;
  unsigned version = 11;
  bool keep_alive = true;
  const RateDecision* rate = nullptr;
  RateDecision rate_storage;
};

namespace {

// Every route with its RPC's descriptor. A route must name an RPC that exists: fail at
// start, not at the first request.
std::vector<Route> ResolvedRoutes() {
  std::vector<Route> routes = AllRoutes();
  for (auto& r : routes) {
    r.method_descriptor = DescriptorPool::generated_pool()->FindMethodByName(r.rpc);
    if (r.method_descriptor == nullptr) {
      std::fprintf(stderr, "bff-service: route %s %s names unknown RPC %s\n", r.method.c_str(),
                   r.path.c_str(), r.rpc.c_str());
      std::exit(2);
    }
  }
  return routes;
}

}  // namespace

App::App(Config config, metrics::Registry* registry)
    : config_(std::move(config)), router_(ResolvedRoutes()) {
  if (!config_.web_dist_dir.empty())
    static_files_ = std::make_unique<StaticFiles>(config_.web_dist_dir);
  for (const auto& [name, url] : config_.services) {
    upstreams_[name] = std::make_unique<Upstream>(name, url);
  }
  auto redis_url = redis::ParseUrl(config_.redis_url);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "bff-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    std::exit(2);
  }
  redis_url_ = *redis_url;
  verifier_ = std::make_unique<TokenVerifier>(upstreams_.at("iam").get(), config_.jwt_issuer,
                                              config_.jwt_audience);
  openapi_ = BuildOpenApi(router_);
  ws_hub_ = std::make_unique<WsHub>(
      redis_url_, [this](std::string token) { return Authenticate(std::move(token)); }, registry,
      WsLimits{config_.ws_max_sessions, config_.ws_max_sessions_per_user,
               config_.ws_messages_per_second, config_.ws_message_burst});
  http_requests_ = &registry->AddCounter("http_requests_total", "HTTP requests served",
                                         {"route", "method", "status"});
  revocation_unchecked_ =
      &registry
           ->AddCounter("bff_token_revocation_unchecked_total",
                        "Signed-in requests let through without the revocation check (Redis "
                        "unavailable)",
                        {})
           .WithLabels({});
  http_duration_ = &registry->AddHistogram("http_request_duration_seconds",
                                           "HTTP request latency in seconds", {"route"});
}

App::~App() = default;

size_t App::BodyLimitFor(std::string_view method, std::string_view target) const {
  Match m = router_.Find(method, target.substr(0, target.find('?')));
  if (m.route != nullptr && m.route->max_body_bytes > 0) return m.route->max_body_bytes;
  return config_.max_body_bytes;
}

awaitable<void> App::WarmUp() { co_await verifier_->Refresh(nullptr); }

Response App::Json(Ctx& ctx, int status, std::string body) {
  Response res{static_cast<http::status>(status), ctx.version};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

Response App::Problem(Ctx& ctx, const status::Problem& p) {
  Response res{static_cast<http::status>(p.http_status), ctx.version};
  res.set(http::field::content_type, "application/problem+json");
  if (p.http_status == 429 || p.http_status == 503) {
    if (p.retry_after_seconds > 0)
      res.set(http::field::retry_after, std::to_string(p.retry_after_seconds));
  }
  res.body() = status::ProblemJson(p, ctx.request_id);
  return res;
}

void App::Finish(Ctx& ctx, Response& res) {
  res.set("X-Request-Id", ctx.request_id);
  res.set(http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "strict-origin-when-cross-origin");
  res.set("Permissions-Policy", kPermissionsPolicy);
  if (res.find("Content-Security-Policy") == res.end()) {
    res.set("Content-Security-Policy", kApiCsp);
  }
  if (res.find(http::field::cache_control) == res.end())
    res.set(http::field::cache_control, "no-store");
  if (!ctx.origin.empty() && std::find(config_.cors_origins.begin(), config_.cors_origins.end(),
                                       ctx.origin) != config_.cors_origins.end()) {
    res.set(http::field::access_control_allow_origin, ctx.origin);
    res.set(http::field::access_control_allow_credentials, "true");
    res.set(http::field::access_control_expose_headers,
            "X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After");
    res.set(http::field::vary, "Origin");
  }
  if (ctx.rate != nullptr && !ctx.rate->degraded) {
    res.set("RateLimit-Limit", std::to_string(ctx.rate->limit));
    res.set("RateLimit-Remaining", std::to_string(ctx.rate->remaining));
    res.set("RateLimit-Reset", std::to_string(ctx.rate->reset_seconds));
  }
  res.keep_alive(ctx.keep_alive);
  res.prepare_payload();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  http_requests_->WithLabels({ctx.route, ctx.method, std::to_string(res.result_int())}).Inc();
  http_duration_->WithLabels({ctx.route}).Observe(secs);
}

Response App::TransportError(int status, const std::string& code, const std::string& detail,
                             unsigned version) {
  Ctx ctx;
  ctx.version = version;
  ctx.request_id = "req_" + RandomHex(12);
  ctx.keep_alive = false;
  ctx.method = "UNKNOWN";
  Response res = Problem(ctx, status::MakeProblem(status, code, detail));
  Finish(ctx, res);
  return res;
}

awaitable<Response> App::Handle(Request req, std::string client_ip) {
  Ctx ctx;
  ctx.version = req.version();
  ctx.keep_alive = req.keep_alive();
  ctx.method = std::string(SV(req.method_string()));
  ctx.client_ip = std::move(client_ip);
  if (auto it = req.find("X-Request-Id"); it != req.end() && SafeRequestId(SV(it->value()))) {
    ctx.request_id = std::string(SV(it->value()));
  } else {
    ctx.request_id = "req_" + RandomHex(12);
  }
  // W3C trace context: continue a valid incoming trace, else start one.
  std::string span = RandomHex(8);
  if (auto it = req.find("traceparent"); it != req.end()) {
    std::string_view tp = SV(it->value());
    if (tp.size() == 55 && tp.substr(0, 3) == "00-" && tp[35] == '-' && tp[52] == '-' &&
        IsHex(tp.substr(3, 32)) && IsHex(tp.substr(36, 16)) &&
        tp.substr(3, 32) != std::string(32, '0')) {
      ctx.trace_id = std::string(tp.substr(3, 32));
      ctx.traceparent = "00-" + ctx.trace_id + "-" + span + "-" + std::string(tp.substr(53, 2));
    }
  }
  if (ctx.trace_id.empty()) {
    ctx.trace_id = RandomHex(16);
    ctx.traceparent = "00-" + ctx.trace_id + "-" + span + "-01";
  }
  if (auto it = req.find(http::field::origin); it != req.end())
    ctx.origin = std::string(SV(it->value()));

  std::string_view target = SV(req.target());
  std::string_view path = target.substr(0, target.find('?'));

  Response res;
  if (path == "/health" && req.method() == http::verb::get) {
    ctx.route = "/health";
    res = Json(ctx, 200, R"({"status":"ok"})");
  } else if (path == "/ready" && req.method() == http::verb::get) {
    ctx.route = "/ready";
    res = co_await Ready(ctx);
  } else if (path == "/v1/openapi.json" && req.method() == http::verb::get) {
    ctx.route = "/v1/openapi.json";
    res = Json(ctx, 200, openapi_);
    res.set(http::field::cache_control, "public, max-age=60");
  } else if (req.method() == http::verb::options) {
    ctx.route = "preflight";
    bool allowed =
        !ctx.origin.empty() && std::find(config_.cors_origins.begin(), config_.cors_origins.end(),
                                         ctx.origin) != config_.cors_origins.end();
    if (!allowed) {
      res = Problem(ctx, status::MakeProblem(403, "CORS_ORIGIN_NOT_ALLOWED",
                                             "This origin may not call the API."));
    } else {
      res = Response{http::status::no_content, ctx.version};
      res.set(http::field::access_control_allow_methods, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
      res.set(http::field::access_control_allow_headers,
              "Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Session, traceparent");
      res.set(http::field::access_control_max_age, "600");
    }
  } else if (static_files_ != nullptr && StaticFiles::Claims(ctx.method, path)) {
    ctx.route = "web";  // development only: the built web app (static_files.h)
    auto file = static_files_->Get(path);
    res = file ? WebAppResponse(*file, ctx.version, ctx.method == "HEAD")
               : Problem(ctx, status::MakeProblem(404, "NOT_FOUND", "No such resource."));
  } else {
    res = co_await HandleRoute(req, ctx);
  }
  Finish(ctx, res);
  co_return res;
}

awaitable<Response> App::Ready(Ctx& ctx) {
  {
    std::lock_guard lock(ready_mu_);
    if (std::chrono::steady_clock::now() - ready_checked_ < std::chrono::seconds(1)) {
      co_return Json(ctx, ready_cached_ ? 200 : 503, ready_body_);
    }
  }
  nlohmann::json checks = nlohmann::json::object();
  bool ok = true;
  for (auto& [name, up] : upstreams_) {
    bool healthy = co_await up->Healthy(std::chrono::milliseconds(1000));
    checks[name] = healthy ? "ok" : "unavailable";
    ok = ok && healthy;
  }
  bool redis_ok = false;
  if (t_state != nullptr) {
    std::vector<std::string> ping{std::string("PING")};
    auto pong = co_await t_state->redis->Command(std::move(ping));
    redis_ok = pong.ok() && pong->str == "PONG";
  }
  checks["redis"] = redis_ok ? "ok" : "unavailable";
  ok = ok && redis_ok;
  nlohmann::json body = {{"status", ok ? "ready" : "not_ready"}, {"checks", checks}};
  std::string text = body.dump();
  {
    std::lock_guard lock(ready_mu_);
    ready_checked_ = std::chrono::steady_clock::now();
    ready_cached_ = ok;
    ready_body_ = text;
  }
  co_return Json(ctx, ok ? 200 : 503, text);
}

std::string App::SessionCookie(const std::string& refresh_token) const {
  // Only the auth routes see it; Strict: never sent on a request from another site.
  std::string c =
      config_.session_cookie_name + "=" + refresh_token +
      "; Path=/v1/auth; HttpOnly; SameSite=Strict; Max-Age=" +
      (refresh_token.empty() ? "0" : std::to_string(config_.session_cookie_max_age_seconds));
  if (config_.session_cookie_secure) c += "; Secure";
  return c;
}

awaitable<absl::StatusOr<auth::Claims>> App::Authenticate(std::string token) {
  auto verified = co_await verifier_->Verify(std::move(token));
  if (!verified.ok()) co_return verified;
  if (auto revoked = co_await CheckRevocation(*verified); !revoked.ok()) co_return revoked;
  co_return verified;
}

awaitable<absl::Status> App::CheckRevocation(const auth::Claims& claims) {
  if (!config_.token_revocation_check) co_return absl::OkStatus();
  if (t_state == nullptr) {
    revocation_unchecked_->Inc();
    co_return absl::OkStatus();
  }
  std::vector<std::string> mget = {"MGET",
                                   auth::RevokedSessionKey(claims.sid.empty() ? "-" : claims.sid),
                                   auth::RevokedBeforeKey(claims.sub)};
  auto r = co_await t_state->redis->Command(std::move(mget));
  if (!r.ok() || r->type != redis::Reply::Type::kArray || r->elements.size() != 2) {
    // Fail open: tokens live 15 minutes, and the refresh tokens are revoked in PostgreSQL.
    revocation_unchecked_->Inc();
    co_return absl::OkStatus();
  }
  using Type = redis::Reply::Type;
  const auto& session = r->elements[0];
  const auto& before = r->elements[1];
  if (auth::IsRevoked(
          claims, session.type == Type::kString,
          before.type == Type::kString ? std::optional<std::string>(before.str) : std::nullopt)) {
    co_return status::Unauthenticated("TOKEN_REVOKED", "The access token was revoked.");
  }
  co_return absl::OkStatus();
}

// One API request on its way through HandleRoute's stages: each reads what the earlier ones
// found, adds to it, or answers (with an error) itself.
struct App::Call {
  Match match;
  const Route* route = nullptr;
  std::string_view query;
  std::string token;  // the bearer token, when one was sent
  std::optional<auth::Claims> claims;
  std::string idempotency_key;
  std::unique_ptr<google::protobuf::Message> message;
  bool cookie_session = false;  // a browser session: the refresh token is in a cookie
};

awaitable<Response> App::HandleRoute(Request& req, Ctx& ctx) {
  Call call;
  if (auto answer = MatchRoute(req, ctx, call)) co_return std::move(*answer);
  if (auto answer = co_await AuthenticateCall(req, ctx, call)) co_return std::move(*answer);
  if (auto answer = BuildMessage(req, ctx, call)) co_return std::move(*answer);
  co_return co_await CallService(req, ctx, call);
}

// Stage 1: which route, if any (404 / 405), and whether it is served here.
std::optional<Response> App::MatchRoute(Request& req, Ctx& ctx, Call& call) {
  std::string_view target = SV(req.target());
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  call.query = q == std::string_view::npos ? "" : target.substr(q + 1);
  call.match = router_.Find(ctx.method, path);
  Match& m = call.match;
  if (m.route == nullptr) {
    if (!m.allowed_methods.empty()) {
      std::string allow;
      for (auto& a : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + a;
      Response res = Problem(
          ctx, status::MakeProblem(405, "METHOD_NOT_ALLOWED", "Use one of: " + allow + "."));
      res.set(http::field::allow, allow);
      return res;
    }
    return Problem(ctx, status::MakeProblem(404, "NOT_FOUND", "No such resource."));
  }
  call.route = m.route;
  const Route& route = *m.route;
  ctx.route = route.path;
  if (route.dev_only && config_.environment != "development") {
    return Problem(ctx, status::MakeProblem(404, "NOT_FOUND", "No such resource."));
  }

  return std::nullopt;
}

// Stage 2, at the edge (the service checks again): the token's signature and expiry,
// locally; then the per-IP bucket, which every request pays whatever its token (an invalid
// token is no way around it); then whether the session was cut off (Redis).
awaitable<std::optional<Response>> App::AuthenticateCall(Request& req, Ctx& ctx, Call& call) {
  const Route& route = *call.route;
  std::string authorization;
  std::optional<auth::Claims>& claims = call.claims;
  absl::Status token_error;
  if (auto it = req.find(http::field::authorization); it != req.end()) {
    authorization = std::string(SV(it->value()));
  }
  call.token = auth::BearerToken(authorization);
  const std::string& token = call.token;
  if (!token.empty()) {
    auto verified = co_await verifier_->Verify(token);
    if (verified.ok())
      claims = std::move(*verified);
    else
      token_error = verified.status();
  }

  // Rate limits: per client IP, and per user when signed in.
  if (config_.rate_limit_enabled && route.rate_limited && t_state != nullptr) {
    std::vector<Bucket> buckets = {
        {"healthtech:bff:rl:ip:" + ctx.client_ip, config_.ip_rate, config_.ip_burst}};
    if (claims) {
      buckets.push_back(
          {"healthtech:bff:rl:user:" + claims->sub, config_.user_rate, config_.user_burst});
    }
    ctx.rate_storage = co_await t_state->limiter->Take(std::move(buckets));
    ctx.rate = &ctx.rate_storage;
    if (!ctx.rate->allowed) {
      auto p = status::MakeProblem(429, "RATE_LIMITED", "Too many requests. Slow down.");
      p.retry_after_seconds = static_cast<int>(ctx.rate->retry_after_seconds);
      co_return Problem(ctx, p);
    }
  }

  if (claims) {
    if (auto revoked = co_await CheckRevocation(*claims); !revoked.ok()) {
      claims.reset();
      token_error = revoked;
    }
  }
  if (!token_error.ok() && (route.auth || !authorization.empty())) {
    std::string reason = status::ReasonOf(token_error);
    auto p = status::MakeProblem(401, reason,
                                 reason == "TOKEN_EXPIRED" ? "The access token has expired."
                                 : reason == "TOKEN_REVOKED"
                                     ? "The access token was revoked: refresh the session "
                                       "or sign in again."
                                     : "The access token is not valid.");
    Response res = Problem(ctx, p);
    res.set(http::field::www_authenticate, "Bearer error=\"invalid_token\"");
    co_return std::optional<Response>(std::move(res));
  }
  if (route.auth && !claims) {
    auto p = status::MakeProblem(401, "AUTH_REQUIRED", "Sign in to do this.");
    Response res = Problem(ctx, p);
    res.set(http::field::www_authenticate, "Bearer");
    co_return std::optional<Response>(std::move(res));
  }

  co_return std::nullopt;
}

// Stage 3: the request message, from the JSON body, then path, query, headers and cookie;
// checked against the contract (contract.h) in one pass.
std::optional<Response> App::BuildMessage(Request& req, Ctx& ctx, Call& call) {
  // Headers the platform acts on must be printable ASCII (they travel as gRPC metadata).
  const Route& route = *call.route;
  const Match& m = call.match;
  std::string& idempotency_key = call.idempotency_key;
  if (auto it = req.find("Idempotency-Key"); it != req.end()) {
    idempotency_key = std::string(SV(it->value()));
    if (idempotency_key.empty() || idempotency_key.size() > 255 ||
        !PrintableAscii(idempotency_key)) {
      return Problem(
          ctx, status::MakeProblem(400, "VALIDATION_FAILED", "The request has invalid fields.",
                                   {{"Idempotency-Key",
                                     "must be 1 to 255 printable ASCII characters (a UUID is "
                                     "a good key)"}}));
    }
  }

  // Build the request message: JSON body, then path and query parameters; then check it
  // against the contract (contract.h) in one pass.
  const auto* method = route.method_descriptor;
  const auto& method_rules = RulesOf(method);
  if (method_rules.idempotency_key() && idempotency_key.empty()) {
    return Problem(ctx,
                   status::MakeProblem(400, "VALIDATION_FAILED", "The request has invalid fields.",
                                       {{"Idempotency-Key",
                                         "is required: this call books time or moves money; send a "
                                         "new UUID per intent and the same one on retries"}}));
  }
  call.message.reset(
      MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
  google::protobuf::Message* msg = call.message.get();
  std::vector<status::Violation> errors;
  std::set<std::string> present;  // request fields the client gave (contract.h)
  auto path_bound = [&](const std::string& field) {
    for (const auto& [name, f] : route.param_fields)
      if (f == field) return true;
    return false;
  };
  const std::string& body = req.body();
  bool has_body = body.find_first_not_of(" \t\r\n") != std::string::npos;
  std::string_view ct = SV(req[http::field::content_type]);
  std::string_view media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  bool json_body =
      beast::iequals(beast::string_view(media.data(), media.size()), "application/json");
  if (!PrintableAscii(media)) {
    return Problem(ctx, status::MakeProblem(415, "UNSUPPORTED_MEDIA_TYPE",
                                            "The Content-Type header is not a media type."));
  }
  if (!body.empty() && (!json_body || route.raw_body_always) && !route.raw_body_field.empty()) {
    // A raw upload: the bytes as they came, the declared type beside them.
    const auto* desc = method->input_type();
    const auto* f = desc->FindFieldByName(route.raw_body_field);
    msg->GetReflection()->SetString(msg, f, body);
    present.insert(f->name());
    if (!route.raw_content_type_field.empty()) {
      if (const auto* tf = desc->FindFieldByName(route.raw_content_type_field)) {
        msg->GetReflection()->SetString(msg, tf, std::string(media));
        present.insert(tf->name());
      }
    }
    has_body = false;
  }
  for (const auto& [field, value] : route.fixed_fields) {
    const auto* f = method->input_type()->FindFieldByName(field);
    msg->GetReflection()->SetString(msg, f, value);
    present.insert(f->name());
  }
  for (const auto& [header, field] : route.header_fields) {
    if (auto it = req.find(header); it != req.end()) {
      const auto* f = method->input_type()->FindFieldByName(field);
      std::string value(SV(it->value()));
      if (!PrintableAscii(value)) {
        errors.push_back({header, "must be printable ASCII"});
        continue;
      }
      if (f != nullptr) {
        msg->GetReflection()->SetString(msg, f, value);
        present.insert(f->name());
      }
    }
  }
  if (has_body) {
    if (!json_body) {
      return Problem(ctx, status::MakeProblem(415, "UNSUPPORTED_MEDIA_TYPE",
                                              "Send the body as application/json."));
    }
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) {
      return Problem(
          ctx, status::MakeProblem(400, "MALFORMED_JSON", "The request body is not valid JSON."));
    }
    if (!j.is_object()) {
      return Problem(
          ctx, status::MakeProblem(400, "MALFORMED_JSON", "The request body must be a JSON object.",
                                   {{"body", "must be a JSON object"}}));
    }
    for (const auto& [name, field] : route.param_fields) {
      if (j.contains(field) || j.contains(name)) {
        errors.push_back({j.contains(field) ? field : name,
                          "is given by the URL path; remove it from the body"});
        j.erase(field);
        j.erase(name);
      }
    }
    JsonToMessage(j, msg, &errors, "", &present);
  }
  const auto* input = method->input_type();
  // Browser sessions keep the refresh token in an HttpOnly cookie (router.h).
  call.cookie_session = route.session_cookie != Route::SessionCookie::kNone &&
                        beast::iequals(req["X-Session"], beast::string_view("cookie"));
  if (call.cookie_session) {
    const auto* f = input->FindFieldByName("refresh_token");
    std::string from_cookie =
        CookieValue(SV(req[http::field::cookie]), config_.session_cookie_name);
    if (f != nullptr && msg->GetReflection()->GetString(*msg, f).empty() && !from_cookie.empty() &&
        PrintableAscii(from_cookie)) {
      msg->GetReflection()->SetString(msg, f, from_cookie);
      present.insert(f->name());
    }
  }
  for (const auto& [name, value] : m.params) {
    const auto* f = input->FindFieldByName(route.param_fields.at(name));
    std::string err;
    if (f == nullptr || !SetFieldFromString(msg, f, value, &err)) {
      errors.push_back({name, err.empty() ? "invalid" : err});
    } else {
      present.insert(f->name());
    }
  }
  std::map<std::string, bool> seen_query;
  for (const auto& [key, value] : ParseQuery(call.query)) {
    const auto* f = input->FindFieldByName(key);
    if (f == nullptr || m.params.count(key) > 0 || path_bound(key) || RulesOf(f).internal() ||
        !RulesOf(f).source().empty()) {
      errors.push_back({key, "unknown query parameter"});
      continue;
    }
    if (!f->is_repeated() && seen_query[key]) {
      errors.push_back({key, "given more than once"});
      continue;
    }
    seen_query[key] = true;
    std::string err;
    if (!SetFieldFromString(msg, f, value, &err))
      errors.push_back({key, err});
    else
      present.insert(f->name());
  }
  if (errors.empty()) {
    ValidateRequest(*msg, present, &errors);
    for (auto& e : errors) {  // a path parameter is named as the URL names it
      for (const auto& [name, field] : route.param_fields)
        if (e.field == field) e.field = name;
    }
  }
  if (!errors.empty()) {
    return Problem(ctx, status::MakeProblem(400, "VALIDATION_FAILED",
                                            "The request has invalid fields.", std::move(errors)));
  }

  return std::nullopt;
}

// Stage 4: the service call, and its answer as JSON (or raw bytes, or a problem).
awaitable<Response> App::CallService(Request& req, Ctx& ctx, Call& call) {
  const Route& route = *call.route;
  const auto* method = route.method_descriptor;
  const auto* input = method->input_type();
  const bool cookie_session = call.cookie_session;
  std::vector<std::pair<std::string, std::string>> md = {
      {"x-request-id", ctx.request_id},
      {"traceparent", ctx.traceparent},
      {"x-client-ip", ctx.client_ip},
  };
  if (call.claims) md.emplace_back("authorization", "Bearer " + call.token);
  if (!call.idempotency_key.empty()) md.emplace_back("idempotency-key", call.idempotency_key);
  if (auto it = req.find(http::field::user_agent); it != req.end()) {
    md.emplace_back("x-user-agent", AsPrintableAscii(SV(it->value()), 256));
  }
  auto up = upstreams_.find(route.service);
  if (up == upstreams_.end()) {
    co_return Problem(ctx, status::MakeProblem(503, "SERVICE_UNAVAILABLE",
                                               "This part of the platform is not configured."));
  }
  auto result = co_await up->second->Call(GrpcPath(route.rpc), call.message->SerializeAsString(),
                                          std::move(md),
                                          std::chrono::milliseconds(config_.upstream_timeout_ms));
  if (!result.status.ok()) {
    auto p = status::ProblemFromGrpc(result.status);
    if (p.http_status >= 500) {
      log::ScopedContext scope(ctx.request_id, ctx.trace_id);
      log::Warn("upstream_error", {{"route", route.path},
                                   {"grpc_code", static_cast<int>(result.status.error_code())},
                                   {"error", result.status.error_message()}});
    }
    Response err = Problem(ctx, p);
    // A session the server ended: forget its cookie too.
    if (cookie_session && p.http_status == 401 && input->FindFieldByName("refresh_token"))
      err.set(http::field::set_cookie, SessionCookie(""));
    co_return err;
  }
  std::unique_ptr<google::protobuf::Message> out(
      MessageFactory::generated_factory()->GetPrototype(method->output_type())->New());
  if (!out->ParseFromString(result.response)) {
    co_return Problem(ctx, status::MakeProblem(502, "BAD_GATEWAY", "Internal error."));
  }
  if (!route.raw_response_field.empty()) {
    const auto* d = out->GetDescriptor();
    const auto* r = out->GetReflection();
    Response raw{static_cast<http::status>(route.success_status), ctx.version};
    raw.body() = r->GetString(*out, d->FindFieldByName(route.raw_response_field));
    raw.set(http::field::content_type,
            r->GetString(*out, d->FindFieldByName(route.raw_response_type_field)));
    std::string filename =
        r->GetString(*out, d->FindFieldByName(route.raw_response_filename_field));
    filename.erase(std::remove_if(filename.begin(), filename.end(),
                                  [](char c) {
                                    return !(std::isalnum(static_cast<unsigned char>(c)) ||
                                             c == '-' || c == '_' || c == '.');
                                  }),
                   filename.end());
    if (!filename.empty())
      raw.set(http::field::content_disposition, "attachment; filename=\"" + filename + "\"");
    raw.set(http::field::cache_control, route.cache_control);
    co_return raw;
  }
  std::string set_cookie;
  if (cookie_session && route.session_cookie == Route::SessionCookie::kEnd) {
    set_cookie = SessionCookie("");
  } else if (cookie_session) {
    const auto* f = out->GetDescriptor()->FindFieldByName("refresh_token");
    if (f != nullptr && !out->GetReflection()->GetString(*out, f).empty()) {
      set_cookie = SessionCookie(out->GetReflection()->GetString(*out, f));
      out->GetReflection()->ClearField(out.get(), f);  // never readable by scripts
    }
  }
  std::string json;
  json.reserve(static_cast<size_t>(out->ByteSizeLong()) * 2 + 64);
  AppendMessageJson(*out, &json);
  Response res = Json(ctx, route.success_status, std::move(json));
  res.set(http::field::cache_control, route.cache_control);
  if (!set_cookie.empty()) res.set(http::field::set_cookie, set_cookie);
  co_return res;
}

}  // namespace healthtech::bff
