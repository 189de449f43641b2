#include "config.h"

#include "healthtech/log/log.h"
#include "healthtech/uhi/signing.h"

namespace healthtech::uhi {

Config Config::FromEnv() {
  config::EnvReader env("uhi-service");
  Config c;
  c.server = grpc_server::ServerOptions::FromEnv(env, "uhi-service");
  c.database_url = env.Required("DATABASE_URL", /*secret=*/true);
  c.db_pool_size = env.Int("DB_POOL_SIZE", 6, 2, 200);
  c.redis_url = env.Required("REDIS_URL", /*secret=*/true);
  c.iam_service_url = env.Required("IAM_SERVICE_URL");
  c.org_service_url = env.Required("ORG_SERVICE_URL");
  c.appointment_service_url = env.Required("APPOINTMENT_SERVICE_URL");
  c.payment_service_url = env.Required("PAYMENT_SERVICE_URL");
  c.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", /*secret=*/true);
  if (!c.internal_token.empty() && c.internal_token.size() < 32) {
    env.Fail("INTERNAL_SERVICE_TOKEN", "must be at least 32 characters");
  }
  c.subscriber_id = env.Required("UHI_SUBSCRIBER_ID");
  c.pub_key_id = env.String("UHI_PUB_KEY_ID", "k1");
  c.signing_private_key = env.Required("UHI_SIGNING_PRIVATE_KEY", /*secret=*/true);
  if (!c.signing_private_key.empty() && !SigningKey::FromBase64(c.signing_private_key).ok()) {
    env.Fail("UHI_SIGNING_PRIVATE_KEY",
             "must be an Ed25519 key in base64 (PKCS#8 DER, a 32-byte seed or 64 bytes)");
  }
  c.subscriber_url = env.Required("UHI_SUBSCRIBER_URL");
  c.signing_profile = env.OneOf("UHI_SIGNING_PROFILE", "uhi", {"uhi", "beckn"});
  c.accept_other_profile = env.Bool("UHI_ACCEPT_OTHER_PROFILE", false);
  c.created_skew_seconds = env.Int("UHI_CREATED_SKEW_SECONDS", 5, 0, 300);
  c.signature_ttl_seconds = env.Int("UHI_SIGNATURE_TTL_SECONDS", 10, 1, 3600);
  c.registry_url = env.Required("UHI_REGISTRY_URL");
  c.dev_register = env.Bool("UHI_DEV_REGISTER", false);
  if (c.dev_register && c.server.environment != "development") {
    env.Fail("UHI_DEV_REGISTER", "is for development registries only (HEALTHTECH_ENV=development)");
  }
  c.gateway_ids = env.List("UHI_GATEWAY_SUBSCRIBER_IDS", "");
  c.gateway_on_search_path = env.String("UHI_GATEWAY_ON_SEARCH_PATH", "/on_search");
  if (c.gateway_on_search_path.empty() || c.gateway_on_search_path[0] != '/')
    env.Fail("UHI_GATEWAY_ON_SEARCH_PATH", "must be a path starting with /");
  c.accepted_domains = env.List("UHI_ACCEPTED_DOMAINS", "nic2004:85111");
  c.domain = env.String("UHI_DOMAIN", "nic2004:85111");
  c.city_code = env.String("UHI_CITY_CODE", "std:080");
  c.allow_plain_http = env.Bool("UHI_ALLOW_PLAIN_HTTP", false);
  if (c.allow_plain_http && c.server.environment != "development") {
    env.Fail("UHI_ALLOW_PLAIN_HTTP", "is for development only (HEALTHTECH_ENV=development)");
  }
  c.provider_name = env.String("UHI_PROVIDER_NAME", "HealthTech");
  c.workers = env.Int("UHI_WORKERS", 2, 1, 32);
  if (c.db_pool_size < 2 * c.workers + 2) {
    env.Fail("DB_POOL_SIZE", "must be at least 2 × UHI_WORKERS + 2 (workers and requests)");
  }
  c.search_limit = env.Int("UHI_SEARCH_LIMIT", 50, 1, 100);
  c.slot_days = env.Int("UHI_SLOT_DAYS", 7, 1, 31);
  c.callback_max_attempts = env.Int("UHI_CALLBACK_MAX_ATTEMPTS", 12, 1, 100);
  c.callback_backoff_ms = env.Int("UHI_CALLBACK_BACKOFF_MS", 1000, 10, 600000);
  c.callback_timeout_ms = env.Int("UHI_CALLBACK_TIMEOUT_MS", 5000, 100, 60000);
  c.registry_cache_seconds = env.Int("UHI_REGISTRY_CACHE_SECONDS", 300, 0, 86400);
  c.gst_rate_bps = env.Int("GST_RATE_BPS", 0, 0, 2800);
  c.gateway_audit_url = env.String("UHI_GATEWAY_AUDIT_URL", "");
  c.helpline_number = env.String("UHI_HELPLINE_NUMBER", "");
  env.Finish();
  log::Init("uhi-service", c.server.log_level);
  log::Info("config_loaded", env.redacted());
  return c;
}

}  // namespace healthtech::uhi
