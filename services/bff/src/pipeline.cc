// The BFF's route pipeline: MatchRoute → AuthenticateCall → BuildMessage → CallService,
// the stages of one REST call transcoded to a gRPC service (see App::HandleRoute).
#include "app.h"
#include "app_context.h"

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

using google::protobuf::MessageFactory;

// "/healthtech.iam.v1.IamService/Login" from "healthtech.iam.v1.IamService.Login".
std::string GrpcPath(const std::string& rpc) {
  auto dot = rpc.rfind('.');
  return "/" + rpc.substr(0, dot) + "/" + rpc.substr(dot + 1);
}

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

}  // namespace

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
  RateLimiter* limiter = ThreadLimiter();
  if (config_.rate_limit_enabled && route.rate_limited && limiter != nullptr) {
    std::vector<Bucket> buckets = {
        {"healthtech:bff:rl:ip:" + ctx.client_ip, config_.ip_rate, config_.ip_burst}};
    if (claims) {
      buckets.push_back(
          {"healthtech:bff:rl:user:" + claims->sub, config_.user_rate, config_.user_burst});
    }
    ctx.rate_storage = co_await limiter->Take(std::move(buckets));
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
  // The upstream call's client span; its context is the callee's parent.
  const std::string rpc_service = route.rpc.substr(0, route.rpc.rfind('.'));
  const std::string rpc_method = route.rpc.substr(route.rpc.rfind('.') + 1);
  trace::Span span(rpc_service + "/" + rpc_method, trace::Kind::kClient, ctx.span.context());
  span.Set("rpc.system", "grpc");
  span.Set("rpc.service", rpc_service);
  span.Set("rpc.method", rpc_method);
  std::vector<std::pair<std::string, std::string>> md = {
      {"x-request-id", ctx.request_id},
      {"traceparent", trace::FormatTraceparent(span.context())},
      {"x-client-ip", ctx.client_ip},
  };
  if (!span.context().trace_state.empty())
    md.emplace_back("tracestate", span.context().trace_state);
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
  span.Set("rpc.grpc.status_code", static_cast<int>(result.status.error_code()));
  if (!result.status.ok()) span.Error(result.status.error_message());
  span.End();
  if (!result.status.ok()) {
    auto p = status::ProblemFromGrpc(result.status);
    if (p.http_status >= 500) {
      log::ScopedContext scope(ctx.request_id, ctx.trace_id, ctx.span.context().SpanIdHex());
      log::Warn("upstream_error", {{"route", route.path},
                                   {"grpc_code", static_cast<int>(result.status.error_code())},
                                   {"error", result.status.error_message()}});
      if (!route.upstream_error_body.empty()) {
        Response res{http::status::service_unavailable, ctx.version};
        res.body() = route.upstream_error_body;
        res.set(http::field::content_type, "application/json");
        res.set(http::field::cache_control, "no-store");
        res.set(http::field::retry_after, "1");
        co_return res;
      }
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
    // The fields a route names are checked against the RPC's types when the BFF starts (App).
    auto string_field = [&](const std::string& name) {
      const auto* f = name.empty() ? nullptr : d->FindFieldByName(name);
      return f == nullptr ? std::string() : r->GetString(*out, f);
    };
    int status = route.success_status;
    if (const auto* f = route.raw_response_status_field.empty()
                            ? nullptr
                            : d->FindFieldByName(route.raw_response_status_field)) {
      int given = r->GetInt32(*out, f);
      if (given >= 200 && given <= 599) status = given;
    }
    Response raw{static_cast<http::status>(status), ctx.version};
    raw.body() = string_field(route.raw_response_field);
    for (const auto& [header, field] : route.raw_response_header_fields) {
      std::string value = string_field(field);
      if (!value.empty() && PrintableAscii(value)) raw.set(header, value);
    }
    raw.set(http::field::content_type, string_field(route.raw_response_type_field));
    std::string filename = string_field(route.raw_response_filename_field);
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
