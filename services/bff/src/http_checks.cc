#include "http_checks.h"

#include <boost/beast/core/string.hpp>

namespace healthtech::bff {

bool UnambiguousFraming(const boost::beast::http::fields& headers) {
  namespace http = boost::beast::http;
  int te = 0, cl = 0;
  std::string_view coding;
  for (const auto& f : headers) {
    if (f.name() == http::field::transfer_encoding) {
      ++te;
      coding = std::string_view(f.value().data(), f.value().size());
    } else if (f.name() == http::field::content_length) {
      ++cl;
    }
  }
  if (te == 0) return cl <= 1;
  if (te > 1 || cl > 0) return false;
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
    coding.remove_prefix(1);
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
    coding.remove_suffix(1);
  return boost::beast::iequals(boost::beast::string_view(coding.data(), coding.size()), "chunked");
}

}  // namespace healthtech::bff
