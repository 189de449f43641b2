#pragma once
// Distributed tracing: W3C trace context, spans, and an OTLP/HTTP (protobuf) exporter.
//
//   trace::Span span("appointment book", trace::Kind::kInternal);  // child of Current()
//   span.Set("appointment.mode", "video");
//   if (!st.ok()) span.Error(st.message());
//
// A span always has a context (ids to propagate and to log); it is recorded only when an
// exporter is configured (Configure) and the sampler keeps it. A span the sampler dropped
// is still exported when it ends in error, so failures are never invisible. Nothing here
// blocks the caller on the network: finished spans go to a bounded queue that a background
// thread sends in batches; a full queue drops spans and counts them.
//
// The standard variables configure it: OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT,
// OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf), OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, OTEL_TRACES_EXPORTER (otlp | none),
// OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace healthtech::config {
class EnvReader;
}
namespace healthtech::metrics {
class Registry;
}

namespace healthtech::trace {

struct SpanContext {
  std::array<uint8_t, 16> trace_id{};
  std::array<uint8_t, 8> span_id{};
  bool sampled = false;
  std::string trace_state;

  bool valid() const;
  std::string TraceIdHex() const;
  std::string SpanIdHex() const;
};

// "00-<32 hex>-<16 hex>-<2 hex>"; nullopt for anything else, all-zero ids included.
std::optional<SpanContext> ParseTraceparent(std::string_view header,
                                            std::string_view tracestate = {});
std::string FormatTraceparent(const SpanContext& ctx);

enum class Kind { kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5 };

struct SpanData;

class Span {
 public:
  Span();  // no span at all: every call is a no-op, context() is invalid
  // A child of the thread's current span (Current()), or a new trace's root.
  Span(std::string name, Kind kind);
  // A child of `parent` (a remote parent from traceparent, say); a root if it is invalid.
  Span(std::string name, Kind kind, const SpanContext& parent);
  // A new trace's root linked to each of `links` (the events a batch handles, say), sampled
  // if any of them was, so linked traces are kept or dropped together.
  Span(std::string name, Kind kind, const std::vector<SpanContext>& links);
  ~Span();
  Span(Span&& other) noexcept;
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  const SpanContext& context() const { return ctx_; }
  bool recording() const { return data_ != nullptr; }
  // Whether ending it now exports it (recorded and sampled): the test for a trace id worth
  // linking to, as a metric's exemplar say.
  bool exported() const { return data_ != nullptr && ctx_.sampled; }

  void SetName(std::string name);
  void Set(std::string_view key, std::string_view value);
  void Set(std::string_view key, const char* value) { Set(key, std::string_view(value)); }
  void Set(std::string_view key, int64_t value);
  void Set(std::string_view key, int value) { Set(key, static_cast<int64_t>(value)); }
  void Set(std::string_view key, bool value);
  // Marks the span failed (status ERROR) with a short description (never PHI).
  void Error(std::string_view message);
  // A causal link to another trace's span (a consumed event's producer, say).
  void Link(const SpanContext& other);
  // Ends the span (the destructor does it too); later calls are no-ops.
  void End();

 private:
  void Start(std::string name, Kind kind, const SpanContext& parent,
             std::optional<bool> sampled_by_links);

  SpanContext ctx_;
  std::unique_ptr<SpanData> data_;
};

// The thread's current span context (invalid when none). Activate makes `ctx` current for
// its scope, and puts its trace and span ids on every log line written meanwhile.
const SpanContext& Current();
class Activate {
 public:
  explicit Activate(const SpanContext& ctx);
  ~Activate();
  Activate(const Activate&) = delete;
  Activate& operator=(const Activate&) = delete;

 private:
  SpanContext saved_;
  std::string saved_log_trace_, saved_log_span_;
};

// Work queued now and done later (a message to send, a callback to post): store
// CurrentTraceparent() with it (nullopt outside a trace); whoever does the work opens its
// span with FollowsFrom(): a new trace's root linked to the stored context, or no span when
// there is none (work queued outside a request is not traced, like the polls that find it).
std::optional<std::string> CurrentTraceparent();
std::optional<Span> FollowsFrom(std::string name, Kind kind, std::string_view traceparent);

// Reads the OTEL_* variables above (problems go to `env`, reported by env.Finish()). With
// no endpoint, or OTEL_TRACES_EXPORTER=none, spans keep their ids for propagation and logs
// but nothing is recorded. `service_name` is the default for OTEL_SERVICE_NAME.
void Configure(config::EnvReader& env, const std::string& service_name);
// Adds otel_spans_exported_total and otel_spans_dropped_total{reason} to `registry`.
void ExposeMetrics(metrics::Registry& registry);
// Sends what is queued (waiting up to `timeout_ms`) and stops the exporter thread.
void Shutdown(int timeout_ms = 3000);

}  // namespace healthtech::trace
