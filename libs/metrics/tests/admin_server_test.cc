#include "healthtech/metrics/admin_server.h"

#include <utility>  // before Boost.Asio: Boost 1.74 misses it (TOOLCHAIN.md)

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace healthtech::metrics {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

tcp::socket Connect(asio::io_context& ioc, int port) {
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  return s;
}

// The whole answer to one request (the server closes after it).
std::string Get(asio::io_context& ioc, int port, const std::string& path) {
  auto s = Connect(ioc, port);
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string out;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(out), ec);
  return out;
}

TEST(AdminServer, AnswersProbesAndMetrics) {
  Registry registry;
  registry.AddCounter("jobs_total", "Jobs", {}).WithLabels({}).Inc();
  bool ready = false;
  AdminServer server("127.0.0.1", 0, &registry, [&] { return ready; });
  asio::io_context ioc;
  EXPECT_NE(Get(ioc, server.port(), "/healthz").find("200 OK"), std::string::npos);
  EXPECT_NE(Get(ioc, server.port(), "/readyz").find("503"), std::string::npos);
  ready = true;
  EXPECT_NE(Get(ioc, server.port(), "/readyz").find("200 OK"), std::string::npos);
  EXPECT_NE(Get(ioc, server.port(), "/metrics").find("jobs_total 1"), std::string::npos);
  EXPECT_NE(Get(ioc, server.port(), "/nope").find("404"), std::string::npos);
}

TEST(AdminServer, AClientThatSendsNothingBlocksNobodyAndIsDropped) {
  Registry registry;
  AdminServer server("127.0.0.1", 0, &registry, nullptr, std::chrono::milliseconds(300));
  asio::io_context ioc;
  // Idle connections held open for the whole test: the old server, serving one connection
  // at a time without a timeout, never answered the probe below.
  auto idle1 = Connect(ioc, server.port());
  auto idle2 = Connect(ioc, server.port());
  EXPECT_NE(Get(ioc, server.port(), "/healthz").find("ok"), std::string::npos);
  // ...and after the timeout the server hangs up on them.
  char byte;
  boost::system::error_code ec;
  asio::read(idle1, asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
  server.Stop();
  server.Stop();  // twice is harmless
}

}  // namespace
}  // namespace healthtech::metrics
