#include "config.h"

#include "healthtech/config/config.h"
#include "healthtech/log/log.h"

namespace healthtech::payment {

Config Config::FromEnv() {
  config::EnvReader env("payment-service");
  Config c;
  c.server = grpc_server::ServerOptions::FromEnv(env, "payment-service");
  c.database_url = env.Required("DATABASE_URL", true);
  c.db_pool_size = env.Int("DB_POOL_SIZE", 8, 1, 200);
  c.redis_url = env.Required("REDIS_URL");
  c.iam_service_url = env.Required("IAM_SERVICE_URL");
  c.appointment_service_url = env.Required("APPOINTMENT_SERVICE_URL");
  c.org_service_url = env.Required("ORG_SERVICE_URL");
  c.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", true);
  c.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  c.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  c.gst_rate_bps = env.Int("GST_RATE_BPS", 0, 0, 2800);
  c.gateway_base_url = env.Required("GATEWAY_BASE_URL");
  c.gateway_key_id = env.Required("GATEWAY_KEY_ID");
  c.gateway_key_secret = env.Required("GATEWAY_KEY_SECRET", true);
  c.gateway_webhook_secret = env.Required("GATEWAY_WEBHOOK_SECRET", true);
  c.gateway_checkout_url = env.String("GATEWAY_CHECKOUT_URL", c.gateway_base_url);
  c.sync_after_seconds = env.Int("PAYMENT_SYNC_AFTER_SECONDS", 30, 1, 86400);
  c.event_claim_idle_ms = env.Int("EVENT_CLAIM_IDLE_MS", 8000, 100, 3600000);
  env.Finish();
  log::Init("payment-service", c.server.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::payment
