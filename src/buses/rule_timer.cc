#include "buses/rule_timer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "buses/deliveries.h"
#include "buses/router.h"
#include "buses/store.h"

namespace nimbus::buses {

namespace {

schedules::Time to_time(int64_t ms) { return schedules::Time{std::chrono::milliseconds(ms)}; }
int64_t to_ms(schedules::Time t) { return t.time_since_epoch().count(); }

}  // namespace

RuleTimer::RuleTimer(Store& store, Router& router, const base::Clock& clock, const base::ScaledClock* scaled)
    : store_(store), router_(router), clock_(scaled ? *scaled : clock), loop_(clock_, scaled, [this] { return run_once(); }) {}

RuleTimer::~RuleTimer() { stop(); }

void RuleTimer::start() { loop_.start(); }
void RuleTimer::stop() { loop_.stop(); }
void RuleTimer::poke() { loop_.poke(); }

// The rule's next fire: after its last fire, or after its creation (rate()
// counts from there; a cron() rule created at 10:00:30 next fires at its
// first match after that). 0: none left.
int64_t RuleTimer::next_due(const CompiledRule& c) const {
  auto ev = schedules::for_rule(to_time(c.rule.created_ms));
  int64_t after = store_.last_fired(c.rule.arn).value_or(c.rule.created_ms);
  auto next = schedules::next_after(*c.schedule, to_time(after), ev);
  return next ? to_ms(*next) : 0;
}

int64_t RuleTimer::run_once() {
  int64_t now = clock_.now_ms();
  int64_t earliest = 0;
  // Every rule due now fires in one enqueue and one record of the fires:
  // twenty rules on the same minute cost one fsync each, not twenty.
  std::vector<Delivery> deliveries;
  std::vector<std::pair<std::string, int64_t>> fires;
  std::vector<std::shared_ptr<const CompiledRule>> fired;
  for (const auto& rule : store_.scheduled()) {
    int64_t due = next_due(*rule);
    if (due == 0) continue;
    if (due > now) {
      earliest = earliest == 0 ? due : std::min(earliest, due);
      continue;
    }
    // Missed fires (downtime) collapse into this one: the latest due time not after now.
    auto ev = schedules::for_rule(to_time(rule->rule.created_ms));
    int64_t latest = to_ms(schedules::latest_not_after(*rule->schedule, to_time(due - 1), to_time(now), ev)
                               .value_or(to_time(due)));
    router_.scheduled_deliveries(*rule, latest, deliveries);
    fires.emplace_back(rule->rule.arn, latest);
    fired.push_back(rule);
  }
  if (fires.empty()) return earliest;
  if (auto s = router_.enqueue(std::move(deliveries)); !s) {
    spdlog::warn("events: {} scheduled rules could not fire: {}", fires.size(), s.error().message);
    int64_t retry = now + 1000;  // try again shortly; the fires' ids keep a retry from doubling them
    return earliest == 0 ? retry : std::min(earliest, retry);
  }
  if (auto s = store_.set_last_fired(fires); !s) {
    // Unrecorded, they are due again: the next turn after a pause re-queues the same ids, not a hot loop.
    spdlog::warn("events: {} scheduled rules fired, but their fires could not be recorded: {}", fires.size(),
                 s.error().message);
    int64_t retry = now + 1000;
    return earliest == 0 ? retry : std::min(earliest, retry);
  }
  for (const auto& rule : fired) {
    int64_t due = next_due(*rule);
    if (due != 0) earliest = earliest == 0 ? due : std::min(earliest, due);
  }
  return earliest;
}

std::vector<RuleTimer::Upcoming> RuleTimer::upcoming(size_t n) const {
  std::vector<Upcoming> out;
  for (const auto& rule : store_.scheduled()) {
    Upcoming u{rule->rule.arn, rule->rule.schedule_expression, {}};
    auto ev = schedules::for_rule(to_time(rule->rule.created_ms));
    int64_t after = std::max(store_.last_fired(rule->rule.arn).value_or(rule->rule.created_ms), clock_.now_ms() - 1);
    for (auto t : schedules::upcoming(*rule->schedule, to_time(after), n, ev)) u.fires_ms.push_back(to_ms(t));
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace nimbus::buses
