#pragma once
// An HTTP response for a file of the web app (static_files.h), with the page CSP.
#include "asio.h"
#include "static_files.h"

namespace healthtech::bff {

inline http::response<http::string_body> WebAppResponse(const StaticFile& f, unsigned version,
                                                        bool head) {
  http::response<http::string_body> res{static_cast<http::status>(f.status), version};
  res.set(http::field::content_type, f.content_type);
  res.set(http::field::cache_control, f.cache_control);
  res.set("Content-Security-Policy", StaticFiles::PageCsp());
  if (!f.content_encoding.empty()) res.set(http::field::content_encoding, f.content_encoding);
  if (f.vary_encoding) res.set(http::field::vary, "Accept-Encoding");
  if (!head) res.body() = f.body;
  return res;
}

}  // namespace healthtech::bff
