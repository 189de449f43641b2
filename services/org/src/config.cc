#include "config.h"

#include "healthtech/log/log.h"

namespace healthtech::org {

Config Config::FromEnv() {
  config::EnvReader env("org-service");
  Config c;
  c.server = grpc_server::ServerOptions::FromEnv(env, "org-service");
  c.database_url = env.Required("DATABASE_URL", /*secret=*/true);
  c.db_pool_size = env.Int("DB_POOL_SIZE", 8, 1, 200);
  c.redis_url = env.Required("REDIS_URL");
  c.iam_service_url = env.Required("IAM_SERVICE_URL");
  c.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", /*secret=*/true);
  if (!c.internal_token.empty() && c.internal_token.size() < 32) {
    env.Fail("INTERNAL_SERVICE_TOKEN", "must be at least 32 characters");
  }
  c.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  c.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  c.public_web_url = env.String("PUBLIC_WEB_URL", "http://localhost:8080");
  c.invitation_ttl_days = env.Int("INVITATION_TTL_DAYS", 7, 1, 90);
  c.sweep_interval_ms = env.Int("SWEEP_INTERVAL_MS", 30000, 50, 600000);
  c.search_facets_ttl_ms = env.Int("SEARCH_FACETS_TTL_MS", 30000, 0, 600000);
  env.Finish();
  log::Init("org-service", c.server.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::org
