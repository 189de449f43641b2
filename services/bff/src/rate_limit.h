#pragma once
// Token buckets shared by every BFF replica through Redis: one Lua script checks and
// takes a token from each bucket of a request (client IP, and user when signed in)
// atomically, with Redis's own clock. If Redis is unreachable the request is allowed
// (fail open) and /ready reports the BFF not ready.
#include <string>
#include <vector>

#include "asio.h"
#include "redis_async.h"

namespace healthtech::bff {

struct Bucket {
  std::string key;  // healthtech:bff:rl:ip:<ip> / healthtech:bff:rl:user:<sub>
  double rate;      // tokens per second
  double burst;     // capacity
};

struct RateDecision {
  bool allowed = true;
  bool degraded = false;   // Redis unavailable; allowed without a check
  long limit = 0;          // capacity of the tightest bucket
  long remaining = 0;      // tokens left in the tightest bucket
  long reset_seconds = 0;  // until the tightest bucket is full again
  long retry_after_seconds = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(AsyncRedis* redis);
  awaitable<RateDecision> Take(std::vector<Bucket> buckets);

 private:
  AsyncRedis* redis_;
  std::string sha_;
};

extern const char* const kTokenBucketLua;

}  // namespace healthtech::bff
