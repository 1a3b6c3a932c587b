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

// Time that runs `scale` times faster than `real` from the moment it is
// made: schedules' test clock (nimbus serve --schedule-time-scale), so a
// rate(1 minute) rule fires every second at scale 60. Scale 1 is real time.
class ScaledClock : public Clock {
 public:
  ScaledClock(const Clock& real, double scale)
      : real_(real), scale_(scale), origin_ms_(real.now_ms()), origin_steady_(real.steady_ms()) {}
  int64_t now_ms() const override {
    return origin_ms_ + static_cast<int64_t>(static_cast<double>(real_.steady_ms() - origin_steady_) * scale_);
  }
  int64_t steady_ms() const override { return now_ms(); }
  double scale() const { return scale_; }
  // Real milliseconds until this clock shows `at` (0 when it already does).
  int64_t real_ms_until(int64_t at) const {
    int64_t d = at - now_ms();
    return d <= 0 ? 0 : static_cast<int64_t>(static_cast<double>(d) / scale_) + 1;
  }

 private:
  const Clock& real_;
  double scale_;
  int64_t origin_ms_, origin_steady_;
};

}  // namespace nimbus::base
