// The lifecycle sweeper: applies every bucket's lifecycle rules
// (s3/lifecycle.h) in the background, as S3 does once a day — expiring
// objects by age or date (LifecycleExpiration:Delete, or DeleteMarkerCreated
// in a versioned bucket), noncurrent versions and lone delete markers, and
// aborting multipart uploads left incomplete. A day is 86400 s; serve's
// --lifecycle-day-seconds shortens it for tests only (documented as such).
//
// THREADING RULE: start() spawns one thread that owns the sweeps; stop()
// (any thread, idempotent, also run by the destructor) wakes and joins it.
// sweep_once() may be called from any thread while the thread is not running.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "storage/types.h"

namespace nimbus::storage {
class Store;
}

namespace nimbus::s3 {

struct SweeperOptions {
  int64_t day_ms = 86400000;       // the length of a lifecycle "day"
  int64_t interval_ms = 3600000;   // how often the rules are applied
};

struct SweepCounts {
  int64_t expired = 0;
  int64_t aborted_uploads = 0;
};

struct LifecycleRule;

class LifecycleSweeper {
 public:
  LifecycleSweeper(storage::Store& store, SweeperOptions options);
  ~LifecycleSweeper();
  LifecycleSweeper(const LifecycleSweeper&) = delete;
  LifecycleSweeper& operator=(const LifecycleSweeper&) = delete;

  void start();
  void stop();
  SweepCounts sweep_once(int64_t now_ms);

 private:
  void run();
  void expire_current(const std::string& bucket, const LifecycleRule& rule, int64_t now_ms, SweepCounts& counts);
  void expire_versions(const std::string& bucket, const LifecycleRule& rule, int64_t now_ms, SweepCounts& counts);
  void abort_uploads(const std::string& bucket, const LifecycleRule& rule, int64_t now_ms, SweepCounts& counts);
  static storage::RequestContext context();
  storage::Store& store_;
  SweeperOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nimbus::s3
