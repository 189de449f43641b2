#include "healthtech/trace/trace.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <curl/curl.h>

#include "healthtech/config/config.h"
#include "healthtech/log/log.h"
#include "healthtech/metrics/metrics.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace healthtech::trace {

struct SpanData {
  SpanContext ctx;
  std::array<uint8_t, 8> parent{};
  bool has_parent = false;
  std::string name;
  Kind kind = Kind::kInternal;
  uint64_t start_ns = 0, end_ns = 0;
  std::vector<std::pair<std::string, std::variant<std::string, int64_t, bool>>> attributes;
  bool error = false;
  std::string status_message;
  std::vector<SpanContext> links;
};

namespace {

namespace otlp = opentelemetry::proto;

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  return rng;
}

template <size_t N>
void RandomId(std::array<uint8_t, N>& out) {
  do {
    for (size_t i = 0; i < N; i += 8) {
      uint64_t v = Rng()();
      std::memcpy(out.data() + i, &v, std::min<size_t>(8, N - i));
    }
  } while (std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
}

template <size_t N>
std::string Hex(const std::array<uint8_t, N>& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(2 * N, '0');
  for (size_t i = 0; i < N; ++i) {
    s[2 * i] = kDigits[id[i] >> 4];
    s[2 * i + 1] = kDigits[id[i] & 15];
  }
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // W3C trace context is lower-case hex only
}

template <size_t N>
bool ParseHex(std::string_view s, std::array<uint8_t, N>& out) {
  if (s.size() != 2 * N) return false;
  for (size_t i = 0; i < N; ++i) {
    int hi = HexDigit(s[2 * i]), lo = HexDigit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

enum class Sampler { kAlwaysOn, kAlwaysOff, kRatio };

// Set once by ExposeMetrics (before serving); spans before that are not counted.
std::atomic<metrics::Counter*> g_exported{nullptr}, g_dropped_full{nullptr},
    g_dropped_failed{nullptr};

// "http://user:secret@host/..." -> "http://host/..." (for logs).
std::string WithoutUserinfo(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos ||
      (slash != std::string::npos && at > slash))
    return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

// One exporter per process; null until Configure() finds an endpoint.
class Exporter {
 public:
  struct Options {
    std::string url;
    std::vector<std::string> headers;
    int timeout_ms = 10000;
    int delay_ms = 5000;
    size_t max_queue = 2048;
    size_t max_batch = 512;
    std::vector<std::pair<std::string, std::string>> resource;
  };

  explicit Exporter(Options o) : o_(std::move(o)) {
    thread_ = std::thread([this] { Run(); });
  }

  ~Exporter() { Stop(3000); }

  void Enqueue(std::unique_ptr<SpanData> span) {
    {
      std::lock_guard lock(mu_);
      if (stopping_ || queue_.size() >= o_.max_queue) {
        if (auto* c = g_dropped_full.load()) c->Inc();
        return;
      }
      queue_.push_back(std::move(span));
      if (queue_.size() < o_.max_batch) return;
    }
    cv_.notify_one();
  }

  void Stop(int timeout_ms) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      stop_deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    CURL* curl = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-protobuf");
    for (const auto& h : o_.headers) headers = curl_slist_append(headers, h.c_str());
    for (;;) {
      std::vector<std::unique_ptr<SpanData>> batch;
      bool last = false;
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(o_.delay_ms),
                     [&] { return stopping_ || queue_.size() >= o_.max_batch; });
        size_t n = std::min(queue_.size(), o_.max_batch);
        for (size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        last = stopping_ && (queue_.empty() || std::chrono::steady_clock::now() > stop_deadline_);
      }
      if (!batch.empty()) Send(curl, headers, batch);
      if (last) break;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }

  void Send(CURL* curl, curl_slist* headers, const std::vector<std::unique_ptr<SpanData>>& batch) {
    otlp::collector::trace::v1::ExportTraceServiceRequest req;
    auto* rs = req.add_resource_spans();
    for (const auto& [k, v] : o_.resource) {
      auto* kv = rs->mutable_resource()->add_attributes();
      kv->set_key(k);
      kv->mutable_value()->set_string_value(v);
    }
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("healthtech");
    for (const auto& d : batch) Encode(*d, ss->add_spans());
    std::string body = req.SerializeAsString();

    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, o_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    long timeout_ms = o_.timeout_ms;
    {
      // While stopping, no send outlasts the shutdown deadline.
      std::lock_guard lock(mu_);
      if (stopping_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        stop_deadline_ - std::chrono::steady_clock::now())
                        .count();
        timeout_ms = std::clamp<long>(static_cast<long>(left), 1L, timeout_ms);
      }
    }
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void*) {
          return s * n;  // the response (an ExportTraceServiceResponse) is not needed
        });
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK && status >= 200 && status < 300) {
      if (auto* c = g_exported.load()) c->Inc(static_cast<double>(batch.size()));
      return;
    }
    if (auto* c = g_dropped_failed.load()) c->Inc(static_cast<double>(batch.size()));
    // One line per failed batch at most every 30 s: a collector that is down must not
    // flood the logs it would be reading.
    auto now = std::chrono::steady_clock::now();
    if (now - last_warned_ > std::chrono::seconds(30)) {
      last_warned_ = now;
      log::ScopedContext quiet("", "");
      log::Warn("trace_export_failed", {{"url", WithoutUserinfo(o_.url)},
                                        {"http_status", status},
                                        {"error", rc == CURLE_OK ? "" : curl_easy_strerror(rc)},
                                        {"spans", batch.size()}});
    }
  }

  static void Encode(const SpanData& d, otlp::trace::v1::Span* s) {
    s->set_trace_id(d.ctx.trace_id.data(), d.ctx.trace_id.size());
    s->set_span_id(d.ctx.span_id.data(), d.ctx.span_id.size());
    if (!d.ctx.trace_state.empty()) s->set_trace_state(d.ctx.trace_state);
    if (d.has_parent) s->set_parent_span_id(d.parent.data(), d.parent.size());
    s->set_flags(d.ctx.sampled ? 1 : 0);
    s->set_name(d.name);
    s->set_kind(static_cast<otlp::trace::v1::Span::SpanKind>(static_cast<int>(d.kind)));
    s->set_start_time_unix_nano(d.start_ns);
    s->set_end_time_unix_nano(d.end_ns);
    for (const auto& [key, value] : d.attributes) {
      auto* kv = s->add_attributes();
      kv->set_key(key);
      auto* v = kv->mutable_value();
      if (const auto* str = std::get_if<std::string>(&value)) v->set_string_value(*str);
      if (const auto* i = std::get_if<int64_t>(&value)) v->set_int_value(*i);
      if (const auto* b = std::get_if<bool>(&value)) v->set_bool_value(*b);
    }
    for (const auto& l : d.links) {
      auto* link = s->add_links();
      link->set_trace_id(l.trace_id.data(), l.trace_id.size());
      link->set_span_id(l.span_id.data(), l.span_id.size());
      link->set_flags(l.sampled ? 1 : 0);
    }
    if (d.error) {
      s->mutable_status()->set_code(otlp::trace::v1::Status::STATUS_CODE_ERROR);
      s->mutable_status()->set_message(d.status_message);
    }
  }

  Options o_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<SpanData>> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  std::chrono::steady_clock::time_point last_warned_{};
  std::thread thread_;
};

