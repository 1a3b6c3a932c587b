// buses::RuleTimer: fires EventBridge rules that have a ScheduleExpression,
// on time. One thread keeps the next due time of every enabled scheduled
// rule (schedules::next_after from the rule's last fire, or its creation),
// sleeps until the earliest, and at its time hands the rule's Scheduled
// Event to Router::fire (durable deliveries), then records the fire in
// buses.db. It wakes when a rule changes (Store::on_change), never by
// polling. After downtime a rule whose fires were missed fires once, at
// start, for the latest missed time — never a burst — then keeps its
// schedule. Time comes from a base::Clock; with a base::ScaledClock
// (nimbus serve --schedule-time-scale, a test option) schedules run faster.
// The thread and its waiting are a base::DueLoop, shared with EventBridge
// Scheduler's timer (timetable/schedule_timer.h).
//
// THREADING RULE: start() and stop() from one thread; the timer's own
// thread does every fire. upcoming() may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/due_loop.h"
#include "base/result.h"

namespace nimbus::buses {

class Store;
class Router;

class RuleTimer {
 public:
  // `scaled` may be null (real time); when set it is the clock the timer reads.
  RuleTimer(Store& store, Router& router, const base::Clock& clock, const base::ScaledClock* scaled = nullptr);
  ~RuleTimer();  // stop()
  void start();
  void stop();
  void poke();  // re-read the rules (a change)

  struct Upcoming {
    std::string rule_arn, expression;
    std::vector<int64_t> fires_ms;
  };
  // Every enabled scheduled rule with its next `n` fire times.
  std::vector<Upcoming> upcoming(size_t n) const;
  // Fires what is due now on the caller's thread; the next due time (0: none). Tests.
  int64_t run_once();

 private:
  int64_t next_due(const struct CompiledRule& rule) const;
  Store& store_;
  Router& router_;
  const base::Clock& clock_;
  base::DueLoop loop_;  // last: its thread stops before the rest goes
};

}  // namespace nimbus::buses
