#include "healthtech/metrics/metrics.h"

#include <gtest/gtest.h>

namespace healthtech::metrics {
namespace {

TEST(Registry, SerializesCountersWithEscapedLabels) {
  Registry r;
  auto& c = r.AddCounter("grpc_requests_total", "Total RPCs", {"service", "method", "code"});
  c.WithLabels({"iam-service", "Login", "OK"}).Inc();
  c.WithLabels({"iam-service", "Login", "OK"}).Inc(2);
  c.WithLabels({"iam\"x", "a\\b", "line\nbreak"}).Inc();
  std::string text = r.Serialize();
  EXPECT_NE(text.find("# TYPE grpc_requests_total counter\n"), std::string::npos);
  EXPECT_NE(
      text.find("grpc_requests_total{service=\"iam-service\",method=\"Login\",code=\"OK\"} 3\n"),
      std::string::npos);
  EXPECT_NE(text.find("service=\"iam\\\"x\",method=\"a\\\\b\",code=\"line\\nbreak\""),
            std::string::npos);
}

TEST(Histogram, BucketsAreCumulativeAndEndInInf) {
  Registry r;
  auto& h = r.AddHistogram("d_seconds", "d", {"m"}, {0.1, 1.0});
  auto& s = h.WithLabels({"x"});
  s.Observe(0.05);
  s.Observe(0.5);
  s.Observe(5);
  std::string text = r.Serialize();
  EXPECT_NE(text.find("d_seconds_bucket{m=\"x\",le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{m=\"x\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_bucket{m=\"x\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_count{m=\"x\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("d_seconds_sum{m=\"x\"} 5.55"), std::string::npos);
}

TEST(Gauge, CollectorsRunBeforeScrape) {
  Registry r;
  auto& g = r.AddGauge("active_database_connections", "open", {"service"});
  int calls = 0;
  r.OnCollect([&] { g.WithLabels({"iam-service"}).Set(++calls * 4); });
  EXPECT_NE(r.Serialize().find("active_database_connections{service=\"iam-service\"} 4"),
            std::string::npos);
  EXPECT_NE(r.Serialize().find("active_database_connections{service=\"iam-service\"} 8"),
            std::string::npos);
}

TEST(FormatValue, ShortestRoundTrip) {
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
}

TEST(Family, RejectsWrongLabelCount) {
  Registry r;
  auto& c = r.AddCounter("x_total", "x", {"a"});
  EXPECT_THROW(c.WithLabels({"1", "2"}), std::invalid_argument);
}

TEST(OpenMetrics, HistogramBucketsCarryTheirLatestExemplar) {
  Registry r;
  r.AddCounter("grpc_requests_total", "Total RPCs", {"code"}).WithLabels({"OK"}).Inc(3);
  auto& h = r.AddHistogram("http_request_duration_seconds", "Latency", {"route"}, {0.1, 1.0});
  auto& s = h.WithLabels({"/v1/me"});
  s.Observe(0.05, "4bf92f3577b34da6a3ce929d0e0e4736");
  s.Observe(0.07, "00f067aa0ba902b700f067aa0ba902b7");  // the latest wins
  s.Observe(0.5);                                       // no trace: no exemplar
  s.Observe(7, "11111111111111111111111111111111");
  std::string om = r.Serialize(true);
  // Counters: the family is named without _total, its sample with it.
  EXPECT_NE(om.find("# TYPE grpc_requests counter\ngrpc_requests_total{code=\"OK\"} 3\n"),
            std::string::npos)
      << om;
  EXPECT_NE(om.find("http_request_duration_seconds_bucket{route=\"/v1/me\",le=\"0.1\"} 2 # "
                    "{trace_id=\"00f067aa0ba902b700f067aa0ba902b7\"} 0.07 "),
            std::string::npos)
      << om;
  EXPECT_NE(om.find("http_request_duration_seconds_bucket{route=\"/v1/me\",le=\"1\"} 3\n"),
            std::string::npos)
      << om;
  EXPECT_NE(om.find("le=\"+Inf\"} 4 # {trace_id=\"11111111111111111111111111111111\"} 7 "),
            std::string::npos)
      << om;
  EXPECT_TRUE(om.ends_with("# EOF\n"));
  // The classic text format stays as it was: no exemplars, no EOF, counters named in full.
  std::string text = r.Serialize();
  EXPECT_EQ(text.find(" # {"), std::string::npos);
  EXPECT_EQ(text.find("# EOF"), std::string::npos);
  EXPECT_NE(text.find("# TYPE grpc_requests_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace healthtech::metrics
