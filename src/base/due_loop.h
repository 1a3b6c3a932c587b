// base::DueLoop: one thread that runs a turn at the times the turn asks for.
// turn() does whatever is due and returns when it next wants to run (ms on
// the loop's clock; 0: only when poked). The thread sleeps until then, or
// until poke() says something changed that may bring that time closer; it
// never polls. With a ScaledClock (nimbus serve --schedule-time-scale, a test
// option) the sleep is converted to real time (ScaledClock::real_ms_until),
// so a faster clock wakes the thread on that clock's time. EventBridge's
// scheduled rules (buses::RuleTimer) and EventBridge Scheduler's schedules
// (timetable::ScheduleTimer) each run on one: the waiting is the same, what
// a turn fires is theirs.
//
// THREADING RULE: start() and stop() from one thread, never from turn();
// poke() from any thread, turn() included; turn() runs on the loop's own
// thread only.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "base/clock.h"

namespace nimbus::base {

class DueLoop {
 public:
  // `scaled` may be null; when set, `clock` must be it.
  DueLoop(const Clock& clock, const ScaledClock* scaled, std::function<int64_t()> turn);
  ~DueLoop();  // stop()
  DueLoop(const DueLoop&) = delete;
  DueLoop& operator=(const DueLoop&) = delete;

  void start();
  void stop();
  void poke();

 private:
  void loop();
  const Clock& clock_;
  const ScaledClock* scaled_;
  std::function<int64_t()> turn_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false, poked_ = false;
  std::thread thread_;
};

}  // namespace nimbus::base
