// notification-service: wiring only.
//   notification-service            serve gRPC (default)
//   notification-service migrate    apply migrations (MIGRATION_DATABASE_URL)
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include "healthtech/config/config.h"
#include "healthtech/grpc_server/channel.h"
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
  if (command == "migrate")
    return pg::RunMigrateCommand("notification-service", "notification",
                                 notification::Migrations());
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
  config.public_web_url = env.String("PUBLIC_WEB_URL", "http://localhost:8080");
  config.development = server.environment == "development";
  notification::SmtpConfig smtp;
  smtp.url = env.Required("SMTP_URL");
  smtp.from = env.String("SMTP_FROM", "no-reply@healthtech.dev");
  smtp.starttls = env.OneOf("SMTP_STARTTLS", "try", {"try", "required"});
  smtp.username = env.String("SMTP_USERNAME", "");
  smtp.password = env.String("SMTP_PASSWORD", "", true);
  // SMS is optional: without SMS_API_URL no SMS is planned.
  notification::SmsConfig sms;
  sms.api_url = env.String("SMS_API_URL", "");
  sms.api_key = env.String("SMS_API_KEY", "", true);
  sms.sender_id = env.String("SMS_SENDER_ID", "HLTHTK");
  sms.provider = env.String("SMS_PROVIDER", "msg91");
  for (const auto& pair : env.List("SMS_DLT_TEMPLATE_IDS", "")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
      env.Fail("SMS_DLT_TEMPLATE_IDS",
               "entries must be event.type=TEMPLATE_ID, got \"" + pair + "\"");
      continue;
    }
    config.dlt_template_ids[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  config.smtp_sink_url = env.String("DEV_SMTP_SINK_URL", "");
  config.sms_sink_url = env.String("DEV_SMS_SINK_URL", "");
  config.max_attempts = env.Int("DELIVERY_MAX_ATTEMPTS", 8, 1, 20);
  config.max_event_deliveries = env.Int("EVENT_MAX_DELIVERIES", 20, 2, 1000);
  config.sms_hourly_cap = env.Int("SMS_USER_HOURLY_CAP", 10, 1, 1000);
  config.breaker_failures = env.Int("CIRCUIT_BREAKER_FAILURES", 5, 1, 1000);
  config.breaker_open_ms = env.Int("CIRCUIT_BREAKER_OPEN_MS", 30000, 100, 3600000);
  // Entries a crashed replica held are taken over after this long (checked every second),
  // and a consumer silent for EVENT_CONSUMER_GONE_MS with nothing pending leaves the group.
  int claim_idle_ms = env.Int("EVENT_CLAIM_IDLE_MS", 8000, 100, 3600000);
  int gone_after_ms = env.Int("EVENT_CONSUMER_GONE_MS", 60000, 1000, 86400000);
  // Threads that turn events into messages (each a consumer of its own in the group).
  int event_consumers = env.Int("EVENT_CONSUMERS", 2, 1, 16);
  int delivery_workers = env.Int("DELIVERY_WORKERS", 4, 1, 64);
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
  pg::Pool pool(database_url, 8 + delivery_workers, &registry, "notification-service");
  redis::Client publisher(*redis_url);
  auto iam = grpc_server::MakeChannel(iam_url);
  notification::NotificationServiceImpl service(
      config, &pool, iam, notification::MakeSmtpChannel(smtp),
      sms.api_url.empty() ? nullptr : notification::MakeSmsChannel(sms), &publisher, &registry);
  std::atomic<bool> stop{false};
  // One consumer thread turns events into stored messages; DELIVERY_WORKERS threads send
  // them (each leases different rows), so a slow provider round trip does not serialize
  // every message behind it.
  auto guarded = [&](const char* what, const std::function<bool()>& step) {
    while (!stop) {
      bool idle = true;
      try {
        idle = step();
      } catch (const std::exception& e) {
        healthtech::log::Error("worker_exception", {{"worker", what}, {"error", e.what()}});
      }
      if (idle) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < event_consumers; ++i) {
    workers.emplace_back([&, i] {
      redis::Client own(*redis_url);
      notification::NotificationServiceImpl::Consumer consumer;
      consumer.name = "notification-" + std::to_string(::getpid()) + "-" + std::to_string(i);
      consumer.claim_idle_ms = claim_idle_ms;
      consumer.gone_after_ms = gone_after_ms;
      // ConsumeOnce itself waits up to 100 ms for new events; pause only if Redis is down.
      guarded("consumer", [&] { return service.ConsumeOnce(own, consumer) < 0; });
    });
  }
  for (int i = 0; i < delivery_workers; ++i) {
    workers.emplace_back([&] { guarded("delivery", [&] { return service.DeliverOnce() == 0; }); });
  }
  return grpc_server::RunServer(
      server, {&service}, registry, [&] { return pool.Ping(); },
      [&] {
        stop = true;
        for (auto& w : workers) w.join();
      });
}
