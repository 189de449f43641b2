#include "healthtech/trace/trace.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "healthtech/config/config.h"
#include "healthtech/log/log.h"
#include "healthtech/metrics/metrics.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace healthtech::trace {
namespace {

namespace otlp = opentelemetry::proto;

TEST(Traceparent, ReadsAndWritesTheW3CForm) {
  auto ctx = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=b");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(ctx->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx->SpanIdHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(ctx->sampled);
  EXPECT_EQ(ctx->trace_state, "a=b");
  // tracestate goes on as gRPC metadata: anything but printable ASCII is dropped.
  auto tabbed =
      ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=b,\tc=d");
  ASSERT_TRUE(tabbed.has_value());
  EXPECT_EQ(tabbed->trace_state, "");
  EXPECT_EQ(FormatTraceparent(*ctx), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto unsampled = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled.has_value());
  EXPECT_FALSE(unsampled->sampled);
  // A later version may add fields; we read the ones we know.
  EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz"));
}

TEST(Traceparent, RefusesWhatTheSpecRefuses) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero span id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // v00 is 55 chars
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // separator
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",    // not hex
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

TEST(Span, ChildrenShareTheTraceAndActivateReachesTheLogs) {
  Span root("root", Kind::kServer);
  ASSERT_TRUE(root.context().valid());
  EXPECT_TRUE(root.context().sampled);  // parent-based, always on: the default
  {
    Activate active(root.context());
    EXPECT_EQ(log::Current().trace_id, root.context().TraceIdHex());
    EXPECT_EQ(log::Current().span_id, root.context().SpanIdHex());
    Span child("child", Kind::kClient);
    EXPECT_EQ(child.context().trace_id, root.context().trace_id);
    EXPECT_NE(child.context().span_id, root.context().span_id);
  }
  EXPECT_FALSE(Current().valid());
  EXPECT_EQ(log::Current().span_id, "");
  Span other("other", Kind::kServer);
  EXPECT_NE(other.context().trace_id, root.context().trace_id);
  // A remote parent that was not sampled is followed.
  auto unsampled = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  Span follower("follower", Kind::kServer, *unsampled);
  EXPECT_FALSE(follower.context().sampled);
  EXPECT_EQ(follower.context().TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  // A root linked to events: a trace of its own, kept if any linked trace was.
  Span batch("process", Kind::kConsumer, std::vector<SpanContext>{*unsampled, root.context()});
  EXPECT_TRUE(batch.context().sampled);
  EXPECT_NE(batch.context().trace_id, root.context().trace_id);
  EXPECT_NE(batch.context().trace_id, unsampled->trace_id);
  Span quiet("process", Kind::kConsumer, std::vector<SpanContext>{*unsampled});
  EXPECT_FALSE(quiet.context().sampled);
}

// An OTLP/HTTP receiver in miniature: keeps each POSTed body.
class Receiver {
 public:
  Receiver() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Receiver() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::pair<std::string, std::string>> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    for (;;) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string buf;
      char chunk[4096];
      for (;;) {
        auto end = buf.find("\r\n\r\n");
        if (end != std::string::npos) {
          auto cl = buf.find("Content-Length: ");
          size_t n = cl == std::string::npos ? 0 : std::stoul(buf.substr(cl + 16));
          if (buf.size() >= end + 4 + n) {
            std::string head = buf.substr(0, end);
            {
              std::lock_guard lock(mu_);
              requests_.emplace_back(head, buf.substr(end + 4, n));
            }
            buf.erase(0, end + 4 + n);
            const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
            if (write(c, ok, sizeof ok - 1) < 0) break;
            continue;
          }
        }
        ssize_t got = read(c, chunk, sizeof chunk);
        if (got <= 0) break;
        buf.append(chunk, static_cast<size_t>(got));
      }
      close(c);
    }
  }
  int fd_ = -1, port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> requests_;
};

std::map<std::string, std::string> Attributes(
    const google::protobuf::RepeatedPtrField<otlp::common::v1::KeyValue>& kvs) {
  std::map<std::string, std::string> out;
  for (const auto& kv : kvs) {
    const auto& v = kv.value();
    out[kv.key()] = v.has_int_value()    ? std::to_string(v.int_value())
                    : v.has_bool_value() ? (v.bool_value() ? "true" : "false")
                                         : v.string_value();
  }
  return out;
}

