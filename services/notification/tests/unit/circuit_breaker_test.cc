#include <gtest/gtest.h>

#include "channels.h"

namespace healthtech::notification {
namespace {

using namespace std::chrono_literals;
using Clock = CircuitBreaker::Clock;

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndTriesOnceWhenTheWindowEnds) {
  CircuitBreaker b(3, 1000ms);
  auto t = Clock::time_point{} + 1h;
  b.Record(false, t);
  b.Record(false, t);
  b.Record(true, t);  // a success resets the count
  b.Record(false, t);
  b.Record(false, t);
  EXPECT_TRUE(b.Allow(t));
  EXPECT_FALSE(b.open(t));
  b.Record(false, t);  // third in a row
  EXPECT_TRUE(b.open(t));
  EXPECT_FALSE(b.Allow(t + 999ms));
  // Half-open: one trial, the others wait for its outcome.
  EXPECT_TRUE(b.Allow(t + 1001ms));
  EXPECT_FALSE(b.Allow(t + 1002ms));
  b.Record(false, t + 1100ms);  // the trial failed: open again for a full window
  EXPECT_FALSE(b.Allow(t + 2000ms));
  EXPECT_TRUE(b.Allow(t + 2101ms));
  b.Record(true, t + 2200ms);  // the trial worked: closed
  EXPECT_FALSE(b.open(t + 2200ms));
  EXPECT_TRUE(b.Allow(t + 2200ms));
  EXPECT_TRUE(b.Allow(t + 2200ms));
}

}  // namespace
}  // namespace healthtech::notification
