// The baseline for bench/ws_fanout.py: the smallest WebSocket broadcast server Boost.Beast
// allows (the library the BFF uses), one thread, no authentication, no Redis. Every text
// frame a client sends is written to every connected client.
//
//   ws_broadcast_baseline PORT
#include <utility>  // Boost 1.74 Asio needs std::exchange (TOOLCHAIN.md)

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <set>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

struct Client : std::enable_shared_from_this<Client> {
  explicit Client(tcp::socket s) : ws(std::move(s)), signal(ws.get_executor()) {}
  websocket::stream<beast::tcp_stream> ws;
  asio::steady_timer signal;
  std::deque<std::shared_ptr<const std::string>> out;
  bool closed = false;

  void Send(std::shared_ptr<const std::string> m) {
    out.push_back(std::move(m));
    signal.cancel();
  }
  asio::awaitable<void> Writer() {
    auto self = shared_from_this();
    beast::error_code ec;
    while (!closed) {
      while (!out.empty()) {
        auto m = out.front();
        out.pop_front();
        co_await ws.async_write(asio::buffer(*m), asio::redirect_error(use_awaitable, ec));
        if (ec) co_return;
      }
      signal.expires_at(asio::steady_timer::time_point::max());
      co_await signal.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }
};

std::set<std::shared_ptr<Client>> clients;

asio::awaitable<void> Session(tcp::socket socket) {
  auto c = std::make_shared<Client>(std::move(socket));
  beast::error_code ec;
  co_await c->ws.async_accept(asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  c->ws.text(true);
  clients.insert(c);
  asio::co_spawn(c->ws.get_executor(), c->Writer(), asio::detached);
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    co_await c->ws.async_read(buffer, asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    auto m = std::make_shared<const std::string>(beast::buffers_to_string(buffer.data()));
    for (const auto& other : clients) other->Send(m);
  }
  c->closed = true;
  c->signal.cancel();
  clients.erase(c);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket s = co_await acceptor.async_accept(use_awaitable);
    s.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), Session(std::move(s)), asio::detached);
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ws_broadcast_baseline PORT\n");
    return 2;
  }
  asio::io_context ioc{1};
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"),
                               static_cast<unsigned short>(std::atoi(argv[1]))});
  asio::co_spawn(ioc, Accept(acceptor), asio::detached);
  ioc.run();
}
