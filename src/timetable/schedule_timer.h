// timetable::ScheduleTimer: fires EventBridge Scheduler's schedules on time.
// One thread (a base::DueLoop, as buses::RuleTimer's) keeps the next due
// time of every enabled schedule — schedules::next_after in the schedule's
// time zone and StartDate/EndDate window, after its last fire or its last
// change — sleeps until the earliest, and at its time hands the fire to
// buses::Deliveries (durable, retried, dead-lettered: invocation.h), then
// records the fire in scheduler.db. It wakes when a schedule changes
// (Store::on_change), never by polling.
//   - FlexibleTimeWindow FLEXIBLE: the fire happens at a time within the
//     window after the due time, spread by a hash of (schedule, due time), so
//     it is the same after a restart, and before the next due time, so fires
//     keep their order; the scheduled time it reports is the due time.
//   - After downtime a schedule whose fires were missed fires once, for the
//     latest missed due time — never a burst — then keeps its schedule.
//   - ActionAfterCompletion DELETE: a schedule with nothing left to fire
//     after this one (a one-time at(), or a recurring one past its EndDate)
//     is deleted once its last fire is queued; one without an EndDate never is.
//   - UpdateSchedule is a new start: fires due before it are not caught up.
// Time comes from a base::Clock; with a base::ScaledClock (nimbus serve
// --schedule-time-scale, a test option) schedules run faster.
//
// THREADING RULE: start() and stop() from one thread; the timer's own thread
// does every fire. upcoming() may be called from any thread; run_once() is
// for tests, on the caller's thread, with the timer not started.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/due_loop.h"

namespace nimbus::buses {
class Deliveries;
}

namespace nimbus::timetable {

class Store;
struct CompiledSchedule;

class ScheduleTimer {
 public:
  // `scaled` may be null (real time); when set it is the clock the timer reads.
  ScheduleTimer(Store& store, buses::Deliveries& deliveries, const base::Clock& clock,
                const base::ScaledClock* scaled = nullptr);
  ~ScheduleTimer();  // stop()
  void start();
  void stop();
  void poke();  // re-read the schedules (a change)

  struct Upcoming {
    std::string schedule_arn, expression, time_zone;  // time_zone empty: UTC (none given)
    std::vector<int64_t> fires_ms;                    // due times
  };
  // Every enabled schedule with its next `n` due times.
  std::vector<Upcoming> upcoming(size_t n) const;
  // Fires what is due now on the caller's thread; the next time it wants to run (0: none).
  int64_t run_once();
  // When the fire due at `due_ms` happens: the due time, or later within a flexible window.
  static int64_t fire_time(const CompiledSchedule& c, int64_t due_ms);

 private:
  int64_t next_due(const CompiledSchedule& c) const;  // 0: nothing left
  // Each enabled schedule's next due time, kept while its version (the
  // store's immutable CompiledSchedule) is the same: a turn recomputes only
  // what changed or fired, so many schedules do not slow every fire down.
  // run_once()'s alone.
  struct Planned {
    std::shared_ptr<const CompiledSchedule> version;
    int64_t due = 0;
  };
  std::unordered_map<std::string, Planned> planned_;
  Store& store_;
  buses::Deliveries& deliveries_;
  const base::Clock& clock_;
  base::DueLoop loop_;  // last: its thread stops before the rest goes
};

}  // namespace nimbus::timetable
