#include "http_checks.h"

#include <gtest/gtest.h>

namespace healthtech::bff {
namespace {

namespace http = boost::beast::http;

http::fields Head(std::initializer_list<std::pair<http::field, const char*>> list) {
  http::fields f;
  for (auto& [k, v] : list) f.insert(k, v);
  return f;
}

TEST(UnambiguousFraming, OneLengthOrChunkedAlone) {
  EXPECT_TRUE(UnambiguousFraming(Head({})));
  EXPECT_TRUE(UnambiguousFraming(Head({{http::field::content_length, "5"}})));
  EXPECT_TRUE(UnambiguousFraming(Head({{http::field::transfer_encoding, "chunked"}})));
  EXPECT_TRUE(UnambiguousFraming(Head({{http::field::transfer_encoding, " Chunked "}})));
}

TEST(UnambiguousFraming, RefusesWhatAProxyCouldReadOtherwise) {
  EXPECT_FALSE(UnambiguousFraming(
      Head({{http::field::transfer_encoding, "xchunked"}, {http::field::content_length, "2"}})));
  EXPECT_FALSE(UnambiguousFraming(Head({{http::field::transfer_encoding, "chunked, identity"}})));
  EXPECT_FALSE(UnambiguousFraming(Head({{http::field::transfer_encoding, "gzip, chunked"}})));
  EXPECT_FALSE(UnambiguousFraming(Head({{http::field::transfer_encoding, "gzip"}})));
  EXPECT_FALSE(UnambiguousFraming(
      Head({{http::field::transfer_encoding, "chunked"}, {http::field::content_length, "5"}})));
  EXPECT_FALSE(UnambiguousFraming(Head(
      {{http::field::transfer_encoding, "chunked"}, {http::field::transfer_encoding, "chunked"}})));
  EXPECT_FALSE(UnambiguousFraming(
      Head({{http::field::content_length, "2"}, {http::field::content_length, "3"}})));
}

}  // namespace
}  // namespace healthtech::bff
