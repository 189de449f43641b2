#include "config.h"

#include "healthtech/auth/jwt.h"
#include "healthtech/log/log.h"

namespace healthtech::iam {

Config Config::FromEnv() {
  config::EnvReader env("iam-service");
  Config c;
  c.server = grpc_server::ServerOptions::FromEnv(env, "iam-service");
  c.database_url = env.Required("DATABASE_URL", /*secret=*/true);
  c.db_pool_size = env.Int("DB_POOL_SIZE", 8, 1, 200);
  c.redis_url = env.Required("REDIS_URL");
  c.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  c.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  std::string kek = env.Required("IAM_KEY_ENCRYPTION_KEY", /*secret=*/true);
  if (!kek.empty()) {
    auto raw = auth::Base64UrlDecode(kek);
    if (!raw.ok() || raw->size() != 32) {
      env.Fail("IAM_KEY_ENCRYPTION_KEY", "must be 32 bytes, base64url without padding (43 chars)");
    } else {
      c.key_encryption_key = *raw;
    }
  }
  c.public_web_url = env.String("PUBLIC_WEB_URL", "http://localhost:8080");
  c.argon2.opslimit = env.Int("IAM_ARGON2_OPSLIMIT", 2, 1, 10);
  c.argon2.memlimit_bytes =
      static_cast<size_t>(env.Int("IAM_ARGON2_MEMLIMIT_KIB", 19456, 8192, 1048576)) * 1024;
  c.access_token_ttl_seconds = env.Int("ACCESS_TOKEN_TTL_SECONDS", 900, 5, 3600);
  c.refresh_token_ttl_days = env.Int("REFRESH_TOKEN_TTL_DAYS", 30, 1, 365);
  c.login_failures_per_account = env.Int("LOGIN_FAILURES_PER_ACCOUNT", 10, 1, 1000000);
  c.login_failures_per_ip = env.Int("LOGIN_FAILURES_PER_IP", 100, 1, 1000000);
  c.login_failure_window_seconds = env.Int("LOGIN_FAILURE_WINDOW_SECONDS", 900, 1, 86400);
  c.development = c.server.environment == "development";
  c.internal_token = env.String("INTERNAL_SERVICE_TOKEN", "", /*secret=*/true);
  if (!c.internal_token.empty() && c.internal_token.size() < 32) {
    env.Fail("INTERNAL_SERVICE_TOKEN", "must be at least 32 characters");
  }
  env.Finish();
  log::Init("iam-service", c.server.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::iam
