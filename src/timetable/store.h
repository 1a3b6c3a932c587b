// timetable::Store: EventBridge Scheduler's schedule groups and schedules,
// durable in DATA_DIR/scheduler.db (WAL, synchronous=FULL) and held in
// memory for reads, each schedule with its expression and time zone parsed
// once (CompiledSchedule). A write goes to SQLite first and reaches the
// in-memory copy only once it is committed, so a reader never sees what a
// crash could take back. The default group always exists. Requests carrying
// a ClientToken are remembered (operation, token -> ARN) in the write's own
// transaction, so a client's retry of a request that already took effect
// gets its first answer instead of a conflict or a "not found".
// The timer's bookkeeping lives here too: when each schedule last fired (its
// due time), so that a restart catches up at most once.
//
// THREADING RULE: every method may be called from any thread. Reads copy
// under the state mutex: call them from io threads freely. Writes fsync:
// call them from the blocking pool or the timer's thread; they serialise on
// a write mutex.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "schedules/expression.h"
#include "timetable/types.h"

namespace nimbus::timetable {

// AWS's quotas per account and region.
inline constexpr size_t kMaxGroups = 500;
inline constexpr size_t kMaxSchedules = 1'000'000;

// A schedule as the timer uses it: its expression and time zone parsed, and
// where they are evaluated from. rate() counts from StartDate, or, without
// one, from the schedule's last change (CreateSchedule or UpdateSchedule):
// AWS starts such a schedule at once.
struct CompiledSchedule {
  Schedule schedule;
  std::shared_ptr<const schedules::Expression> expression;
  schedules::Evaluation evaluation;
};

// The schedule's expression and time zone, parsed: kInvalidArgument naming
// ScheduleExpression or ScheduleExpressionTimezone and what is wrong.
base::Result<CompiledSchedule> compile(Schedule s);

class Store {
 public:
  // `clock` stamps the default group's creation (the schedules' clock).
  static base::Result<std::unique_ptr<Store>> open(const std::string& path, const std::string& region,
                                                   const base::Clock& clock = base::system_clock());
  ~Store();

  const std::string& region() const;
  std::string group_arn(const std::string& name) const;
  std::string schedule_arn(const std::string& group, const std::string& name) const;

  // kAlreadyExists when it exists (unless `token` created it: then it is
  // answered again); kTooLarge past kMaxGroups.
  base::Result<Group> create_group(Group g, const std::string& token = {});
  // Deletes the group and its schedules in one transaction. kNotFound
  // (unless `token` already deleted it); kInvalidArgument for the default group.
  base::Status delete_group(const std::string& name, const std::string& token = {});
  std::optional<Group> group(const std::string& name) const;
  std::vector<Group> groups() const;  // by name

  // kNotFound without its group; kAlreadyExists when it exists (unless
  // `token` created it: then it is answered again, unchanged); kTooLarge past
  // kMaxSchedules. The schedule must compile.
  base::Result<Schedule> create_schedule(Schedule s, const std::string& token = {});
  // Replaces every setting (UpdateSchedule is a full replacement); the
  // creation time stays. kNotFound when absent.
  base::Result<Schedule> update_schedule(Schedule s, const std::string& token = {});
  // kNotFound when absent (unless `token` already deleted it).
  base::Status delete_schedule(const std::string& group, const std::string& name, const std::string& token = {});
  // ActionAfterCompletion DELETE: deletes it when it is still the version
  // that completed (modified at `modified_ms`); ok either way.
  base::Status delete_completed(const std::string& group, const std::string& name, int64_t modified_ms);
  std::optional<Schedule> schedule(const std::string& group, const std::string& name) const;
  std::vector<Schedule> schedules() const;  // by group, then name

  // The enabled schedules: what the timer fires.
  std::vector<std::shared_ptr<const CompiledSchedule>> enabled() const;
  // When a schedule last fired (its due time). Blocking (fsync) to set.
  std::optional<int64_t> last_fired(const std::string& schedule_arn) const;
  base::Status set_last_fired(const std::string& schedule_arn, int64_t due_ms);
  // Called after every change to groups or schedules, outside the store's
  // locks (the timer re-reads them). Set once, before use.
  void on_change(std::function<void()> listener);

  // Tags of a schedule group, by ARN: kNotFound when no group has it.
  base::Status set_tags(const std::string& group_arn, std::map<std::string, std::string> tags);
  base::Result<std::map<std::string, std::string>> tags(const std::string& group_arn) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::timetable
