#include "delivery/worker.h"

#include <functional>
#include <random>

#include "domain/delivery.h"
#include "healthtech/log/log.h"
#include "healthtech/trace/trace.h"
#include "storage/store.h"

namespace healthtech::notification::delivery {

Worker::Worker(const Config& config, pg::Pool* pool, std::unique_ptr<Channel> email,
               std::unique_ptr<Channel> sms, Counters* counters)
    : config_(config),
      pool_(pool),
      email_(std::move(email)),
      sms_(std::move(sms)),
      email_breaker_(config_.breaker_failures, std::chrono::milliseconds(config_.breaker_open_ms)),
      sms_breaker_(config_.breaker_failures, std::chrono::milliseconds(config_.breaker_open_ms)),
      counters_(counters) {}

int Worker::DeliverOnce() {
  std::vector<storage::DueDelivery> due;
  // Take a lease on up to 20 due messages (another replica skips them meanwhile).
  auto taken = pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
    for (auto& d : storage::LeaseDue(tx)) due.push_back(std::move(d));
    return absl::OkStatus();
  });
  if (!taken.ok()) return 0;
  static thread_local std::mt19937 rng(std::random_device{}());
  auto exec = [&](const std::function<void(storage::Tx&)>& f) {
    pg::WithTransaction(*pool_, pg::Subject::System(), [&](storage::Tx& tx) {
      f(tx);
      return absl::OkStatus();
    }).IgnoreError();
  };
  auto* deliveries = counters_->deliveries;
  // The urgent message's email, kept on standby, goes out instead of the SMS.
  auto fall_back = [&](const storage::DueDelivery& d) {
    exec([&](storage::Tx& tx) { storage::ReleaseStandbyEmail(tx, d.event_id, d.user_id); });
    deliveries->WithLabels({"sms", "fallback_email"}).Inc();
  };
  auto set_status = [&](const storage::DueDelivery& d, const std::string& status,
                        const std::string& error, double retry_in_seconds) {
    exec([&](storage::Tx& tx) { storage::SetStatus(tx, d.id, status, error, retry_in_seconds); });
    deliveries->WithLabels({d.channel, status}).Inc();
  };
  for (const auto& d : due) {
    bool sms = d.channel == "sms";
    if (!d.security && d.quiet_until) {  // quiet hours: wait until they end
      exec([&](storage::Tx& tx) { storage::Defer(tx, d.id, *d.quiet_until); });
      deliveries->WithLabels({d.channel, "deferred"}).Inc();
      continue;
    }
    bool within_cap = true;
    if (sms && !d.security && !d.user_id.empty()) {
      // Counted under a per-user lock, and this message reserves its place (sent_at) before
      // it goes, so parallel delivery workers cannot together exceed the cap. A failed
      // attempt clears sent_at again.
      exec([&](storage::Tx& tx) {
        storage::LockSmsCap(tx, d.user_id);
        int n = storage::SmsSentLastHour(tx, d.user_id, d.id);
        within_cap = domain::WithinSmsCap(n, config_.sms_hourly_cap);
        if (within_cap) storage::ReserveSms(tx, d.id);
      });
    }
    if (!within_cap) {
      set_status(d, "suppressed", "the user's hourly SMS cap is reached", 0);
      if (d.urgent) fall_back(d);
      continue;
    }
    Channel* channel = sms ? sms_.get() : email_.get();
    CircuitBreaker& breaker = sms ? sms_breaker_ : email_breaker_;
    if (channel == nullptr) {
      set_status(d, "failed", "no provider is configured for this channel", 0);
      continue;
    }
    if (!breaker.Allow()) {
      if (d.urgent && sms) {
        set_status(d, "failed", "the SMS provider's circuit breaker is open", 0);
        fall_back(d);
      } else {
        set_status(d, "pending", "", config_.breaker_open_ms / 1000.0);
      }
      continue;
    }
    // Sending is a span of its own, linked to the trace that queued the message (the event's
    // consumer); the attempt's bookkeeping goes under it.
    auto span = trace::FollowsFrom("send " + d.channel, trace::Kind::kClient, d.traceparent);
    std::optional<trace::Activate> current;
    if (span) {
      span->Set("notification.channel", d.channel);
      span->Set("notification.provider", channel->provider());
      span->Set("notification.attempt", d.attempts + 1);
      current.emplace(span->context());
    }
    auto sent = channel->Send({d.to, d.subject, d.body, d.html, d.dlt});
    bool permanent = !sent.ok() && !absl::IsUnavailable(sent.status());
    // The provider's words stay out of the span: they can quote the address.
    if (span && !sent.ok())
      span->Error(permanent ? "refused by the provider" : "provider unavailable");
    // A message the provider refuses is not the provider failing.
    breaker.Record(sent.ok() || permanent);
    counters_->circuit_open->WithLabels({channel->provider()}).Set(breaker.open() ? 1 : 0);
    int attempts = d.attempts + 1;
    std::string status =
        domain::StatusAfterAttempt(sent.ok(), permanent, attempts, config_.max_attempts);
    // Exponential backoff with jitter: ~1 s, 2 s, 4 s, ... up to 5 minutes.
    double backoff =
        domain::BackoffSeconds(attempts, std::uniform_real_distribution<>(0.5, 1.5)(rng));
    std::string error = sent.ok() ? "" : std::string(sent.status().message());
    exec([&](storage::Tx& tx) {
      storage::AttemptOutcome a;
      a.delivery_id = d.id;
      a.attempts = attempts;
      a.status = status;
      a.error = error;
      a.provider = channel->provider();
      a.provider_message_id = sent.ok() ? *sent : "";
      a.retry_in_seconds = backoff;
      a.sent = sent.ok();
      storage::RecordAttempt(tx, a);
      if (sms && sent.ok()) {  // the standby email is not needed
        storage::SuppressStandbyEmail(tx, d.event_id, d.user_id);
      }
    });
    deliveries->WithLabels({d.channel, status == "pending" ? "retry" : status}).Inc();
    if (status == "failed" && sms && d.urgent) fall_back(d);
    if (!sent.ok()) {
      log::Warn("delivery_failed", {{"delivery_id", d.id},
                                    {"channel", d.channel},
                                    {"attempts", attempts},
                                    {"final", status == "failed"},
                                    {"error", error}});
    }
  }
  return static_cast<int>(due.size());
}

}  // namespace healthtech::notification::delivery
