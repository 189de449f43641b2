#pragma once
// Sends due email and SMS deliveries through the channels: quiet hours defer them, the
// hourly SMS cap suppresses them, a provider's circuit breaker holds them back; every
// attempt is recorded, transient failures retried with backoff, and an urgent SMS that
// cannot go out falls back to the email kept on standby. Any number of threads may call
// DeliverOnce (each leases different rows).
#include <memory>

#include "channels.h"
#include "config.h"
#include "counters.h"
#include "healthtech/pg/pool.h"

namespace healthtech::notification::delivery {

class Worker {
 public:
  // `sms` may be null (no SMS provider configured).
  Worker(const Config& config, pg::Pool* pool, std::unique_ptr<Channel> email,
         std::unique_ptr<Channel> sms, Counters* counters);

  bool sms_enabled() const { return sms_ != nullptr; }
  // Sends due email and SMS deliveries; returns how many were looked at.
  int DeliverOnce();

 private:
  const Config& config_;
  pg::Pool* pool_;
  std::unique_ptr<Channel> email_, sms_;
  CircuitBreaker email_breaker_, sms_breaker_;
  Counters* counters_;
};

}  // namespace healthtech::notification::delivery
