#pragma once
// Boost 1.74's Asio uses std::exchange without including <utility>; every BFF file
// includes Asio/Beast through this header (TOOLCHAIN.md).
#include <utility>

#include <string_view>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace healthtech::bff {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
template <class T = void>
using awaitable = asio::awaitable<T>;
using asio::use_awaitable;
// Boost 1.74's beast::string_view is boost::string_view.
inline std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }
}  // namespace healthtech::bff
