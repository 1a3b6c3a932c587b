// TtlCache<V>: a small key -> value cache whose entries expire after their
// own time to live, read through a base::Clock (tests move a FakeClock). At
// most `max_entries` are kept: a put into a full cache first drops what has
// expired, then the entry closest to expiring. Used for Lambda authorizers'
// results (keyed by the identity sources' values) and for issuers' JWKS.
// THREADING RULE: every method locks one mutex; safe from any thread. Values
// are copied out, so keep V cheap to copy (a shared_ptr for big ones).
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/clock.h"

namespace nimbus::execute_api {

template <typename V>
class TtlCache {
 public:
  explicit TtlCache(const base::Clock& clock, size_t max_entries = 10000) : clock_(clock), max_(max_entries) {}

  std::optional<V> get(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (it->second.expires_ms <= clock_.steady_ms()) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  void put(const std::string& key, V value, int64_t ttl_ms) {
    if (ttl_ms <= 0 || max_ == 0) return;
    std::lock_guard lock(mutex_);
    int64_t now = clock_.steady_ms();
    if (entries_.size() >= max_ && !entries_.count(key)) {
      for (auto it = entries_.begin(); it != entries_.end();)
        it = it->second.expires_ms <= now ? entries_.erase(it) : std::next(it);
      if (entries_.size() >= max_) {
        auto soonest = entries_.begin();
        for (auto it = entries_.begin(); it != entries_.end(); ++it)
          if (it->second.expires_ms < soonest->second.expires_ms) soonest = it;
        entries_.erase(soonest);
      }
    }
    entries_[key] = Entry{now + ttl_ms, std::move(value)};
  }

  void erase(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
  }

  size_t size() {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  struct Entry {
    int64_t expires_ms;
    V value;
  };
  const base::Clock& clock_;
  size_t max_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace nimbus::execute_api
