#pragma once
// Checks on an HTTP request's head before anything of it is used (pure functions, unit-tested).
#include <string_view>

#include <boost/beast/http/fields.hpp>

namespace healthtech::bff {

// RFC 9112 §6.3: true when the body's length is certain — no Transfer-Encoding and at most
// one Content-Length, or Transfer-Encoding that is exactly "chunked" and no Content-Length.
// Anything else (an unknown or stacked coding, both headers, repeated headers) could be read
// differently by a proxy in front of us, the precondition of request smuggling.
bool UnambiguousFraming(const boost::beast::http::fields& headers);

}  // namespace healthtech::bff
