#include "config.h"

#include "healthtech/log/log.h"

namespace healthtech::appointment {

Config Config::FromEnv() {
  config::EnvReader env("appointment-service");
  Config c;
  c.server = grpc_server::ServerOptions::FromEnv(env, "appointment-service");
  c.database_url = env.Required("DATABASE_URL", /*secret=*/true);
  c.db_pool_size = env.Int("DB_POOL_SIZE", 8, 1, 200);
  c.redis_url = env.Required("REDIS_URL");
  c.iam_service_url = env.Required("IAM_SERVICE_URL");
  c.org_service_url = env.Required("ORG_SERVICE_URL");
  c.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", /*secret=*/true);
  if (!c.internal_token.empty() && c.internal_token.size() < 32) {
    env.Fail("INTERNAL_SERVICE_TOKEN", "must be at least 32 characters");
  }
  c.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  c.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  c.hold_minutes = env.Int("PAYMENT_HOLD_MINUTES", 15, 1, 120);
  c.waitlist_offer_minutes = env.Int("WAITLIST_OFFER_MINUTES", 15, 1, 1440);
  c.sweep_interval_ms = env.Int("SWEEP_INTERVAL_MS", 1000, 50, 60000);
  c.free_days_interval_ms = env.Int("FREE_DAYS_INTERVAL_MS", 200, 20, 60000);
  c.video_room_base_url = env.String("VIDEO_ROOM_BASE_URL", "https://meet.jit.si/healthtech-");
  env.Finish();
  log::Init("appointment-service", c.server.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::appointment
