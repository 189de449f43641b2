#include "service.h"

#include <unistd.h>

#include <chrono>

#include "storage/store.h"

namespace healthtech::payment {

PaymentService::PaymentService(const Config& config, pg::Pool* pool, Gateway* gateway,
                               std::shared_ptr<grpc::Channel> iam,
                               std::shared_ptr<grpc::Channel> appointments,
                               std::shared_ptr<grpc::Channel> orgs)
    : config_(config),
      pool_(pool),
      page_tokens_(config.internal_token),
      gateway_(gateway),
      authn_(auth::JwksFromIam(iam), config.jwt_issuer, config.jwt_audience),
      appointments_(std::move(appointments), config.internal_token),
      directory_(std::move(orgs), iam, config.internal_token) {
  storage::PrepareStatements(*pool_);
}

PaymentService::~PaymentService() { StopBackground(); }

absl::StatusOr<auth::Claims> PaymentService::Caller(const grpc::ServerContext& ctx) {
  return authn_.Authenticate(ctx);
}

void PaymentService::StartBackground(redis::Client* events) {
  events::ConsumerOptions options;
  options.group = "payment-service";
  options.name = "payment-" + std::to_string(::getpid());
  options.streams = {"healthtech:events:appointment"};
  options.types = {"appointment.cancelled"};
  options.max_deliveries = 0;  // a refund is retried until it is made
  options.claim_idle_ms = config_.event_claim_idle_ms;
  consumer_ = std::make_unique<events::StreamConsumer>(
      events, options, [this](const std::vector<events::Event>& batch) {
        absl::Status first_error;
        for (const auto& e : batch) {
          if (auto s = HandleAppointmentEvent(e); !s.ok() && first_error.ok()) first_error = s;
        }
        return first_error;  // then each event is retried alone (handled ones are skipped)
      });
  consumer_->Start();
  background_ = std::thread([this] {
    const int sync_after = config_.sync_after_seconds;
    auto next_sync = std::chrono::steady_clock::now();
    while (!stop_) {
      // Webhooks can be lost: now and then, ask the gateway about payments still waiting.
      if (std::chrono::steady_clock::now() >= next_sync) {
        SyncPendingOnce(sync_after);
        // Steps a crash cut in two; a gateway call takes at most ~5 s, so a payment still
        // 'creating' after 10 s has no request working on it any more.
        CompleteCreatingOnce(std::max(10, sync_after));
        SettleCapturedOnce(sync_after);
        next_sync =
            std::chrono::steady_clock::now() + std::chrono::seconds(std::max(1, sync_after / 3));
      }
      for (int i = 0; i < 10 && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

void PaymentService::StopBackground() {
  stop_ = true;
  if (consumer_) consumer_->Stop();
  if (background_.joinable()) background_.join();
}

}  // namespace healthtech::payment
