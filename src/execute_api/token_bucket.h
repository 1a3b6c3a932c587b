// Token buckets for throttling: a steady rate (tokens per second) refilling a
// bucket of `burst` tokens; a request takes one or is throttled. Buckets is a
// keyed set of them (per stage and method, per usage plan and key). Small and
// generic on purpose: any throttling in execute_api/ can share it.
// THREADING RULE: TokenBucket is a plain value (no locking); Buckets locks a
// mutex around its map and is safe from any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace nimbus::execute_api {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  // True when a token was taken. rate <= 0 with burst 0 refuses everything (AWS: a zero limit blocks).
  bool take(double rate, double burst, Clock::time_point now) {
    if (!started_) {
      tokens_ = burst;
      last_ = now;
      started_ = true;
    }
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst, tokens_ + elapsed * rate);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  bool started_ = false;
  double tokens_ = 0;
  Clock::time_point last_{};
};

class Buckets {
 public:
  bool take(const std::string& key, double rate, double burst) {
    std::lock_guard lock(mutex_);
    if (buckets_.size() > 100000) buckets_.clear();  // a bound, not a policy: they refill from full
    return buckets_[key].take(rate, burst, TokenBucket::Clock::now());
  }

 private:
  std::mutex mutex_;
  std::map<std::string, TokenBucket> buckets_;
};

}  // namespace nimbus::execute_api
