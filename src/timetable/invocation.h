// What one fire of a schedule sends its target, as EventBridge Scheduler
// does it (docs/scheduler.md says where each rule comes from):
//   - the target's Input verbatim, never wrapped in an event, with its
//     context attributes filled: <aws.scheduler.schedule-arn>,
//     <aws.scheduler.scheduled-time> (the due time, 2022-03-22T18:59:43Z),
//     <aws.scheduler.execution-id> (one per fire, the same in its retries)
//     and <aws.scheduler.attempt-number> (1, 2, ... at each attempt, filled by
//     buses::Deliveries as it hands each attempt over);
//   - without Input, Scheduler's default notification: an event with
//     detail-type "Scheduled Event", source "aws.scheduler", the schedule's ARN
//     in resources and detail the string "{}";
//   - an event bus gets an event (PutEvents') with EventBridgeParameters'
//     DetailType and Source and the filled Input as its detail ({} without one),
//     which server/ routes on that bus's rules.
// A fire is one buses::Delivery on EventBridge's durable delivery queue: its
// retries are the target's RetryPolicy, its dead letter goes to the target's
// DeadLetterConfig with SCHEDULE_ARN, TARGET_ARN, EXECUTION_ID, ERROR_CODE
// and ERROR_MESSAGE message attributes.
//
// THREADING RULE: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "buses/deliveries.h"
#include "timetable/types.h"

namespace nimbus::timetable {

enum class TargetKind { kFunction, kQueue, kTopic, kBus };

// What a target ARN names among the kinds nimbus delivers to; nullopt for
// any other (universal targets, ECS, Kinesis, Step Functions, ...).
std::optional<TargetKind> target_kind(std::string_view arn);

inline constexpr std::string_view kScheduleArn = "<aws.scheduler.schedule-arn>";
inline constexpr std::string_view kScheduledTime = "<aws.scheduler.scheduled-time>";
inline constexpr std::string_view kExecutionId = "<aws.scheduler.execution-id>";
inline constexpr std::string_view kAttemptNumber = "<aws.scheduler.attempt-number>";

// A fire's execution id: 16 hex digits derived from (schedule, due time), so
// a fire repeated after a crash is the same execution.
std::string execution_id(const std::string& schedule_arn, int64_t due_ms);
// "2022-03-22T18:59:43Z": the due time to the second, in UTC.
std::string scheduled_time(int64_t due_ms);
// `input` with the three fire-time attributes replaced (the attempt number stays).
std::string fill_context(std::string_view input, const std::string& schedule_arn, int64_t due_ms);

// The delivery of the fire of `s` due at `due_ms`: idempotent by (schedule, due time).
buses::Delivery delivery_for(const Schedule& s, int64_t due_ms, const std::string& region);

}  // namespace nimbus::timetable