std::atomic<Exporter*> g_exporter{nullptr};
std::atomic<int> g_sampler{static_cast<int>(Sampler::kAlwaysOn)};
std::atomic<bool> g_parent_based{true};
std::atomic<uint64_t> g_ratio_bound{~uint64_t{0}};

thread_local SpanContext t_current;
std::string g_described;  // what Configure set up, for the log

bool SampleRoot(const std::array<uint8_t, 16>& trace_id) {
  switch (static_cast<Sampler>(g_sampler.load(std::memory_order_relaxed))) {
    case Sampler::kAlwaysOn:
      return true;
    case Sampler::kAlwaysOff:
      return false;
    case Sampler::kRatio: {
      uint64_t v = 0;  // the trace id's random low 8 bytes, as W3C trace context level 2
      for (size_t i = 8; i < 16; ++i) v = (v << 8) | trace_id[i];
      return v < g_ratio_bound.load(std::memory_order_relaxed);
    }
  }
  return true;
}

}  // namespace

bool SpanContext::valid() const {
  auto nonzero = [](const auto& a) {
    return std::any_of(a.begin(), a.end(), [](uint8_t b) { return b != 0; });
  };
  return nonzero(trace_id) && nonzero(span_id);
}
std::string SpanContext::TraceIdHex() const { return Hex(trace_id); }
std::string SpanContext::SpanIdHex() const { return Hex(span_id); }

