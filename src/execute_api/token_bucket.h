// Token buckets, as API Gateway throttles: a bucket holds up to `burst`
// tokens, refills at `rate` per second, and each request takes one; an
// empty bucket is a 429. RateLimiter keeps one bucket per key (an API's
// stage and route, or the account) and starts a key's bucket afresh, full,
// when its limits change. Time comes from a base::Clock (tests use a fake).
// THREADING RULE: TokenBucket is a plain value (no locking); RateLimiter
// locks one mutex per admit() and is safe from any thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "base/clock.h"

namespace nimbus::execute_api {

class TokenBucket {
 public:
  TokenBucket(double rate_per_s, double burst, int64_t now_ms)
      : rate_(std::max(rate_per_s, 0.0)), burst_(std::max(burst, 0.0)), tokens_(burst_), at_ms_(now_ms) {}

  bool take(int64_t now_ms) {
    if (now_ms > at_ms_) {
      tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_ms - at_ms_) / 1000.0);
      at_ms_ = now_ms;
    }
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  bool same_limits(double rate, double burst) const { return rate == rate_ && burst == burst_; }

 private:
  double rate_, burst_, tokens_;
  int64_t at_ms_;
};

class RateLimiter {
 public:
  explicit RateLimiter(const base::Clock& clock = base::system_clock(), size_t max_keys = 100000)
      : clock_(clock), max_keys_(max_keys) {}

  // Takes a token from `key`'s bucket; false: throttled.
  bool admit(const std::string& key, double rate_per_s, double burst) {
    int64_t now = clock_.steady_ms();
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end() || !it->second.same_limits(rate_per_s, burst)) {
      if (it == buckets_.end() && buckets_.size() >= max_keys_) buckets_.clear();  // forgets only who was full
      it = buckets_.insert_or_assign(key, TokenBucket(rate_per_s, burst, now)).first;
    }
    return it->second.take(now);
  }

 private:
  const base::Clock& clock_;
  size_t max_keys_;
  std::mutex mutex_;
  std::map<std::string, TokenBucket> buckets_;
};

}  // namespace nimbus::execute_api
