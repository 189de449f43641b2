// libFuzzer target: the BFF's HTTP/1.1 request path before a route runs — Beast's parser
// with the server's limits, the framing check (RFC 9112 §6.3), the router and the query
// parser — on arbitrary bytes arriving on a connection, request after request.
#include <cstddef>
#include <cstdint>
#include <string>

#include <cstring>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "http_checks.h"
#include "router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace healthtech::bff;
  namespace beast = boost::beast;
  namespace http = beast::http;
  static const Router router(AllRoutes());
  if (size == 0) return 0;
  beast::flat_buffer buffer;
  auto b = buffer.prepare(size);
  std::memcpy(b.data(), data, size);
  buffer.commit(size);
  for (int requests = 0; requests < 8 && buffer.size() > 0; ++requests) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(64 * 1024);
    beast::error_code ec;
    // Header first, as the server does, then the body.
    parser.eager(false);
    while (!parser.is_header_done()) {
      size_t n = parser.put(buffer.data(), ec);
      buffer.consume(n);
      if (ec || n == 0) return 0;
    }
    if (!UnambiguousFraming(parser.get().base())) return 0;  // the server answers 400, closes
    parser.eager(true);
    while (!parser.is_done()) {
      size_t n = parser.put(buffer.data(), ec);
      buffer.consume(n);
      if (ec == http::error::need_more) return 0;
      if (ec || n == 0) return 0;
    }
    const auto& req = parser.get();
    std::string_view target(req.target().data(), req.target().size());
    std::string_view path = target.substr(0, target.find('?'));
    Match m = router.Find(std::string(req.method_string()), path);
    (void)m;
    if (auto q = target.find('?'); q != std::string_view::npos) (void)ParseQuery(target.substr(q + 1));
    (void)CookieValue(std::string_view(req[http::field::cookie].data(), req[http::field::cookie].size()),
                      "ht_refresh");
  }
  return 0;
}
