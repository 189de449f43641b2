// uhi-service: wiring only.
//   uhi-service            serve gRPC (default)
//   uhi-service migrate    apply migrations (MIGRATION_DATABASE_URL)
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "answers.h"
#include "config.h"
#include "healthtech/grpc_server/channel.h"
#include "healthtech/grpc_server/server.h"
#include "healthtech/log/log.h"
#include "healthtech/pg/migrate.h"
#include "healthtech/pg/pool.h"
#include "healthtech/redis/redis.h"
#include "registry.h"
#include "service.h"
#include "updates.h"
#include "worker.h"

namespace healthtech::uhi {
const std::vector<pg::Migration>& Migrations();
}

int main(int argc, char** argv) {
  using namespace healthtech;
  std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "migrate") return pg::RunMigrateCommand("uhi-service", "uhi", uhi::Migrations());
  if (command != "serve") {
    std::fprintf(stderr, "usage: uhi-service [serve|migrate]\n");
    return 2;
  }
  if (sodium_init() < 0) return 1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  grpc_server::PrepareProcess();
  uhi::Config config = uhi::Config::FromEnv();
  auto redis_url = redis::ParseUrl(config.redis_url);
  if (!redis_url.ok()) {
    std::fprintf(stderr, "uhi-service: configuration error: REDIS_URL: %s\n",
                 std::string(redis_url.status().message()).c_str());
    return 2;
  }
  auto key = uhi::SigningKey::FromBase64(config.signing_private_key);  // checked by FromEnv
  metrics::Registry registry;
  pg::Pool pool(config.database_url, config.db_pool_size, &registry, "uhi-service");
  uhi::Registry network(config, &*key);
  uhi::Wakeup received, queued;  // a message to answer; a callback to send
  uhi::UhiServiceImpl service(config, &pool, &network, &*key, &received);
  uhi::Answers answers(config, &pool, grpc_server::MakeChannel(config.iam_service_url),
                       grpc_server::MakeChannel(config.org_service_url),
                       grpc_server::MakeChannel(config.appointment_service_url),
                       grpc_server::MakeChannel(config.payment_service_url));
  uhi::Worker worker(config, &pool, &answers, &*key, &registry, &queued);

  std::atomic<bool> stop{false};
  auto loop = [&](const char* what, uhi::Wakeup& wakeup, const std::function<bool()>& step,
                  int idle_ms) {
    while (!stop) {
      bool busy = false;
      try {
        busy = step();
      } catch (const std::exception& e) {
        log::Error("worker_exception", {{"worker", what}, {"error", e.what()}});
      }
      if (!busy) wakeup.Wait(idle_ms);
    }
  };
  std::vector<std::thread> threads;
  // UHI_WORKERS threads answer messages (each answer waits on the organization or
  // appointment service) and as many send callbacks (each waits on a participant).
  for (int i = 0; i < config.workers; ++i) {
    threads.emplace_back([&] {
      loop(
          "answer", received, [&] { return worker.AnswerOnce(); }, 500);
    });
    threads.emplace_back([&] {
      loop(
          "deliver", queued, [&] { return worker.DeliverOnce(); }, 500);
    });
  }
  // The callback queue's depth and the age of its oldest entry, every 5 s (a scrape never
  // waits on the database).
  auto& pending =
      registry.AddGauge("uhi_callbacks_pending", "Callbacks waiting to be sent").WithLabels({});
  auto& oldest = registry
                     .AddGauge("uhi_callbacks_oldest_pending_seconds",
                               "Age of the oldest callback waiting to be sent (0 when none)")
                     .WithLabels({});
  threads.emplace_back([&] {
    while (!stop) {
      auto r = pg::ReadOnce(pool, pg::Subject::System(), [](pqxx::connection&) {
        return std::string(
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
            "FROM uhi.callbacks WHERE state = 'pending'");
      });
      if (r.ok() && !r->empty()) {
        pending.Set((*r)[0][0].as<double>());
        oldest.Set((*r)[0][1].as<double>());
      }
      for (int i = 0; i < 50 && !stop; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  if (config.dev_register) {
    // A development registry forgets us when it restarts: register until it takes our key,
    // then every minute.
    threads.emplace_back([&] {
      int wait_ms = 0;
      while (!stop) {
        if (wait_ms > 0) {
          for (int i = 0; i < wait_ms / 100 && !stop; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        absl::Status s = network.RegisterSelf();
        if (!s.ok()) log::Warn("uhi_dev_register_failed", {{"error", std::string(s.message())}});
        wait_ms = s.ok() ? 60000 : 1000;
      }
    });
  }
  // The appointment service's events: what the clinic does to an order's appointment
  // reaches the patient's app unprompted (a connection of its own: a consumer waits in
  // XREADGROUP).
  redis::Client events_redis(*redis_url);
  events::ConsumerOptions options;
  options.group = "uhi-service";
  options.name = "uhi-" + std::to_string(::getpid());
  options.streams = {"healthtech:events:appointment"};
  options.types = uhi::UpdateEventTypes();
  options.dead_letters = &registry.AddCounter(
      "uhi_events_dead_lettered_total",
      "Events acknowledged unhandled after repeated failures (see the log)", {"stream"});
  events::StreamConsumer updates(&events_redis, options,
                                 [&](const std::vector<events::Event>& batch) {
                                   bool any = false;
                                   absl::Status s = uhi::QueueUpdates(pool, config, batch, &any);
                                   if (any) queued.Notify();
                                   return s;
                                 });
  updates.Start();
  auto shutdown = [&] {
    updates.Stop();
    stop = true;
    received.Notify();
    queued.Notify();
    for (auto& t : threads)
      if (t.joinable()) t.join();
  };
  int rc = grpc_server::RunServer(
      config.server, {&service}, registry, [&] { return pool.Ping(); }, shutdown);
  shutdown();  // also when the server could not start (a port taken)
  return rc;
}
