#include "config.h"

#include <filesystem>
#include <thread>

#include "healthtech/config/config.h"
#include "healthtech/log/log.h"
#include "healthtech/trace/trace.h"

namespace healthtech::bff {

Config Config::FromEnv() {
  config::EnvReader env("bff-service");
  Config c;
  c.bind_address = env.String("BIND_ADDRESS", "0.0.0.0");
  c.http_port = env.Int("HTTP_PORT", 8080, 1, 65535);
  c.admin_port = env.Int("ADMIN_PORT", 9100, 1, 65535);
  int hw = static_cast<int>(std::thread::hardware_concurrency());
  c.threads = env.Int("BFF_THREADS", hw > 0 ? hw : 2, 1, 64);
  c.log_level = env.OneOf("LOG_LEVEL", "info", {"debug", "info", "warn", "error"});
  c.environment =
      env.OneOf("HEALTHTECH_ENV", "production", {"production", "staging", "development", "test"});
  c.redis_url = env.Required("REDIS_URL");
  c.services["iam"] = env.Required("IAM_SERVICE_URL");
  for (const char* name : {"org", "appointment", "payment", "notification", "forum", "uhi"}) {
    std::string var = std::string(name) + "_SERVICE_URL";
    for (auto& ch : var) ch = static_cast<char>(std::toupper(ch));
    std::string url = env.String(var, "");
    if (!url.empty()) c.services[name] = url;
  }
  c.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  c.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  c.cors_origins = env.List("CORS_ORIGINS", "");
  c.max_body_bytes = static_cast<size_t>(env.Int("MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20));
  // The built web app, served beside the API in development (a CDN serves it elsewhere).
  c.web_dist_dir = env.String("WEB_DIST_DIR", "");
  if (std::error_code ec;
      !c.web_dist_dir.empty() && !std::filesystem::is_directory(c.web_dist_dir, ec))
    env.Fail("WEB_DIST_DIR", c.web_dist_dir + " is not a directory");
  c.upstream_timeout_ms = env.Int("UPSTREAM_TIMEOUT_MS", 10000, 100, 120000);
  c.ip_rate = env.Int("RATE_LIMIT_IP_PER_SECOND", 50, 1, 10000000);
  c.ip_burst = env.Int("RATE_LIMIT_IP_BURST", 200, 1, 10000000);
  c.user_rate = env.Int("RATE_LIMIT_USER_PER_SECOND", 20, 1, 10000000);
  c.user_burst = env.Int("RATE_LIMIT_USER_BURST", 100, 1, 10000000);
  c.rate_limit_enabled = env.Bool("RATE_LIMIT_ENABLED", true);
  c.token_revocation_check = env.Bool("TOKEN_REVOCATION_CHECK", true);
  c.trust_incoming_traceparent = env.Bool("TRUST_INCOMING_TRACEPARENT", false);
  // Secure everywhere but plain-HTTP development on localhost.
  c.session_cookie_secure = env.Bool("SESSION_COOKIE_SECURE", c.environment != "development");
  c.session_cookie_max_age_seconds =
      env.Int("SESSION_COOKIE_MAX_AGE_SECONDS", 30 * 24 * 3600, 60, 365 * 24 * 3600);
  c.ws_max_sessions = env.Int("WS_MAX_SESSIONS", 10000, 1, 1000000);
  c.ws_max_sessions_per_user = env.Int("WS_MAX_SESSIONS_PER_USER", 10, 1, 1000);
  c.ws_messages_per_second = env.Int("WS_MESSAGES_PER_SECOND", 5, 1, 10000);
  c.ws_message_burst = env.Int("WS_MESSAGE_BURST", 20, 1, 100000);
  c.shutdown_grace_seconds = env.Int("SHUTDOWN_GRACE_SECONDS", 10, 0, 600);
  c.web_root = env.String("WEB_ROOT", "");
  trace::Configure(env, "bff-service");
  env.Finish();
  log::Init("bff-service", c.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::bff
