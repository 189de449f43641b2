#include "config.h"

#include "healthtech/log/log.h"

namespace healthtech::forum {

Config Config::FromEnv() {
  config::EnvReader env("forum-service");
  Config c;
  c.server = grpc_server::ServerOptions::FromEnv(env, "forum-service");
  c.database_url = env.Required("DATABASE_URL", /*secret=*/true);
  c.db_pool_size = env.Int("DB_POOL_SIZE", 8, 1, 200);
  c.redis_url = env.Required("REDIS_URL");
  c.iam_service_url = env.Required("IAM_SERVICE_URL");
  c.org_service_url = env.Required("ORG_SERVICE_URL");
  c.appointment_service_url = env.Required("APPOINTMENT_SERVICE_URL");
  c.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", /*secret=*/true);
  if (!c.internal_token.empty() && c.internal_token.size() < 32) {
    env.Fail("INTERNAL_SERVICE_TOKEN", "must be at least 32 characters");
  }
  c.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  c.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  c.flag_hide_threshold = env.Int("FORUM_FLAG_HIDE_THRESHOLD", 3, 1, 1000);
  c.trust_basic_posts = env.Int("FORUM_TRUST_BASIC_POSTS", 3, 0, 100000);
  c.trust_regular_posts = env.Int("FORUM_TRUST_REGULAR_POSTS", 20, 0, 100000);
  if (c.trust_regular_posts < c.trust_basic_posts) {
    env.Fail("FORUM_TRUST_REGULAR_POSTS", "must not be below FORUM_TRUST_BASIC_POSTS");
  }
  c.edit_window_seconds = env.Int("FORUM_EDIT_WINDOW_SECONDS", 86400, 0, 30 * 86400);
  env.Finish();
  log::Init("forum-service", c.server.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::forum
