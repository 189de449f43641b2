#pragma once
// Asynchronous HTTP/1.1 server on Boost.Beast: one io_context per thread, each with
// its own SO_REUSEPORT acceptor (the kernel spreads connections), keep-alive, body and
// header limits, idle timeouts, and graceful drain on shutdown.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "app.h"
#include "asio.h"

namespace healthtech::bff {

class HttpServer {
 public:
  HttpServer(App* app, std::string bind_address, int port, int threads);
  ~HttpServer();
  void Start();
  // Stops accepting, waits for in-flight requests up to `grace`, then stops.
  void Shutdown(std::chrono::seconds grace);
  int port() const { return port_; }

 private:
  struct Worker {
    asio::io_context ioc{1};
    std::unique_ptr<tcp::acceptor> acceptor;
    std::thread thread;
  };
  awaitable<void> Accept(Worker* w);
  awaitable<void> Session(tcp::socket socket);

  App* app_;
  std::string bind_address_;
  int port_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<int> active_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace healthtech::bff
