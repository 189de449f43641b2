#include "healthtech/metrics/admin_server.h"

#include <utility>  // before Boost.Asio: Boost 1.74 misses it (TOOLCHAIN.md)

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "healthtech/log/log.h"

namespace healthtech::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct AdminServer::Impl {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry{ioc};
  Registry* registry = nullptr;
  std::function<bool()> ready;
  std::chrono::milliseconds timeout{5000};
  int port = 0;
  std::thread thread;
  std::atomic<bool> stopping{false};

  // One connection: read one request within the timeout, answer, close. All of them run
  // interleaved on the one thread, so a client that connects and sends nothing (or keeps
  // its connection, as Prometheus does) never holds up the kubelet's probes.
  struct Conn : std::enable_shared_from_this<Conn> {
    Conn(tcp::socket s, Impl* i) : stream(std::move(s)), impl(i) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    Impl* impl;

    void Start() {
      stream.expires_after(impl->timeout);
      http::async_read(
          stream, buffer, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;  // timed out, closed or malformed: just close
            self->res = self->impl->Respond(self->req);
            self->stream.expires_after(self->impl->timeout);
            http::async_write(self->stream, self->res, [self](beast::error_code, std::size_t) {
              beast::error_code e;
              self->stream.socket().shutdown(tcp::socket::shutdown_send, e);
            });
          });
    }
  };

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (stopping || !acceptor.is_open()) return;
      if (!ec) {
        std::make_shared<Conn>(std::move(socket), this)->Start();
        Accept();
        return;
      }
      // Out of descriptors and the like: do not spin; try again shortly.
      retry.expires_after(std::chrono::milliseconds(100));
      retry.async_wait([this](beast::error_code) {
        if (!stopping) Accept();
      });
    });
  }

  http::response<http::string_body> Respond(const http::request<http::string_body>& req) {
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.keep_alive(false);
    std::string target(req.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::content_type, "text/plain");
      res.body() = "method not allowed\n";
    } else if (target == "/metrics") {
      // OpenMetrics when the scraper asks for it (Prometheus does): it carries exemplars.
      auto accept = req.find(http::field::accept);
      bool om = accept != req.end() &&
                accept->value().find("application/openmetrics-text") != beast::string_view::npos;
      res.set(http::field::content_type,
              om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                 : "text/plain; version=0.0.4; charset=utf-8");
      res.body() = registry->Serialize(om);
    } else if (target == "/healthz" || target == "/health") {
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok\n";
    } else if (target == "/readyz" || target == "/ready") {
      bool ok = !ready || ready();
      res.result(ok ? http::status::ok : http::status::service_unavailable);
      res.set(http::field::content_type, "text/plain");
      res.body() = ok ? "ready\n" : "not ready\n";
    } else {
      res.result(http::status::not_found);
      res.set(http::field::content_type, "text/plain");
      res.body() = "not found\n";
    }
    res.prepare_payload();
    return res;
  }
};

AdminServer::AdminServer(std::string bind_address, int port, Registry* registry,
                         std::function<bool()> ready, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->registry = registry;
  impl_->ready = std::move(ready);
  impl_->timeout = timeout;
  tcp::endpoint ep(asio::ip::make_address(bind_address), static_cast<unsigned short>(port));
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([this] {
    auto guard = asio::make_work_guard(impl_->ioc);
    impl_->ioc.run();
  });
}

int AdminServer::port() const { return impl_->port; }

void AdminServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  beast::error_code ec;
  impl_->acceptor.close(ec);  // the loop has stopped: nothing else touches it
}

AdminServer::~AdminServer() { Stop(); }

}  // namespace healthtech::metrics
