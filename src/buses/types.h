// The EventBridge domain's vocabulary as plain values: event buses, rules
// and their targets (what buses.db keeps and the EventBridge API renders).
// Threading: values; copy them freely between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "buses/input.h"

namespace nimbus::buses {

inline constexpr const char* kDefaultBus = "default";

struct Bus {
  std::string name;
  std::string arn;
  std::string description;
  std::map<std::string, std::string> tags;
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
};

// RetryPolicy of a target: AWS's defaults are 185 attempts within 24 hours.
struct RetryPolicy {
  int maximum_retry_attempts = 185;
  int maximum_event_age_seconds = 86400;
};

struct Target {
  std::string id;
  std::string arn;       // a Lambda function, an SQS queue, an SNS topic or an event bus
  std::string role_arn;  // kept and returned; nimbus does not assume roles
  TargetInput input;
  RetryPolicy retry;
  bool retry_given = false;     // a RetryPolicy was set (rendered back only then, as AWS)
  std::string dead_letter_arn;  // DeadLetterConfig.Arn: an SQS queue, or empty
};

struct Rule {
  std::string name;
  std::string bus;  // the bus's name
  std::string arn;  // arn:aws:events:REGION:ACCOUNT:rule/NAME or rule/BUS/NAME
  std::string event_pattern;        // JSON text as given, or empty
  std::string schedule_expression;  // rate(...) / cron(...), or empty
  std::string state = "ENABLED";    // ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
  std::string description;
  std::string role_arn;
  std::map<std::string, std::string> tags;
  std::vector<Target> targets;  // by Id, at most 5
  int64_t created_ms = 0;

  bool enabled() const { return state != "DISABLED"; }
};

}  // namespace nimbus::buses
