#pragma once
// The asynchronous half of the HSPA: works out the answer to each recorded message (then
// marks it done and queues its callback in one transaction), and sends queued callbacks,
// signed, until the consumer acknowledges them (at least once: consumers dedupe on
// message_id): retried with backoff across restarts, each
// attempt signed afresh (a UHI signature lives 10 s), given up after
// UHI_CALLBACK_MAX_ATTEMPTS or a NACK. Any number of threads and replicas may run it (rows
// are claimed with SKIP LOCKED and leased while in flight).
#include "answers.h"
#include "config.h"
#include "healthtech/metrics/metrics.h"
#include "healthtech/pg/pool.h"
#include "healthtech/uhi/signing.h"
#include "service.h"

namespace healthtech::uhi {

class Worker {
 public:
  // `queued` is notified when an answer queued a callback.
  Worker(const Config& config, pg::Pool* pool, Answers* answers, const SigningKey* key,
         metrics::Registry* registry, Wakeup* queued);

  // Each returns true when it found work (call again at once), false when idle.
  bool AnswerOnce();
  bool DeliverOnce();

 private:
  const Config& config_;
  pg::Pool* pool_;
  Answers* answers_;
  const SigningKey* key_;
  Profile profile_;
  metrics::Family<metrics::Counter>* callbacks_;  // by outcome
  Wakeup* queued_;
};

}  // namespace healthtech::uhi