std::optional<SpanContext> ParseTraceparent(std::string_view h, std::string_view tracestate) {
  // version 00 is exactly 55 characters; a later version may append fields after a '-'.
  if (h.size() < 55 || (h.size() > 55 && h[55] != '-')) return std::nullopt;
  if (h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::array<uint8_t, 1> version{}, flags{};
  SpanContext ctx;
  if (!ParseHex(h.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  if (version[0] == 0 && h.size() != 55) return std::nullopt;
  if (!ParseHex(h.substr(3, 32), ctx.trace_id) || !ParseHex(h.substr(36, 16), ctx.span_id) ||
      !ParseHex(h.substr(53, 2), flags) || !ctx.valid()) {
    return std::nullopt;
  }
  ctx.sampled = (flags[0] & 1) != 0;
  // tracestate travels on as gRPC metadata: printable ASCII only, 512 bytes at most, else
  // it is dropped (the trace is still continued).
  if (tracestate.size() <= 512 && std::all_of(tracestate.begin(), tracestate.end(),
                                              [](char c) { return c >= 0x20 && c <= 0x7e; }))
    ctx.trace_state = std::string(tracestate);
  return ctx;
}

std::string FormatTraceparent(const SpanContext& ctx) {
  return "00-" + ctx.TraceIdHex() + "-" + ctx.SpanIdHex() + (ctx.sampled ? "-01" : "-00");
}

Span::Span(std::string name, Kind kind) : Span(std::move(name), kind, t_current) {}

Span::Span(std::string name, Kind kind, const SpanContext& parent) {
  Start(std::move(name), kind, parent, std::nullopt);
}

Span::Span(std::string name, Kind kind, const std::vector<SpanContext>& links) {
  std::optional<bool> sampled;
  for (const auto& l : links)
    if (l.valid()) sampled = sampled.value_or(false) || l.sampled;
  Start(std::move(name), kind, SpanContext{}, sampled);
  for (const auto& l : links) Link(l);
}

void Span::Start(std::string name, Kind kind, const SpanContext& parent,
                 std::optional<bool> sampled_by_links) {
  const bool child = parent.valid();
  if (child) {
    ctx_.trace_id = parent.trace_id;
    ctx_.trace_state = parent.trace_state;
  } else {
    RandomId(ctx_.trace_id);
  }
  RandomId(ctx_.span_id);
  if (child && g_parent_based.load(std::memory_order_relaxed)) {
    ctx_.sampled = parent.sampled;
  } else if (!child && sampled_by_links) {
    ctx_.sampled = *sampled_by_links;
  } else {
    ctx_.sampled = SampleRoot(ctx_.trace_id);
  }
  if (g_exporter.load(std::memory_order_acquire) == nullptr) return;
  data_ = std::make_unique<SpanData>();
  data_->ctx = ctx_;
  data_->has_parent = child;
  if (child) data_->parent = parent.span_id;
  data_->name = std::move(name);
  data_->kind = kind;
  data_->start_ns = NowNs();
}

Span::Span() = default;
Span::~Span() { End(); }

Span::Span(Span&& other) noexcept : ctx_(std::move(other.ctx_)), data_(std::move(other.data_)) {}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    End();
    ctx_ = std::move(other.ctx_);
    data_ = std::move(other.data_);
  }
  return *this;
}

void Span::SetName(std::string name) {
  if (data_) data_->name = std::move(name);
}
void Span::Set(std::string_view key, std::string_view value) {
  if (data_) data_->attributes.emplace_back(std::string(key), std::string(value));
}
void Span::Set(std::string_view key, int64_t value) {
  if (data_) data_->attributes.emplace_back(std::string(key), value);
}
void Span::Set(std::string_view key, bool value) {
  if (data_) data_->attributes.emplace_back(std::string(key), value);
}
void Span::Error(std::string_view message) {
  if (!data_) return;
  data_->error = true;
  data_->status_message = std::string(message.substr(0, 256));
}
void Span::Link(const SpanContext& other) {
  if (data_ && other.valid() && data_->links.size() < 32) data_->links.push_back(other);
}

void Span::End() {
  if (!data_) return;
  std::unique_ptr<SpanData> d = std::move(data_);
  // Head sampling decides, except that a server's failure is always kept. A client span's
  // error (a 404 or 401 it was answered) is an ordinary outcome, which callers control the
  // rate of: those follow the sampler like any span.
  if (!d->ctx.sampled && !(d->error && d->kind == Kind::kServer)) return;
  d->end_ns = NowNs();
  if (Exporter* e = g_exporter.load(std::memory_order_acquire)) e->Enqueue(std::move(d));
}

const SpanContext& Current() { return t_current; }

std::optional<std::string> CurrentTraceparent() {
  if (!t_current.valid()) return std::nullopt;
  return FormatTraceparent(t_current);
}

std::optional<Span> FollowsFrom(std::string name, Kind kind, std::string_view traceparent) {
  auto origin = ParseTraceparent(traceparent);
  if (!origin) return std::nullopt;
  return std::optional<Span>(std::in_place, std::move(name), kind,
                             std::vector<SpanContext>{*origin});
}

Activate::Activate(const SpanContext& ctx) : saved_(t_current) {
  t_current = ctx;
  auto& lc = log::Current();
  saved_log_trace_ = std::exchange(lc.trace_id, ctx.valid() ? ctx.TraceIdHex() : "");
  saved_log_span_ = std::exchange(lc.span_id, ctx.valid() ? ctx.SpanIdHex() : "");
}

Activate::~Activate() {
  t_current = std::move(saved_);
  auto& lc = log::Current();
  lc.trace_id = std::move(saved_log_trace_);
  lc.span_id = std::move(saved_log_span_);
}

void Configure(config::EnvReader& env, const std::string& service_name) {
  std::string sampler =
      env.OneOf("OTEL_TRACES_SAMPLER", "parentbased_always_on",
                {"always_on", "always_off", "traceidratio", "parentbased_always_on",
                 "parentbased_always_off", "parentbased_traceidratio"});
  g_parent_based = sampler.rfind("parentbased_", 0) == 0;
  std::string root = g_parent_based ? sampler.substr(12) : sampler;
  if (root == "always_off") {
    g_sampler = static_cast<int>(Sampler::kAlwaysOff);
  } else if (root == "traceidratio") {
    std::string arg = env.String("OTEL_TRACES_SAMPLER_ARG", "1.0");
    double ratio = 1.0;
    try {
      size_t used = 0;
      ratio = std::stod(arg, &used);
      if (used != arg.size() || ratio < 0 || ratio > 1) throw std::invalid_argument(arg);
    } catch (const std::exception&) {
      env.Fail("OTEL_TRACES_SAMPLER_ARG", "must be a number from 0 to 1");
    }
    g_sampler = static_cast<int>(Sampler::kRatio);
    g_ratio_bound = ratio >= 1.0 ? ~uint64_t{0} : static_cast<uint64_t>(ratio * 0x1p64);
  } else {
    g_sampler = static_cast<int>(Sampler::kAlwaysOn);
  }

  std::string exporter = env.OneOf("OTEL_TRACES_EXPORTER", "otlp", {"otlp", "none"});
  env.OneOf("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", {"http/protobuf"});
  std::string base = env.String("OTEL_EXPORTER_OTLP_ENDPOINT", "");
  std::string url = env.String("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "");
  if (url.empty() && !base.empty()) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    url = base + "/v1/traces";
  }
  Exporter::Options o;
  o.url = url;
  o.timeout_ms = env.Int("OTEL_EXPORTER_OTLP_TIMEOUT", 10000, 1, 600000);
  o.delay_ms = env.Int("OTEL_BSP_SCHEDULE_DELAY", 5000, 1, 600000);
  o.max_queue = static_cast<size_t>(env.Int("OTEL_BSP_MAX_QUEUE_SIZE", 2048, 1, 1 << 20));
  o.max_batch = static_cast<size_t>(env.Int("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, 1, 1 << 20));
  if (o.max_batch > o.max_queue) o.max_batch = o.max_queue;
  // "key=value,key=value" (values percent-encoded by the spec; ours never need decoding).
  auto pairs = [](const std::vector<std::string>& items) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : items) {
      auto eq = item.find('=');
      if (eq != std::string::npos && eq > 0)
        out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    return out;
  };
  // Headers carry credentials (a collector's API key): read as a secret, never logged.
  for (const auto& [k, v] : pairs(env.List("OTEL_EXPORTER_OTLP_HEADERS", "", /*secret=*/true)))
    o.headers.push_back(k + ": " + v);
  std::string name = env.String("OTEL_SERVICE_NAME", service_name);
  o.resource.emplace_back("service.name", name);
  for (auto& kv : pairs(env.List("OTEL_RESOURCE_ATTRIBUTES", "")))
    if (kv.first != "service.name") o.resource.push_back(std::move(kv));

  if (exporter == "none" || url.empty() || g_exporter.load() != nullptr) return;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_described = "endpoint " + WithoutUserinfo(url) + ", sampler " + sampler;
  g_exporter.store(new Exporter(std::move(o)), std::memory_order_release);
}

void ExposeMetrics(metrics::Registry& registry) {
  // Logged here, not in Configure: logging is set up by now (service name, level).
  if (g_exporter.load() != nullptr) log::Info("tracing_enabled", {{"export", g_described}});
  // Exposed (at 0) without an exporter too: dashboards and alerts read one shape everywhere.
  auto& dropped =
      registry.AddCounter("otel_spans_dropped_total",
                          "Spans not sent: queue full or the collector refused", {"reason"});
  g_dropped_full = &dropped.WithLabels({"queue_full"});
  g_dropped_failed = &dropped.WithLabels({"export_failed"});
  g_exported =
      &registry.AddCounter("otel_spans_exported_total", "Spans sent to the trace collector")
           .WithLabels({});
}

void Shutdown(int timeout_ms) {
  // The exporter is stopped but not freed: a span ending on another thread may still
  // reach it (and is dropped), never a freed object.
  if (Exporter* e = g_exporter.load(std::memory_order_acquire)) e->Stop(timeout_ms);
}

}  // namespace healthtech::trace
