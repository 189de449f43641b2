// payment-service: wiring only.
//   payment-service            serve gRPC (default)
//   payment-service migrate    apply migrations (MIGRATION_DATABASE_URL)
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "gateway.h"
#include "healthtech/config/config.h"
#include "healthtech/grpc_server/channel.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/outbox/relay.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "payment_service.h"

namespace healthtech::payment {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate")
    return pg::RunMigrateCommand("payment-service", "payment", payment::Migrations());
  if (command != "serve" && command != "reconcile") {
    std::fprintf(stderr, "usage: payment-service [serve|migrate|reconcile]\n");
    return 2;
  }
  grpc_server::PrepareProcess();
  config::EnvReader env("payment-service");
  auto server = grpc_server::ServerOptions::FromEnv(env, "payment-service");
  std::string database_url = env.Required("DATABASE_URL", true);
  int pool_size = env.Int("DB_POOL_SIZE", 8, 1, 200);
  std::string redis_url_text = env.Required("REDIS_URL");
  std::string iam_url = env.Required("IAM_SERVICE_URL");
  std::string appointment_url = env.Required("APPOINTMENT_SERVICE_URL");
  std::string org_url = env.Required("ORG_SERVICE_URL");
  payment::Config config;
  config.internal_token = env.Required("INTERNAL_SERVICE_TOKEN", true);
  config.jwt_issuer = env.String("JWT_ISSUER", "https://api.healthtech.com");
  config.jwt_audience = env.String("JWT_AUDIENCE", "healthtech-api");
  config.gst_rate_bps = env.Int("GST_RATE_BPS", 0, 0, 2800);
  std::string gateway_url = env.Required("GATEWAY_BASE_URL");
  std::string key_id = env.Required("GATEWAY_KEY_ID");
  std::string key_secret = env.Required("GATEWAY_KEY_SECRET", true);
  std::string webhook_secret = env.Required("GATEWAY_WEBHOOK_SECRET", true);
  std::string checkout_url = env.String("GATEWAY_CHECKOUT_URL", gateway_url);
  int sync_after = env.Int("PAYMENT_SYNC_AFTER_SECONDS", 30, 1, 86400);
  int claim_idle_ms = env.Int("EVENT_CLAIM_IDLE_MS", 8000, 100, 3600000);
  env.Finish();
  log::Init("payment-service", server.log_level);
  log::Info("config_loaded", env.redacted());
  auto redis_url = redis::ParseUrl(redis_url_text);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "payment-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  metrics::Registry registry;
  pg::Pool pool(database_url, pool_size, &registry, "payment-service");
  redis::Client redis(*redis_url);
  payment::RazorpayGateway gateway(gateway_url, key_id, key_secret, webhook_secret, checkout_url);
  auto iam = grpc_server::MakeChannel(iam_url);
  auto appointments = grpc_server::MakeChannel(appointment_url);
  auto orgs = grpc_server::MakeChannel(org_url);
  payment::PaymentServiceImpl service(config, &pool, &gateway, iam, appointments, orgs);
  if (command == "reconcile") {
    int differences = service.Reconcile(stdout);
    return differences == 0 ? 0 : 1;
  }
  outbox::Relay relay(&pool, &redis, "payment", "payment-service");
  relay.Start();
  // Appointment events (cancellations → refunds), on a connection of its own.
  redis::Client consumer_redis(*redis_url);
  std::atomic<bool> stop{false};
  std::thread consumer([&] {
    std::string name = "payment-" + std::to_string(::getpid());
    auto next_sync = std::chrono::steady_clock::now();
    while (!stop) {
      int handled = service.ConsumeAppointmentEventsOnce(consumer_redis, name, claim_idle_ms);
      // Webhooks can be lost: now and then, ask the gateway about payments still waiting.
      if (std::chrono::steady_clock::now() >= next_sync) {
        service.SyncPendingOnce(sync_after);
        // Steps a crash cut in two; a gateway call takes at most ~5 s, so a payment still
        // 'creating' after 10 s has no request working on it any more.
        service.CompleteCreatingOnce(std::max(10, sync_after));
        service.SettleCapturedOnce(sync_after);
        next_sync =
            std::chrono::steady_clock::now() + std::chrono::seconds(std::max(1, sync_after / 3));
      }
      if (handled == 0) {
        for (int i = 0; i < 10 && !stop; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
  int rc = grpc_server::RunServer(
      server, {&service}, registry, [&] { return pool.Ping(); },
      [&] {
        stop = true;
        consumer.join();
        relay.Stop();
      });
  return rc;
}
