#include "http_server.h"

#include <boost/beast/websocket/rfc6455.hpp>

#include "healthtech/log/log.h"
#include "http_checks.h"

namespace healthtech::bff {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

HttpServer::HttpServer(App* app, std::string bind_address, int port, int threads)
    : app_(app), bind_address_(std::move(bind_address)), port_(port) {
  tcp::endpoint ep(asio::ip::make_address(bind_address_), static_cast<unsigned short>(port_));
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->acceptor = std::make_unique<tcp::acceptor>(w->ioc);
    w->acceptor->open(ep.protocol());
    w->acceptor->set_option(asio::socket_base::reuse_address(true));
    w->acceptor->set_option(reuse_port(true));
    w->acceptor->bind(ep);
    w->acceptor->listen(asio::socket_base::max_listen_connections);
    if (port_ == 0) {
      port_ = w->acceptor->local_endpoint().port();
      ep.port(static_cast<unsigned short>(port_));
    }
    workers_.push_back(std::move(w));
  }
}

HttpServer::~HttpServer() {
  for (auto& w : workers_) {
    w->ioc.stop();
    if (w->thread.joinable()) w->thread.join();
  }
}

void HttpServer::Start() {
  for (auto& w : workers_) {
    Worker* raw = w.get();
    asio::co_spawn(raw->ioc, Accept(raw), asio::detached);
    raw->thread = std::thread([this, raw] {
      app_->AttachThread(raw->ioc);
      raw->ioc.run();
      app_->DetachThread();
    });
  }
}

awaitable<void> HttpServer::Accept(Worker* w) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket =
        co_await w->acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || draining_) co_return;
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(w->ioc, Session(std::move(socket)), asio::detached);
  }
}

awaitable<void> HttpServer::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  std::string peer;
  {
    auto ep = stream.socket().remote_endpoint(ec);
    peer = ec ? "unknown" : ep.address().to_string();
  }
  const size_t largest_body_limit = app_->LargestBodyLimit();
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(largest_body_limit);
    stream.expires_after(std::chrono::seconds(60));
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, ec));
    size_t limit = app_->config().max_body_bytes;
    if (!ec && !UnambiguousFraming(parser.get())) {
      // RFC 9112 §6.3: a length we cannot be sure of is a 400, and the connection closes,
      // so that nothing after it can be read as a request of its own.
      Response res = app_->TransportError(400, "BAD_REQUEST",
                                          "The request's Transfer-Encoding or Content-Length is "
                                          "not valid: send one Content-Length, or "
                                          "Transfer-Encoding: chunked alone.",
                                          parser.get().version());
      stream.expires_after(std::chrono::seconds(5));
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      break;
    }
    if (!ec) {
      // Now that the route is known, its own limit: a declared length over it is refused
      // before any of the body is read; a chunked body is cut off when it passes it.
      limit = app_->BodyLimitFor(SV(parser.get().method_string()), SV(parser.get().target()));
      if (parser.content_length() && *parser.content_length() > limit) {
        ec = http::error::body_limit;
      } else {
        parser.body_limit(limit);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      }
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      break;
    }
    if (ec) {
      Response res;
      if (ec == http::error::body_limit) {
        res = app_->TransportError(413, "PAYLOAD_TOO_LARGE",
                                   "The request body exceeds " + std::to_string(limit) + " bytes.",
                                   11);
      } else if (ec == http::error::header_limit) {
        res = app_->TransportError(431, "HEADERS_TOO_LARGE", "The request headers are too large.",
                                   11);
      } else {
        res = app_->TransportError(400, "BAD_REQUEST", "The HTTP request is malformed.", 11);
      }
      stream.expires_after(std::chrono::seconds(5));
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      break;
    }
    Request req = parser.release();
    if (std::string_view t = SV(req.target()); t.substr(0, t.find('?')) == "/ws") {
      if (beast::websocket::is_upgrade(req) && !draining_) {
        co_await app_->ws().Serve(std::move(stream), std::move(req));
        co_return;
      }
      Response res = app_->TransportError(
          draining_ ? 503 : 426, draining_ ? "SHUTTING_DOWN" : "UPGRADE_REQUIRED",
          draining_ ? "This server is shutting down; reconnect."
                    : "GET /ws is a WebSocket endpoint: send a WebSocket upgrade request.",
          req.version());
      if (!draining_) res.set(http::field::upgrade, "websocket");
      stream.expires_after(std::chrono::seconds(5));
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      break;
    }
    ++active_;
    Response res = co_await app_->Handle(std::move(req), peer);
    if (draining_) res.keep_alive(false);
    stream.expires_after(std::chrono::seconds(30));
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    --active_;
    if (ec || !res.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

void HttpServer::Shutdown(std::chrono::seconds grace) {
  draining_ = true;
  for (auto& w : workers_) {
    asio::post(w->ioc, [a = w->acceptor.get()] {
      beast::error_code ec;
      a->close(ec);
    });
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (active_ > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& w : workers_) w->ioc.stop();
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace healthtech::bff
