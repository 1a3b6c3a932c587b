// EventBridge Scheduler's vocabulary as plain values: schedule groups and
// schedules with their target (what scheduler.db keeps and the Scheduler
// API renders).
// Threading: values; copy them freely between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "buses/types.h"

namespace nimbus::timetable {

inline constexpr const char* kDefaultGroup = "default";

struct Group {
  std::string name;
  std::string arn;  // arn:aws:scheduler:REGION:ACCOUNT:schedule-group/NAME
  std::map<std::string, std::string> tags;
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
};

// A target that is an event bus gets an event with these (EventBridgeParameters).
struct EventParameters {
  std::string detail_type;
  std::string source;
};

struct Target {
  std::string arn;       // a Lambda function, an SQS queue, an SNS topic or an event bus
  std::string role_arn;  // kept and returned; nimbus does not assume roles
  // Passed verbatim, its context placeholders filled at each fire; without
  // it the target gets Scheduler's default notification (invocation.h).
  std::optional<std::string> input;
  buses::RetryPolicy retry;     // AWS's defaults: 185 retries within 24 hours
  std::string dead_letter_arn;  // DeadLetterConfig.Arn: a standard SQS queue, or empty
  std::optional<EventParameters> event;
};

struct Schedule {
  std::string name;
  std::string group;
  std::string arn;         // arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME
  std::string expression;  // ScheduleExpression as given: at(), rate() or cron()
  std::string time_zone;   // ScheduleExpressionTimezone as given; empty: not given (UTC)
  std::optional<int64_t> start_ms, end_ms;  // StartDate, EndDate
  std::string state = "ENABLED";            // or DISABLED
  std::optional<std::string> description;
  int flexible_window_minutes = 0;             // FlexibleTimeWindow: 0 is Mode OFF, else FLEXIBLE's maximum
  std::string action_after_completion = "NONE";  // or DELETE
  Target target;
  int64_t created_ms = 0;
  int64_t modified_ms = 0;  // the last CreateSchedule or UpdateSchedule

  bool enabled() const { return state == "ENABLED"; }
  bool deletes_after_completion() const { return action_after_completion == "DELETE"; }
};

}  // namespace nimbus::timetable
