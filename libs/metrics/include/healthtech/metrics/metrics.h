#pragma once
// A small Prometheus client: counters, gauges and histograms with labels, and the
// text exposition format 0.0.4. Series are created once and never freed, so callers
// may cache the reference returned by WithLabels() on hot paths.
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
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

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Cumulative counts per bound (+Inf last), sum, count.
  std::vector<uint64_t> CumulativeCounts() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1
  std::atomic<double> sum_{0.0};
  std::atomic<uint64_t> count_{0};
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
  // Prometheus text exposition format 0.0.4.
  std::string Serialize() const;

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
