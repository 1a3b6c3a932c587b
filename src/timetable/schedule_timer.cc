#include "timetable/schedule_timer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "base/crypto.h"
#include "buses/deliveries.h"
#include "timetable/invocation.h"
#include "timetable/store.h"

namespace nimbus::timetable {

namespace {

schedules::Time to_time(int64_t ms) { return schedules::Time{std::chrono::milliseconds(ms)}; }
int64_t to_ms(schedules::Time t) { return t.time_since_epoch().count(); }

// Where the next fire is looked for after: the last fire, or just before the
// schedule's last change (a rate() without StartDate fires at that moment).
int64_t fired_or_changed(const Store& store, const CompiledSchedule& c) {
  int64_t changed = c.schedule.modified_ms - 1;
  auto fired = store.last_fired(c.schedule.arn);
  return fired ? std::max(*fired, changed) : changed;
}

}  // namespace

ScheduleTimer::ScheduleTimer(Store& store, buses::Deliveries& deliveries, const base::Clock& clock,
                             const base::ScaledClock* scaled)
    : store_(store),
      deliveries_(deliveries),
      clock_(scaled ? *scaled : clock),
      loop_(clock_, scaled, [this] { return run_once(); }) {}

ScheduleTimer::~ScheduleTimer() { stop(); }

void ScheduleTimer::start() { loop_.start(); }
void ScheduleTimer::stop() { loop_.stop(); }
void ScheduleTimer::poke() { loop_.poke(); }

int64_t ScheduleTimer::fire_time(const CompiledSchedule& c, int64_t due_ms) {
  int64_t window_ms = int64_t{c.schedule.flexible_window_minutes} * 60'000;
  if (window_ms <= 0) return due_ms;
  // A window longer than the time to the next due time is cut there: fires
  // stay in the order of their due times, so the last fire alone says what is done.
  if (auto next = schedules::next_after(*c.expression, to_time(due_ms), c.evaluation))
    window_ms = std::min(window_ms, to_ms(*next) - due_ms);
  std::string h = base::sha256_hex("flexible:" + c.schedule.arn + "@" + std::to_string(due_ms)).substr(0, 15);
  return due_ms + static_cast<int64_t>(std::stoull(h, nullptr, 16) % static_cast<uint64_t>(window_ms));
}

int64_t ScheduleTimer::next_due(const CompiledSchedule& c) const {
  auto next = schedules::next_after(*c.expression, to_time(fired_or_changed(store_, c)), c.evaluation);
  return next ? to_ms(*next) : 0;
}

int64_t ScheduleTimer::run_once() {
  int64_t now = clock_.now_ms();
  int64_t earliest = 0;
  auto wake_at = [&](int64_t t) { earliest = earliest == 0 ? t : std::min(earliest, t); };
  auto enabled = store_.enabled();
  std::unordered_map<std::string, Planned> plan;
  plan.reserve(enabled.size());
  for (const auto& c : enabled) {
    const Schedule& s = c->schedule;
    auto known = planned_.find(s.arn);
    int64_t due = known != planned_.end() && known->second.version == c ? known->second.due : next_due(*c);
    Planned& planned = plan[s.arn] = Planned{c, due};
    if (due == 0) continue;
    if (fire_time(*c, due) > now) {
      wake_at(fire_time(*c, due));
      continue;
    }
    // Missed fires (downtime) collapse into one: the latest due time not after now,
    // at its own fire time (which a flexible window may put a little later still).
    int64_t latest =
        to_ms(schedules::latest_not_after(*c->expression, to_time(due - 1), to_time(now), c->evaluation)
                  .value_or(to_time(due)));
    if (fire_time(*c, latest) > now) {
      wake_at(fire_time(*c, latest));
      continue;
    }
    if (auto st = deliveries_.enqueue({delivery_for(s, latest, store_.region())}); !st) {
      spdlog::warn("scheduler: schedule {} could not fire: {}", s.arn, st.error().message);
      wake_at(now + 1000);  // try again shortly; the fire's id keeps a retry from doubling it
      continue;
    }
    // Queued: this process goes on from it even if the record fails (a restart may then fire it again).
    auto next = schedules::next_after(*c->expression, to_time(latest), c->evaluation);
    planned.due = next ? to_ms(*next) : 0;
    if (auto st = store_.set_last_fired(s.arn, latest); !st)
      spdlog::warn("scheduler: schedule {} fired, but its fire could not be recorded: {}", s.arn, st.error().message);
    bool completes = c->expression->kind() == schedules::Expression::Kind::kAt || s.end_ms.has_value();
    if (!next && completes && s.deletes_after_completion()) {
      if (auto st = store_.delete_completed(s.group, s.name, s.modified_ms); !st)
        spdlog::warn("scheduler: schedule {} completed, but could not be deleted: {}", s.arn, st.error().message);
      else
        spdlog::info("scheduler: schedule {} completed and was deleted (ActionAfterCompletion DELETE)", s.arn);
      continue;
    }
    if (planned.due) wake_at(fire_time(*c, planned.due));
  }
  planned_ = std::move(plan);
  return earliest;
}

std::vector<ScheduleTimer::Upcoming> ScheduleTimer::upcoming(size_t n) const {
  std::vector<Upcoming> out;
  for (const auto& c : store_.enabled()) {
    Upcoming u{c->schedule.arn, c->schedule.expression, c->schedule.time_zone, {}};
    int64_t after = std::max(fired_or_changed(store_, *c), clock_.now_ms() - 1);
    for (auto t : schedules::upcoming(*c->expression, to_time(after), n, c->evaluation)) u.fires_ms.push_back(to_ms(t));
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace nimbus::timetable
