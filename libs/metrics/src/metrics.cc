#include "healthtech/metrics/metrics.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace healthtech::metrics {

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) { Observe(v, {}); }

void Histogram::Observe(double v, std::string_view trace_id) {
  size_t i = 0;
  while (i < bounds_->size() && v > (*bounds_)[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (trace_id.empty()) return;
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::lock_guard lock(exemplar_mu_);
  if (exemplars_.empty()) exemplars_.resize(bounds_->size() + 1);
  exemplars_[i] = Exemplar{std::string(trace_id), v, now};
}

std::vector<Exemplar> Histogram::Exemplars() const {
  std::lock_guard lock(exemplar_mu_);
  if (exemplars_.empty()) return std::vector<Exemplar>(bounds_->size() + 1);
  return exemplars_;
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_->size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    out[i] = acc;
  }
  return out;
}

template <class T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  if (values.size() != labels_.size())
    throw std::invalid_argument("label count mismatch: " + name_);
  {
    std::shared_lock lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto& slot = series_[values];
  if (!slot) {
    if constexpr (std::is_same_v<T, Histogram>) {
      slot = std::make_unique<T>(&bounds_);
    } else {
      slot = std::make_unique<T>();
    }
  }
  return *slot;
}

template <class T>
std::vector<std::pair<std::vector<std::string>, const T*>> Family<T>::Series() const {
  std::shared_lock lock(mu_);
  std::vector<std::pair<std::vector<std::string>, const T*>> out;
  for (const auto& [k, v] : series_) out.emplace_back(k, v.get());
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
  return kBuckets;
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  auto& f = counters_.emplace_back(std::move(name), std::move(help), std::move(labels));
  order_.emplace_back(Type::kCounter, &f);
  return f;
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  auto& f = gauges_.emplace_back(std::move(name), std::move(help), std::move(labels));
  order_.emplace_back(Type::kGauge, &f);
  return f;
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> labels,
                                          std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto& f = histograms_.emplace_back(std::move(name), std::move(help), std::move(labels),
                                     std::move(bounds));
  order_.emplace_back(Type::kHistogram, &f);
  return f;
}

void Registry::OnCollect(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(fn));
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string EscapeLabel(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

namespace {

std::string EscapeHelp(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra_name = "", const std::string& extra_value = "") {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ",";
    first = false;
    out += names[i] + "=\"" + EscapeLabel(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    if (!first) out += ",";
    out += extra_name + "=\"" + extra_value + "\"";
  }
  return out + "}";
}

template <class F>
void Header(std::string& out, const F& f, const char* type) {
  out += "# HELP " + f.name() + " " + EscapeHelp(f.help()) + "\n";
  out += "# TYPE " + f.name() + " " + type + "\n";
}

}  // namespace

std::string Registry::Serialize(bool openmetrics) const {
  std::vector<std::function<void()>> collectors;
  std::vector<std::pair<Type, const void*>> order;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
    order = order_;
  }
  for (auto& c : collectors) c();
  std::string out;
  for (auto [type, ptr] : order) {
    switch (type) {
      case Type::kCounter: {
        auto& f = *static_cast<const Family<Counter>*>(ptr);
        // OpenMetrics names the family without the _total its samples carry.
        std::string family = f.name();
        if (openmetrics && family.size() > 6 && family.ends_with("_total"))
          family.resize(family.size() - 6);
        out += "# HELP " + family + " " + EscapeHelp(f.help()) + "\n";
        out += "# TYPE " + family + " counter\n";
        for (auto& [values, s] : f.Series()) {
          out += f.name() + LabelSet(f.labels(), values) + " " + FormatValue(s->Value()) + "\n";
        }
        break;
      }
      case Type::kGauge: {
        auto& f = *static_cast<const Family<Gauge>*>(ptr);
        Header(out, f, "gauge");
        for (auto& [values, s] : f.Series()) {
          out += f.name() + LabelSet(f.labels(), values) + " " + FormatValue(s->Value()) + "\n";
        }
        break;
      }
      case Type::kHistogram: {
        auto& f = *static_cast<const Family<Histogram>*>(ptr);
        Header(out, f, "histogram");
        for (auto& [values, s] : f.Series()) {
          auto counts = s->CumulativeCounts();
          std::vector<Exemplar> exemplars;
          if (openmetrics) exemplars = s->Exemplars();
          auto exemplar = [&](size_t i) -> std::string {
            if (!openmetrics || exemplars[i].trace_id.empty()) return "";
            char ts[32];
            std::snprintf(ts, sizeof ts, "%.3f", exemplars[i].timestamp);
            return " # {trace_id=\"" + EscapeLabel(exemplars[i].trace_id) + "\"} " +
                   FormatValue(exemplars[i].value) + " " + ts;
          };
          for (size_t i = 0; i < f.bounds().size(); ++i) {
            out += f.name() + "_bucket" +
                   LabelSet(f.labels(), values, "le", FormatValue(f.bounds()[i])) + " " +
                   std::to_string(counts[i]) + exemplar(i) + "\n";
          }
          out += f.name() + "_bucket" + LabelSet(f.labels(), values, "le", "+Inf") + " " +
                 std::to_string(counts.back()) + exemplar(f.bounds().size()) + "\n";
          out +=
              f.name() + "_sum" + LabelSet(f.labels(), values) + " " + FormatValue(s->Sum()) + "\n";
          out += f.name() + "_count" + LabelSet(f.labels(), values) + " " +
                 std::to_string(counts.back()) + "\n";
        }
        break;
      }
    }
  }
  if (openmetrics) out += "# EOF\n";
  return out;
}

}  // namespace healthtech::metrics
