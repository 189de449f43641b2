#include "app.h"
#include "app_context.h"

#include <algorithm>
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

bool SafeRequestId(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

const char* kApiCsp = "default-src 'none'; frame-ancestors 'none'";
// Powerful features no page of the platform uses (video visits open the provider's link),
// but the position, which the web app's own "Near me" search asks for.
const char* kPermissionsPolicy =
    "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()";

struct ThreadState {
  std::unique_ptr<AsyncRedis> redis;
  std::unique_ptr<RateLimiter> limiter;
};
thread_local ThreadState* t_state = nullptr;

}  // namespace

RateLimiter* App::ThreadLimiter() { return t_state != nullptr ? t_state->limiter.get() : nullptr; }

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
    // Every field the route names exists with the type the pipeline reads it as.
    using FD = google::protobuf::FieldDescriptor;
    auto check = [&](const google::protobuf::Descriptor* d, const std::string& name,
                     FD::CppType type) {
      if (name.empty()) return;
      const FD* f = d->FindFieldByName(name);
      if (f == nullptr || f->cpp_type() != type || f->is_repeated()) {
        std::fprintf(stderr, "bff-service: route %s %s names field %s that %s has not (as %s)\n",
                     r.method.c_str(), r.path.c_str(), name.c_str(), d->full_name().c_str(),
                     type == FD::CPPTYPE_INT32 ? "int32" : "string/bytes");
        std::exit(2);
      }
    };
    const auto* in = r.method_descriptor->input_type();
    const auto* out = r.method_descriptor->output_type();
    check(in, r.raw_body_field, FD::CPPTYPE_STRING);
    check(in, r.raw_content_type_field, FD::CPPTYPE_STRING);
    for (const auto& [header, field] : r.header_fields) check(in, field, FD::CPPTYPE_STRING);
    for (const auto& [field, value] : r.fixed_fields) check(in, field, FD::CPPTYPE_STRING);
    check(out, r.raw_response_field, FD::CPPTYPE_STRING);
    check(out, r.raw_response_type_field, FD::CPPTYPE_STRING);
    check(out, r.raw_response_filename_field, FD::CPPTYPE_STRING);
    check(out, r.raw_response_status_field, FD::CPPTYPE_INT32);
    for (const auto& [header, field] : r.raw_response_header_fields)
      check(out, field, FD::CPPTYPE_STRING);
  }
  return routes;
}

}  // namespace

App::App(Config config, metrics::Registry* registry)
    : config_(std::move(config)),
      router_(ResolvedRoutes()),
      largest_body_limit_(config_.max_body_bytes) {
  for (const auto& r : router_.routes())
    largest_body_limit_ = std::max(largest_body_limit_, r.max_body_bytes);
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
  // W3C Trace Context level 2: the trace this request became part of, for the caller's logs
  // and for finding it in Jaeger.
  if (ctx.span.context().valid()) {
    std::string tr = trace::FormatTraceparent(ctx.span.context());
    res.set("traceresponse", tr);
  }
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
            "X-Request-Id, traceresponse, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
            "Retry-After");
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
  // A sampled request's trace is its bucket's exemplar: Grafana links the latency to it.
  http_duration_->WithLabels({ctx.route})
      .Observe(secs, ctx.span.exported() ? std::string_view(ctx.trace_id) : "");
  if (ctx.span.recording()) {
    ctx.span.SetName(ctx.method + " " + ctx.route);
    ctx.span.Set("http.request.method", ctx.method);
    ctx.span.Set("http.route", ctx.route);
    ctx.span.Set("http.response.status_code", static_cast<int64_t>(res.result_int()));
    if (res.result_int() >= 500) ctx.span.Error(std::to_string(res.result_int()));
    ctx.span.End();
  }
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
  std::optional<trace::SpanContext> parent;
  if (auto it = req.find("traceparent"); it != req.end()) {
    auto ts = req.find("tracestate");
    parent = trace::ParseTraceparent(SV(it->value()), ts == req.end() ? "" : SV(ts->value()));
  }
  if (parent && config_.trust_incoming_traceparent) {
    ctx.span = trace::Span(ctx.method, trace::Kind::kServer, *parent);
  } else {
    // A caller on the Internet does not choose our trace id, our sampling or our tracestate:
    // a trace of our own, linked to the caller's context for correlation.
    ctx.span = trace::Span(ctx.method, trace::Kind::kServer, trace::SpanContext{});
    if (parent) ctx.span.Link(*parent);
  }
  ctx.trace_id = ctx.span.context().TraceIdHex();
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
    std::string_view accept;
    if (auto it = req.find(http::field::accept_encoding); it != req.end()) accept = SV(it->value());
    auto file = static_files_->Get(path, accept);
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

}  // namespace healthtech::bff
