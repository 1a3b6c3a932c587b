#include "scheduler_api/schedule_request.h"

#include <array>
#include <boost/json.hpp>

#include "scheduler_api/ops.h"
#include "schedules/expression.h"
#include "timetable/invocation.h"

namespace nimbus::scheduler_api {

namespace {

using timetable::TargetKind;

constexpr std::string_view kRolePattern = "^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$";
constexpr std::string_view kQueueArnPattern = "^arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+$";
constexpr std::string_view kSourcePattern = "^(?=[/\\.\\-_A-Za-z0-9]+)((?!aws\\.).*)|(\\$(\\.[\\w_-]+(\\[(\\d+|\\*)\\])*)*)$";

// Templated targets of services nimbus does not run, refused by name.
constexpr std::array kUnsupportedTargetParameters = {"EcsParameters", "KinesisParameters",
                                                     "SageMakerPipelineParameters", "SqsParameters"};

bool is_json(std::string_view input, bool object_only) {
  // Placeholders may stand where a value goes (<aws.scheduler.attempt-number> unquoted): read as a number.
  std::string text;
  text.reserve(input.size());
  for (size_t i = 0; i < input.size();) {
    bool replaced = false;
    for (std::string_view p : {timetable::kScheduleArn, timetable::kScheduledTime, timetable::kExecutionId,
                               timetable::kAttemptNumber})
      if (input.substr(i, p.size()) == p) {
        text += '0';
        i += p.size();
        replaced = true;
        break;
      }
    if (!replaced) text += input[i++];
  }
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return !ec && (!object_only || v.is_object());
}

base::Result<timetable::Target> read_target(const json::object& in, const std::string& operation) {
  aws::JsonFields f(in);
  auto arn = f.string("Arn", {.required = true, .min_length = 1, .max_length = 1600});
  auto role = f.string("RoleArn", {.required = true, .min_length = 1, .max_length = 1600, .pattern = kRolePattern});
  auto input = f.string("Input", {.min_length = 1});
  for (const char* name : kUnsupportedTargetParameters) f.unsupported(name, operation);
  const json::object* retry = f.object("RetryPolicy");
  const json::object* dead_letter = f.object("DeadLetterConfig");
  const json::object* event = f.object("EventBridgeParameters");
  if (auto s = f.status(); !s) return s.error();

  auto kind = timetable::target_kind(*arn);
  if (!kind)
    return validation("nimbus does not support the target " + *arn +
                      ": a schedule's target may be a Lambda function, an SQS queue, an SNS topic or an event bus "
                      "(templated targets); universal targets (arn:aws:scheduler:::aws-sdk:...) and other services "
                      "are not served.");
  if ((*kind == TargetKind::kQueue || *kind == TargetKind::kTopic) && arn->ends_with(".fifo"))
    return validation("Target " + *arn + " is FIFO: FIFO targets need SqsParameters.MessageGroupId, which nimbus "
                      "does not support yet.");
  timetable::Target t;
  t.arn = *arn;
  t.role_arn = *role;
  t.input = input;
  // AWS: "If you are configuring a templated Lambda, AWS Step Functions, or Amazon EventBridge target, the input must be a well-formed JSON."
  if (input && *kind == TargetKind::kFunction && !is_json(*input, false))
    return validation("Target.Input must be well-formed JSON for a Lambda function target.");
  if (input && *kind == TargetKind::kBus && !is_json(*input, true))
    return validation("Target.Input must be a JSON object for an event bus target: it is the event's detail.");
  if (event) {
    if (*kind != TargetKind::kBus)
      return validation("EventBridgeParameters are for an event bus target; " + *arn + " is not one.");
    aws::JsonFields ef(*event);
    auto detail_type = ef.string("DetailType", {.required = true, .min_length = 1, .max_length = 128});
    auto source = ef.string("Source", {.required = true, .min_length = 1, .max_length = 256, .pattern = kSourcePattern});
    if (auto s = ef.status(); !s) return s.error();
    t.event = timetable::EventParameters{*detail_type, *source};
  } else if (*kind == TargetKind::kBus) {
    return validation("An event bus target needs EventBridgeParameters (DetailType and Source).");
  }
  if (retry) {
    aws::JsonFields rf(*retry);
    auto attempts = rf.integer("MaximumRetryAttempts", {.min = 0, .max = 185});
    auto age = rf.integer("MaximumEventAgeInSeconds", {.min = 60, .max = 86400});
    if (auto s = rf.status(); !s) return s.error();
    if (attempts) t.retry.maximum_retry_attempts = static_cast<int>(*attempts);
    if (age) t.retry.maximum_event_age_seconds = static_cast<int>(*age);
  }
  if (dead_letter) {
    aws::JsonFields df(*dead_letter);
    // The pattern admits standard queues only: a FIFO queue's name has a '.', which AWS refuses as a DLQ too.
    auto dlq = df.string("Arn", {.min_length = 1, .max_length = 1600, .pattern = kQueueArnPattern});
    if (auto s = df.status(); !s) return s.error();
    if (dlq) t.dead_letter_arn = *dlq;
  }
  return t;
}

}  // namespace

base::Result<ScheduleRequest> read_schedule_request(const Request& r, int64_t now_ms) {
  json::object in = members(r);
  aws::JsonFields f(in);
  auto name = f.string("Name", {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  auto group = f.string("GroupName", {.min_length = 1, .max_length = 64, .pattern = kNamePattern});
  auto expression = f.string("ScheduleExpression", {.required = true, .min_length = 1, .max_length = 256});
  auto zone = f.string("ScheduleExpressionTimezone", {.min_length = 1, .max_length = 50});
  auto state = f.string("State", {.one_of = {"ENABLED", "DISABLED"}});
  auto description = f.string("Description", {.max_length = 512});
  auto action = f.string("ActionAfterCompletion", {.one_of = {"NONE", "DELETE"}});
  auto token = f.string("ClientToken", {.min_length = 1, .max_length = 64, .pattern = kTokenPattern});
  // The target's input encrypted with a customer key: nimbus keeps no keys.
  f.unsupported("KmsKeyArn", r.operation);
  const json::object* window = f.object("FlexibleTimeWindow", true);
  const json::object* target = f.object("Target", true);
  if (auto s = f.status(); !s) return s.error();
  if (!window) return validation("FlexibleTimeWindow must not be null.");
  if (!target) return validation("Target must not be null.");

  auto parsed = schedules::parse(*expression, schedules::Dialect::kScheduler);
  if (!parsed) return validation("Invalid Schedule Expression " + *expression + ": " + parsed.error().message);
  if (zone) {
    auto z = schedules::TimeZone::find(*zone);
    if (!z) return validation("Invalid ScheduleExpressionTimezone " + *zone + ": " + z.error().message);
  }
  auto start = timestamp(in, "StartDate");
  if (!start) return start.error();
  auto end = timestamp(in, "EndDate");
  if (!end) return end.error();
  if (*start && *end && **end <= **start) return validation("The EndDate must be after the StartDate.");

  aws::JsonFields wf(*window);
  auto mode = wf.string("Mode", {.required = true, .one_of = {"OFF", "FLEXIBLE"}});
  auto maximum = wf.integer("MaximumWindowInMinutes", {.min = 1, .max = 1440});
  if (auto s = wf.status(); !s) return s.error();
  if (*mode == "FLEXIBLE" && !maximum)
    return validation("FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE.");
  if (*mode == "OFF" && maximum)
    return validation("FlexibleTimeWindow.MaximumWindowInMinutes is only for Mode FLEXIBLE, and Mode is OFF.");

  auto t = read_target(*target, r.operation);
  if (!t) return t.error();

  ScheduleRequest out;
  timetable::Schedule& s = out.schedule;
  s.name = *name;
  s.group = group.value_or(timetable::kDefaultGroup);
  s.expression = *expression;
  s.time_zone = zone.value_or("");
  s.start_ms = *start;
  s.end_ms = *end;
  s.state = state.value_or("ENABLED");
  s.description = description;
  s.flexible_window_minutes = maximum ? static_cast<int>(*maximum) : 0;
  s.action_after_completion = action.value_or("NONE");
  s.target = std::move(*t);
  s.created_ms = s.modified_ms = now_ms;
  out.token = token.value_or("");
  return out;
}

}  // namespace nimbus::scheduler_api
