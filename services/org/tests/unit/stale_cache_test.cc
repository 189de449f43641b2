#include "healthtech/org/domain/stale_cache.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace healthtech::org {
namespace {

using namespace std::chrono_literals;
using Cache = StaleCache<int>;

TEST(StaleCache, AFreshValueIsComputedOncePerTtl) {
  Cache cache(30s, 10);
  const auto t0 = Cache::Clock::time_point{} + 1h;
  int calls = 0;
  auto compute = [&] { return ++calls; };
  EXPECT_EQ(cache.Get("k", compute, t0), 1);
  EXPECT_EQ(cache.Get("k", compute, t0 + 29s), 1);
  EXPECT_EQ(cache.Get("other", compute, t0 + 29s), 2);  // keys apart
  EXPECT_EQ(cache.Get("k", compute, t0 + 31s), 3);      // expired: computed again
  EXPECT_EQ(cache.Get("k", compute, t0 + 40s), 3);
  EXPECT_EQ(calls, 3);
}

TEST(StaleCache, OthersGetTheOldValueWhileOneComputesTheNext) {
  Cache cache(30s, 10);
  const auto t0 = Cache::Clock::time_point{} + 1h;
  EXPECT_EQ(cache.Get(
                "k", [] { return 1; }, t0),
            1);
  int seen_meanwhile = 0;
  const int next = cache.Get(
      "k",
      [&] {
        // While this caller computes, another asking for the expired key is not made to wait
        // or to compute too: it gets the old value.
        seen_meanwhile = cache.Get(
            "k", [] { return -1; }, t0 + 31s);
        return 2;
      },
      t0 + 31s);
  EXPECT_EQ(seen_meanwhile, 1);
  EXPECT_EQ(next, 2);
  EXPECT_EQ(cache.Get(
                "k", [] { return -1; }, t0 + 32s),
            2);
}

TEST(StaleCache, AFailureStoresNothingAndTheNextCallerTries) {
  Cache cache(30s, 10);
  const auto t0 = Cache::Clock::time_point{} + 1h;
  EXPECT_THROW(cache.Get(
                   "k", []() -> int { throw std::runtime_error("db down"); }, t0),
               std::runtime_error);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Get(
                "k", [] { return 1; }, t0),
            1);
  // An expired value whose refresh fails stays, and is refreshed by the next caller.
  EXPECT_THROW(cache.Get(
                   "k", []() -> int { throw std::runtime_error("db down"); }, t0 + 31s),
               std::runtime_error);
  EXPECT_EQ(cache.Get(
                "k", [] { return 2; }, t0 + 32s),
            2);
}

TEST(StaleCache, StaysWithinItsCapacity) {
  Cache cache(30s, 3);
  const auto t0 = Cache::Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i)
    cache.Get(
        "k" + std::to_string(i), [&] { return i; }, t0);
  cache.Get(
      "late", [] { return 9; }, t0 + 10s);  // none expired: all go
  EXPECT_EQ(cache.size(), 1u);
  cache.Get(
      "a", [] { return 1; }, t0 + 20s);
  cache.Get(
      "b", [] { return 2; }, t0 + 20s);
  cache.Get(
      "c", [] { return 3; }, t0 + 45s);  // "late" expired at 40 s: only it goes
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.Get(
                "a", [] { return -1; }, t0 + 45s),
            1);
}

TEST(StaleCache, ATtlOfZeroCachesNothing) {
  Cache cache(0ms, 10);
  int calls = 0;
  cache.Get("k", [&] { return ++calls; });
  cache.Get("k", [&] { return ++calls; });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace healthtech::org