// Runs last in this binary: Configure() is once per process.
TEST(Exporter, SendsFinishedSpansAsOtlpProtobufAndKeepsFailuresTheSamplerDropped) {
  Receiver receiver;
  std::map<std::string, std::string> vars = {
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=clinic-1, authorization=Basic c2VjcmV0"},
      {"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,service.name=ignored"},
      {"OTEL_BSP_SCHEDULE_DELAY", "20"},
  };
  config::EnvReader env("trace-test", [&](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
  metrics::Registry registry;
  Configure(env, "trace-test");
  ExposeMetrics(registry);
  ASSERT_TRUE(env.problems().empty());
  // Collector credentials are a secret: never in the configuration the service logs.
  EXPECT_EQ(env.redacted().at("OTEL_EXPORTER_OTLP_HEADERS").find("c2VjcmV0"), std::string::npos);

  SpanContext root_ctx, child_ctx;
  {
    Span root("GET /v1/things", Kind::kServer);
    root_ctx = root.context();
    root.Set("http.response.status_code", 200);
    Activate active(root.context());
    Span child("pg transaction", Kind::kClient);
    child_ctx = child.context();
    child.Set("db.system", "postgresql");
    child.Set("retried", false);
    child.Link(*ParseTraceparent("00-11111111111111111111111111111111-2222222222222222-01"));
  }
  auto unsampled = *ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  { Span quiet("not kept", Kind::kServer, unsampled); }
  {
    Span failed("kept because it failed", Kind::kServer, unsampled);
    failed.Error("database unavailable");
  }
  {
    // A client span's error is an ordinary answer (a 404, a 401): sampled like the rest.
    Span answered("not kept either", Kind::kClient, unsampled);
    answered.Error("NOT_FOUND");
  }
  Shutdown();

  std::vector<otlp::trace::v1::Span> spans;
  for (const auto& [head, body] : receiver.requests()) {
    EXPECT_NE(head.find("POST /v1/traces "), std::string::npos) << head;
    EXPECT_NE(head.find("Content-Type: application/x-protobuf"), std::string::npos) << head;
    EXPECT_NE(head.find("x-tenant: clinic-1"), std::string::npos) << head;
    EXPECT_NE(head.find("authorization: Basic c2VjcmV0"), std::string::npos) << head;
    otlp::collector::trace::v1::ExportTraceServiceRequest req;
    ASSERT_TRUE(req.ParseFromString(body));
    for (const auto& rs : req.resource_spans()) {
      auto resource = Attributes(rs.resource().attributes());
      EXPECT_EQ(resource["service.name"], "trace-test");
      EXPECT_EQ(resource["deployment.environment"], "test");
      for (const auto& ss : rs.scope_spans())
        for (const auto& s : ss.spans()) spans.push_back(s);
    }
  }
  ASSERT_EQ(spans.size(), 3u);
  std::map<std::string, otlp::trace::v1::Span> by_name;
  for (const auto& s : spans) by_name[s.name()] = s;
  ASSERT_EQ(by_name.count("not kept"), 0u);
  ASSERT_EQ(by_name.count("not kept either"), 0u);
  const auto& root = by_name.at("GET /v1/things");
  const auto& child = by_name.at("pg transaction");
  const auto& failed = by_name.at("kept because it failed");
  EXPECT_EQ(root.trace_id(), std::string(root_ctx.trace_id.begin(), root_ctx.trace_id.end()));
  EXPECT_EQ(root.parent_span_id(), "");
  EXPECT_EQ(root.kind(), otlp::trace::v1::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(Attributes(root.attributes())["http.response.status_code"], "200");
  EXPECT_EQ(child.trace_id(), root.trace_id());
  EXPECT_EQ(child.parent_span_id(), root.span_id());
  EXPECT_EQ(child.span_id(), std::string(child_ctx.span_id.begin(), child_ctx.span_id.end()));
  EXPECT_EQ(Attributes(child.attributes())["db.system"], "postgresql");
  EXPECT_EQ(Attributes(child.attributes())["retried"], "false");
  ASSERT_EQ(child.links_size(), 1);
  EXPECT_EQ(child.links(0).trace_id(), std::string(16, '\x11'));
  EXPECT_LE(root.start_time_unix_nano(), child.start_time_unix_nano());
  EXPECT_LE(child.end_time_unix_nano(), root.end_time_unix_nano());
  EXPECT_EQ(failed.status().code(), otlp::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(failed.status().message(), "database unavailable");
  EXPECT_EQ(failed.flags() & 1, 0u);
  EXPECT_NE(registry.Serialize().find("otel_spans_exported_total 3\n"), std::string::npos)
      << registry.Serialize();
}

}  // namespace
}  // namespace healthtech::trace
