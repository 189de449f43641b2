#pragma once
// uhi-service's gRPC class. Receive() is the network's door: it verifies the signature,
// checks and records the message and answers ACK or NACK at once; the answers themselves are
// worked out and sent by the Worker (worker.h) from the tables Receive() writes.
#include <condition_variable>
#include <mutex>

#include "config.h"
#include "healthtech/pg/pool.h"
#include "healthtech/uhi/signing.h"
#include "healthtech/uhi/v1/uhi_service.grpc.pb.h"
#include "registry.h"

namespace healthtech::uhi {

// Wakes the worker when a message arrives (other replicas find it on their next poll).
class Wakeup {
 public:
  void Notify();
  // Waits until notified or `ms` passed.
  void Wait(int ms);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
};

class UhiServiceImpl final : public v1::UhiService::Service {
 public:
  UhiServiceImpl(const Config& config, pg::Pool* pool, Registry* registry, const SigningKey* key,
                 Wakeup* wakeup);

  using Ctx = grpc::ServerContext;
  grpc::Status Receive(Ctx*, const v1::ReceiveRequest*, v1::ReceiveResponse*) override;
  grpc::Status GetSubscriber(Ctx*, const v1::GetSubscriberRequest*, v1::Subscriber*) override;

 private:
  const Config& config_;
  pg::Pool* pool_;
  Registry* registry_;
  const SigningKey* key_;
  Wakeup* wakeup_;
};

}  // namespace healthtech::uhi
