#pragma once
// The admin HTTP port every service has: GET /metrics (Prometheus text), /healthz
// (liveness: the process serves) and /readyz (readiness: the probe given). Runs on its
// own thread; scrapes are rare, so connections are served one at a time.
#include <functional>
#include <memory>
#include <string>

#include "healthtech/metrics/metrics.h"

namespace healthtech::metrics {

class AdminServer {
 public:
  AdminServer(std::string bind_address, int port, Registry* registry,
              std::function<bool()> ready = nullptr);
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
