#include "config.h"

#include "healthtech/config/config.h"
#include "healthtech/log/log.h"

namespace healthtech::notification {

Config Config::FromEnv() {
  config::EnvReader env("notification-service");
  Config c;
  c.server = grpc_server::ServerOptions::FromEnv(env, "notification-service");
  c.database_url = env.Required("DATABASE_URL", true);
  c.redis_url = env.Required("REDIS_URL");
  c.iam_service_url = env.Required("IAM_SERVICE_URL");
  c.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", true);
  c.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  c.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  c.public_web_url = env.String("PUBLIC_WEB_URL", "http://localhost:8080");
  c.development = c.server.environment == "development";
  c.smtp.url = env.Required("SMTP_URL");
  c.smtp.from = env.String("SMTP_FROM", "no-reply@healthtech.dev");
  c.smtp.starttls = env.OneOf("SMTP_STARTTLS", "try", {"try", "required"});
  c.smtp.username = env.String("SMTP_USERNAME", "");
  c.smtp.password = env.String("SMTP_PASSWORD", "", true);
  // SMS is optional: without SMS_API_URL no SMS is planned.
  c.sms.api_url = env.String("SMS_API_URL", "");
  c.sms.api_key = env.String("SMS_API_KEY", "", true);
  c.sms.sender_id = env.String("SMS_SENDER_ID", "HLTHTK");
  c.sms.provider = env.String("SMS_PROVIDER", "msg91");
  for (const auto& pair : env.List("SMS_DLT_TEMPLATE_IDS", "")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
      env.Fail("SMS_DLT_TEMPLATE_IDS",
               "entries must be event.type=TEMPLATE_ID, got \"" + pair + "\"");
      continue;
    }
    c.dlt_template_ids[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  c.smtp_sink_url = env.String("DEV_SMTP_SINK_URL", "");
  c.sms_sink_url = env.String("DEV_SMS_SINK_URL", "");
  c.max_attempts = env.Int("DELIVERY_MAX_ATTEMPTS", 8, 1, 20);
  c.max_event_deliveries = env.Int("EVENT_MAX_DELIVERIES", 20, 2, 1000);
  c.sms_hourly_cap = env.Int("SMS_USER_HOURLY_CAP", 10, 1, 1000);
  c.breaker_failures = env.Int("CIRCUIT_BREAKER_FAILURES", 5, 1, 1000);
  c.breaker_open_ms = env.Int("CIRCUIT_BREAKER_OPEN_MS", 30000, 100, 3600000);
  c.claim_idle_ms = env.Int("EVENT_CLAIM_IDLE_MS", 8000, 100, 3600000);
  c.gone_after_ms = env.Int("EVENT_CONSUMER_GONE_MS", 60000, 1000, 86400000);
  c.event_consumers = env.Int("EVENT_CONSUMERS", 2, 1, 16);
  c.delivery_workers = env.Int("DELIVERY_WORKERS", 4, 1, 64);
  env.Finish();
  log::Init("notification-service", c.server.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::notification
