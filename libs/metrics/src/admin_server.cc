#include "healthtech/metrics/admin_server.h"

#include <utility>  // before Boost.Asio: Boost 1.74 misses it (TOOLCHAIN.md)

#include <atomic>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
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
  Registry* registry = nullptr;
  std::function<bool()> ready;
  std::thread thread;
  std::atomic<bool> stopping{false};

  void Serve() {
    while (!stopping) {
      beast::error_code ec;
      tcp::socket socket(ioc);
      acceptor.accept(socket, ec);
      if (ec) {
        if (stopping) return;
        continue;
      }
      HandleConnection(socket);
    }
  }

  void HandleConnection(tcp::socket& socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    // One request per connection: the server is single-threaded, and a scraper that kept
    // its connection open (Prometheus does) would otherwise block every other client —
    // the kubelet's liveness probe included — and Stop() until it let go.
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) return;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.keep_alive(false);
    std::string target(req.target());
    if (auto q = target.find('?'); q != std::string::npos) target.resize(q);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::content_type, "text/plain");
      res.body() = "method not allowed\n";
    } else if (target == "/metrics") {
      res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res.body() = registry->Serialize();
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
    http::write(socket, res, ec);
  }
};

AdminServer::AdminServer(std::string bind_address, int port, Registry* registry,
                         std::function<bool()> ready)
    : impl_(std::make_unique<Impl>()) {
  impl_->registry = registry;
  impl_->ready = std::move(ready);
  tcp::endpoint ep(asio::ip::make_address(bind_address), static_cast<unsigned short>(port));
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->thread = std::thread([this] { impl_->Serve(); });
}

int AdminServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void AdminServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  beast::error_code ec;
  // Unblock accept() by connecting to ourselves, then close.
  try {
    tcp::socket s(impl_->ioc);
    auto ep = impl_->acceptor.local_endpoint();
    if (ep.address().is_unspecified()) ep.address(asio::ip::make_address("127.0.0.1"));
    s.connect(ep, ec);
  } catch (...) {
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->acceptor.close(ec);
}

AdminServer::~AdminServer() { Stop(); }

}  // namespace healthtech::metrics
