#pragma once
// Answers that may be a little old, computed once per `ttl` per key however many ask (search's
// facets: counting every match of a broad search costs hundreds of milliseconds at national
// scale, and the search page asks for the same counts for everyone who lands on it).
//
// A fresh value is served as is. An expired one is still served while one caller — the first
// to find it expired — computes the next (no stampede when a popular key expires under load).
// A key never seen is computed by each caller that asks before the first value is stored. A
// failed computation stores nothing and lets the next caller try. At most `capacity` keys:
// when full, the expired go, then all. A ttl of zero caches nothing.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace healthtech::org {

template <class V>
class StaleCache {
 public:
  using Clock = std::chrono::steady_clock;

  StaleCache(std::chrono::milliseconds ttl, std::size_t capacity)
      : ttl_(ttl), capacity_(capacity) {}

  template <class Compute>
  V Get(const std::string& key, Compute&& compute, Clock::time_point now = Clock::now()) {
    if (ttl_.count() <= 0) return compute();
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(key);
      if (it != entries_.end()) {
        Entry& e = it->second;
        if (now - e.at < ttl_ || e.refreshing) return e.value;
        e.refreshing = true;  // this caller computes the next value; the others get this one
      }
    }
    std::optional<V> value;
    try {
      value.emplace(compute());
    } catch (...) {
      std::lock_guard lock(mu_);
      if (auto it = entries_.find(key); it != entries_.end()) it->second.refreshing = false;
      throw;
    }
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= capacity_) Evict(now);
      entries_.emplace(key, Entry{*value, now, false});
    } else {
      it->second = Entry{*value, now, false};
    }
    return std::move(*value);
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    V value;
    Clock::time_point at;
    bool refreshing = false;
  };

  void Evict(Clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();)
      it = now - it->second.at >= ttl_ && !it->second.refreshing ? entries_.erase(it)
                                                                 : std::next(it);
    if (entries_.size() >= capacity_) entries_.clear();
  }

  const std::chrono::milliseconds ttl_;
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace healthtech::org
