#include "timetable/invocation.h"

#include <boost/json.hpp>

#include "base/arn.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "base/time.h"

namespace nimbus::timetable {

namespace json = boost::json;

namespace {

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

std::string fire_key(const std::string& schedule_arn, int64_t due_ms) {
  return base::sha256_hex("scheduler:" + schedule_arn + "@" + std::to_string(due_ms));
}

// An event as EventBridge writes it, with `detail` (JSON text) spliced in as
// its detail: an Input holding an unquoted <aws.scheduler.attempt-number>
// becomes JSON only once the attempt's number replaces it.
std::string event_text(const std::string& id, const std::string& detail_type, const std::string& source,
                       const Schedule& s, int64_t due_ms, const std::string& region, std::string_view detail) {
  json::object head{{"version", "0"},
                    {"id", id},
                    {"detail-type", detail_type},
                    {"source", source},
                    {"account", std::string(base::kAccountId)},
                    {"time", scheduled_time(due_ms)},
                    {"region", region},
                    {"resources", json::array{json::string(s.arn)}}};
  std::string text = json::serialize(head);
  text.pop_back();  // the closing brace: the detail goes last
  text += ",\"detail\":";
  text += detail;
  text += "}";
  return text;
}

}  // namespace

std::optional<TargetKind> target_kind(std::string_view arn) {
  auto a = base::Arn::parse(arn);
  if (!a || a->region.empty() || a->account.empty()) return std::nullopt;
  if (a->service == "lambda" && base::parse_lambda_arn(arn)) return TargetKind::kFunction;
  bool plain_name = !a->resource.empty() && a->resource.find_first_of(":/") == std::string::npos;
  if (a->service == "sqs" && plain_name) return TargetKind::kQueue;
  if (a->service == "sns" && plain_name) return TargetKind::kTopic;
  if (a->service == "events" && a->resource.rfind("event-bus/", 0) == 0 && a->resource.size() > 10)
    return TargetKind::kBus;
  return std::nullopt;
}

std::string execution_id(const std::string& schedule_arn, int64_t due_ms) {
  return fire_key(schedule_arn, due_ms).substr(32, 16);
}

std::string scheduled_time(int64_t due_ms) { return base::iso8601(due_ms).substr(0, 19) + "Z"; }

std::string fill_context(std::string_view input, const std::string& schedule_arn, int64_t due_ms) {
  std::string out(input);
  replace_all(out, kScheduleArn, schedule_arn);
  replace_all(out, kScheduledTime, scheduled_time(due_ms));
  replace_all(out, kExecutionId, execution_id(schedule_arn, due_ms));
  return out;
}

buses::Delivery delivery_for(const Schedule& s, int64_t due_ms, const std::string& region) {
  std::string key = fire_key(s.arn, due_ms);
  std::string id = base::uuid_from_hex(key.substr(0, 32));
  const Target& t = s.target;
  std::optional<std::string> input;
  if (t.input) input = fill_context(*t.input, s.arn, due_ms);

  buses::Delivery d;
  d.id = id;
  d.rule_arn = s.arn;
  d.target.id = "scheduler";
  d.target.arn = t.arn;
  d.target.role_arn = t.role_arn;
  d.target.retry = t.retry;
  d.target.retry_given = true;
  d.target.dead_letter_arn = t.dead_letter_arn;
  if (target_kind(t.arn) == TargetKind::kBus) {
    const EventParameters none{"Scheduled Event", "aws.scheduler"};
    const EventParameters& p = t.event ? *t.event : none;
    d.body = event_text(id, p.detail_type, p.source, s, due_ms, region, input ? std::string_view(*input) : "{}");
  } else if (input) {
    d.body = *input;
  } else {
    d.body = event_text(id, "Scheduled Event", "aws.scheduler", s, due_ms, region, "\"{}\"");
  }
  // A dead letter carries what the target was to receive.
  d.event = d.body;
  d.dead_letter_attributes = {{"SCHEDULE_ARN", "String", s.arn},
                              {"TARGET_ARN", "String", t.arn},
                              {"EXECUTION_ID", "String", execution_id(s.arn, due_ms)}};
  if (d.body.find(kAttemptNumber) != std::string::npos) d.attempt_marker = std::string(kAttemptNumber);
  return d;
}

}  // namespace nimbus::timetable
