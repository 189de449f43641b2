#pragma once
// The admin HTTP port every service has: GET /metrics (Prometheus text), /healthz
// (liveness: the process serves) and /readyz (readiness: the probe given). Runs on its
// own thread, one request per connection, connections interleaved: a client that sends
// nothing is dropped after `timeout` and never blocks the others.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "healthtech/metrics/metrics.h"

namespace healthtech::metrics {

class AdminServer {
 public:
  AdminServer(std::string bind_address, int port, Registry* registry,
              std::function<bool()> ready = nullptr,
              std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;
  // Port actually bound (useful with port 0 in tests).
  int port() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace healthtech::metrics
