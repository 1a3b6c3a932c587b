// Clock: the one seam for "what time is it" and "wake me at". Production code
// takes a Clock& (system_clock() by default); unit tests pass a FakeClock and
// move time by hand, so retries, maximum ages, leases and timeouts are tested
// without sleeping.
// Threading: SystemClock is stateless; FakeClock is safe to read and advance
// from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace nimbus::base {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_ms() const = 0;   // wall clock, ms since the epoch
  virtual int64_t steady_ms() const = 0;  // monotonic, ms since an arbitrary origin
};

// The real clocks (base/time.h's now_ms and std::chrono::steady_clock).
const Clock& system_clock();

class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  int64_t now_ms() const override { return now_.load(); }
  int64_t steady_ms() const override { return now_.load(); }
  void advance_ms(int64_t ms) { now_.fetch_add(ms); }
  void set_ms(int64_t ms) { now_.store(ms); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace nimbus::base
