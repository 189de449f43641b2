#pragma once
// A small Prometheus client: counters, gauges and histograms with labels, in the text
// exposition format 0.0.4 or OpenMetrics 1.0 (which carries histogram exemplars: the trace
// of a request that fell in a bucket, so a latency spike in Grafana links to a trace). Series are
// created once and never freed, so callers may cache the reference returned by WithLabels() on hot
// paths.
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace healthtech::metrics {

class Counter {
 public:
  void Inc(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1.0) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Dec(double v = 1.0) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

struct Exemplar {
  std::string trace_id;  // empty: none
  double value = 0;
  double timestamp = 0;  // Unix seconds
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Also keeps `trace_id` as the exemplar of v's bucket (the latest one per bucket).
  void Observe(double v, std::string_view trace_id);
  // The exemplar of each bucket (+Inf last).
  std::vector<Exemplar> Exemplars() const;
  // Cumulative counts per bound (+Inf last), sum, count.
  std::vector<uint64_t> CumulativeCounts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1
  std::atomic<double> sum_{0.0};
  std::atomic<uint64_t> count_{0};
  mutable std::mutex exemplar_mu_;
  std::vector<Exemplar> exemplars_;  // empty until the first exemplar
};

enum class Type { kCounter, kGauge, kHistogram };

// A metric name with its label names and one series per label-value tuple.
template <class T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        bounds_(std::move(bounds)) {}
  // Values must match the label names in count.
  T& WithLabels(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& labels() const { return labels_; }
  const std::vector<double>& bounds() const { return bounds_; }
  // Snapshot of (label values, series) pairs.
  std::vector<std::pair<std::vector<std::string>, const T*>> Series() const;

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> series_;
};

// Default latency buckets in seconds (0.5 ms … 10 s).
const std::vector<double>& DefaultLatencyBuckets();

class Registry {
 public:
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> labels = {});
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> labels,
                                  std::vector<double> bounds = DefaultLatencyBuckets());
  // Called before each scrape (e.g. to refresh gauges).
  void OnCollect(std::function<void()> fn);
  // Prometheus text exposition format 0.0.4, or OpenMetrics 1.0 with exemplars (ends "# EOF").
  std::string Serialize(bool openmetrics = false) const;

 private:
  mutable std::mutex mu_;
  std::deque<Family<Counter>> counters_;
  std::deque<Family<Gauge>> gauges_;
  std::deque<Family<Histogram>> histograms_;
  std::vector<std::pair<Type, const void*>> order_;
  std::vector<std::function<void()>> collectors_;
};

// Formats a sample value the way Prometheus parses it ("+Inf", "NaN", shortest exact).
std::string FormatValue(double v);
// Escapes a label value (backslash, double quote, newline).
std::string EscapeLabel(const std::string& v);

}  // namespace healthtech::metrics
