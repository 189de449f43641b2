// notification-service: wiring only.
//   notification-service            serve gRPC (default)
//   notification-service migrate    apply migrations (MIGRATION_DATABASE_URL)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include "healthtech/config/config.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "notification_service.h"

namespace healthtech::notification {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate") {
    log::Init("notification-service", "info");
    const char* url = std::getenv("MIGRATION_DATABASE_URL");
    if (url == nullptr) {
      std::fprintf(stderr,
                   "notification-service: configuration error: MIGRATION_DATABASE_URL: required "
                   "but not set\n");
      return 2;
    }
    pg::MigrateResult r;
    auto s = pg::Migrate(url, "notification", "notification_owner", notification::Migrations(), &r);
    if (!s.ok()) {
      std::fprintf(stderr, "notification-service: %s\n", std::string(s.message()).c_str());
      return 1;
    }
    std::printf("notification: %d migration(s) applied, at version %d\n", r.applied,
                r.current_version);
    return 0;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  grpc_server::PrepareProcess();
  config::EnvReader env("notification-service");
  auto server = grpc_server::ServerOptions::FromEnv(env, "notification-service");
  std::string database_url = env.Required("DATABASE_URL", true);
  std::string redis_text = env.Required("REDIS_URL");
  std::string iam_url = env.Required("IAM_SERVICE_URL");
  notification::Config config;
  config.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", true);
  config.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  config.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  config.smtp_url = env.Required("SMTP_URL");
  config.smtp_from = env.String("SMTP_FROM", "no-reply@healthtech.dev");
  config.smtp_starttls = env.OneOf("SMTP_STARTTLS", "try", {"try", "required"});
  config.public_web_url = env.String("PUBLIC_WEB_URL", "http://localhost:8080");
  int claim_idle_ms = env.Int("EVENT_CLAIM_IDLE_MS", 60000, 100, 3600000);
  env.Finish();
  log::Init("notification-service", server.log_level);
  log::Info("config_loaded", env.redacted());
  auto redis_url = redis::ParseUrl(redis_text);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "notification-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  metrics::Registry registry;
  pg::Pool pool(database_url, 8, &registry, "notification-service");
  redis::Client redis(*redis_url);
  auto iam = grpc::CreateChannel(iam_url, grpc::InsecureChannelCredentials());
  notification::NotificationServiceImpl service(config, &pool, iam);
  std::atomic<bool> stop{false};
  std::thread worker([&] {
    std::string name = "notification-" + std::to_string(::getpid());
    while (!stop) {
      int n = service.ConsumeOnce(redis, name, claim_idle_ms) + service.DeliverOnce();
      if (n == 0) {
        for (int i = 0; i < 4 && !stop; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
  return grpc_server::RunServer(
      server, {&service}, registry, [&] { return pool.Ping(); },
      [&] {
        stop = true;
        worker.join();
      });
}
