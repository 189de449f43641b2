#include "rate_limit.h"

#include <cmath>

#include <openssl/sha.h>

namespace healthtech::bff {

// KEYS = bucket keys; ARGV = rate1, burst1, rate2, burst2, ...
// Returns {allowed, limit, remaining, reset_ms, retry_after_ms} for the tightest bucket.
const char* const kTokenBucketLua = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local tokens, rates, bursts = {}, {}, {}
local allowed = 1
for i = 1, n do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local b = redis.call('HMGET', KEYS[i], 'tk', 'ts')
  local tk = tonumber(b[1])
  local ts = tonumber(b[2])
  if tk == nil or ts == nil then tk = burst; ts = now end
  tk = math.min(burst, tk + math.max(0, now - ts) * rate / 1000)
  tokens[i] = tk; rates[i] = rate; bursts[i] = burst
  if tk < 1 then allowed = 0 end
end
local tight, best = 1, nil
for i = 1, n do
  if allowed == 1 then tokens[i] = tokens[i] - 1 end
  redis.call('HSET', KEYS[i], 'tk', tostring(tokens[i]), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(bursts[i] / rates[i] * 1000) + 1000)
  local slack = tokens[i] / bursts[i]
  if best == nil or slack < best then best = slack; tight = i end
end
local tk, rate, burst = tokens[tight], rates[tight], bursts[tight]
local reset_ms = math.ceil((burst - tk) / rate * 1000)
local retry_ms = 0
if allowed == 0 then retry_ms = math.ceil((1 - tk) / rate * 1000) end
return {allowed, burst, math.floor(tk), reset_ms, retry_ms}
)lua";

namespace {

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

RateLimiter::RateLimiter(AsyncRedis* redis) : redis_(redis), sha_(Sha1Hex(kTokenBucketLua)) {}

awaitable<RateDecision> RateLimiter::Take(std::vector<Bucket> buckets) {
  RateDecision d;
  std::vector<std::string> args = {"EVALSHA", sha_, std::to_string(buckets.size())};
  for (auto& b : buckets) args.push_back(b.key);
  for (auto& b : buckets) {
    args.push_back(Num(b.rate));
    args.push_back(Num(b.burst));
  }
  auto r = co_await redis_->Command(args);
  if (r.ok() && r->type == redis::Reply::Type::kError && r->str.rfind("NOSCRIPT", 0) == 0) {
    args[0] = "EVAL";
    args[1] = kTokenBucketLua;
    r = co_await redis_->Command(args);
  }
  if (!r.ok() || r->type != redis::Reply::Type::kArray || r->elements.size() != 5) {
    d.degraded = true;
    co_return d;
  }
  d.allowed = r->elements[0].integer == 1;
  d.limit = r->elements[1].integer;
  d.remaining = std::max<long long>(0, r->elements[2].integer);
  d.reset_seconds = (r->elements[3].integer + 999) / 1000;
  d.retry_after_seconds = std::max<long long>(1, (r->elements[4].integer + 999) / 1000);
  co_return d;
}

}  // namespace healthtech::bff
