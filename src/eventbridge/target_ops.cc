// PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget.
#include <algorithm>

#include "buses/input.h"
#include "buses/store.h"
#include "eventbridge/ops.h"

namespace nimbus::eventbridge {

namespace {

constexpr size_t kMaxTargets = 5;  // per rule, as AWS

// Target parameters of services nimbus does not run, refused by name.
constexpr std::array kUnsupported = {"KinesisParameters",  "RunCommandParameters",       "EcsParameters",
                                     "BatchParameters",    "SqsParameters",              "HttpParameters",
                                     "RedshiftDataParameters", "SageMakerPipelineParameters", "AppSyncParameters"};

bool is_queue(const std::string& arn) { return arn.rfind("arn:aws:sqs:", 0) == 0; }

// What nimbus delivers to: functions, standard queues, topics and buses.
base::Status check_target_arn(const std::string& arn) {
  bool function = arn.rfind("arn:aws:lambda:", 0) == 0 && arn.find(":function:") != std::string::npos;
  bool topic = arn.rfind("arn:aws:sns:", 0) == 0;
  bool bus = arn.rfind("arn:aws:events:", 0) == 0 && arn.find(":event-bus/") != std::string::npos;
  if (is_queue(arn) && arn.size() > 5 && arn.ends_with(".fifo"))
    return validation("Target " + arn + " is a FIFO queue: FIFO targets need SqsParameters.MessageGroupId, which nimbus "
                      "does not support yet.");
  if (!function && !is_queue(arn) && !topic && !bus)
    return validation("Target " + arn + " is not supported by nimbus: targets may be Lambda functions, SQS queues, SNS "
                      "topics or event buses.");
  return {};
}

base::Result<buses::Target> read_target(const json::value& v, size_t index) {
  if (!v.is_object()) return base::make_error(base::ErrorCode::kMalformed, "A target must be an object");
  const auto& o = v.as_object();
  aws::JsonFields f(o);
  auto id = f.string("Id", {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  auto arn = f.string("Arn", {.required = true, .min_length = 1, .max_length = 1600});
  auto role = f.string("RoleArn", {.min_length = 1, .max_length = 1600});
  // Their lengths and syntax are validate_target_input's, in AWS's words.
  auto input = f.string("Input");
  auto input_path = f.string("InputPath");
  for (const char* name : kUnsupported) f.unsupported(name, "PutTargets");
  const json::object* transformer = f.object("InputTransformer");
  const json::object* retry = f.object("RetryPolicy");
  const json::object* dead_letter = f.object("DeadLetterConfig");
  if (auto s = f.status(); !s) return s.error();
  if (auto s = check_target_arn(*arn); !s) return s.error();
  buses::Target t;
  t.id = *id;
  t.arn = *arn;
  t.role_arn = role.value_or("");
  t.input.input = input;
  t.input.input_path = input_path;
  if (transformer) {
    aws::JsonFields tf(*transformer);
    auto tmpl = tf.string("InputTemplate", {.required = true});
    const json::object* paths = tf.object("InputPathsMap");
    if (auto s = tf.status(); !s) return s.error();
    buses::InputTransformer tr;
    tr.input_template = *tmpl;
    if (paths)
      for (const auto& [k, p] : *paths) {
        if (!p.is_string()) return validation("InputPathsMap values must be strings.");
        tr.paths.emplace_back(std::string(k), std::string(p.as_string()));
      }
    t.input.transformer = std::move(tr);
  }
  if (auto s = buses::validate_target_input(t.input, t.id, index); !s) return validation(s.error().message);
  if (retry) {
    aws::JsonFields rf(*retry);
    auto attempts = rf.integer("MaximumRetryAttempts", {.min = 0, .max = 185});
    auto age = rf.integer("MaximumEventAgeInSeconds", {.min = 60, .max = 86400});
    if (auto s = rf.status(); !s) return s.error();
    if (attempts) t.retry.maximum_retry_attempts = static_cast<int>(*attempts);
    if (age) t.retry.maximum_event_age_seconds = static_cast<int>(*age);
    t.retry_given = true;
  }
  if (dead_letter) {
    aws::JsonFields df(*dead_letter);
    auto dlq = df.string("Arn", {.min_length = 1, .max_length = 1600});
    if (auto s = df.status(); !s) return s.error();
    if (dlq) {
      if (!is_queue(*dlq) || dlq->ends_with(".fifo"))
        return validation("DeadLetterConfig.Arn " + *dlq + " must be the ARN of a standard SQS queue.");
      t.dead_letter_arn = *dlq;
    }
  }
  return t;
}

json::object render(const buses::Target& t) {
  json::object o{{"Id", t.id}, {"Arn", t.arn}};
  if (!t.role_arn.empty()) o["RoleArn"] = t.role_arn;
  if (t.input.input) o["Input"] = *t.input.input;
  if (t.input.input_path) o["InputPath"] = *t.input.input_path;
  if (t.input.transformer) {
    json::object tr{{"InputTemplate", t.input.transformer->input_template}};
    if (!t.input.transformer->paths.empty()) {
      json::object paths;
      for (const auto& [k, v] : t.input.transformer->paths) paths[k] = v;
      tr["InputPathsMap"] = std::move(paths);
    }
    o["InputTransformer"] = std::move(tr);
  }
  if (t.retry_given)
    o["RetryPolicy"] = json::object{{"MaximumRetryAttempts", t.retry.maximum_retry_attempts},
                                    {"MaximumEventAgeInSeconds", t.retry.maximum_event_age_seconds}};
  if (!t.dead_letter_arn.empty()) o["DeadLetterConfig"] = json::object{{"Arn", t.dead_letter_arn}};
  return o;
}

// Rule and EventBusName of an existing rule.
base::Result<buses::Rule> rule_of(Context& c, aws::JsonFields& f) {
  auto name = f.string("Rule", {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  if (auto s = f.status(); !s) return s.error();
  auto bus = existing_bus(c, f);
  if (!bus) return bus.error();
  auto rule = c.store.rule(*bus, *name);
  if (!rule) return not_found("Rule " + *name + " does not exist on EventBus " + *bus + ".");
  return *rule;
}

}  // namespace

Reply put_targets(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  const json::array* targets = f.array("Targets", true);
  if (auto s = f.status(); !s) return s.error();
  auto rule = rule_of(c, f);
  if (!rule) return rule.error();
  if (targets->empty() || targets->size() > 100)
    return validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have "
                      "length between 1 and 100");
  std::vector<buses::Target> next = rule->targets;
  size_t index = 0;
  for (const auto& v : *targets) {
    auto t = read_target(v, ++index);
    if (!t) return t.error();
    auto same = std::find_if(next.begin(), next.end(), [&](const buses::Target& x) { return x.id == t->id; });
    if (same != next.end()) *same = std::move(*t);
    else next.push_back(std::move(*t));
  }
  if (next.size() > kMaxTargets)
    return with_reason(base::ErrorCode::kInvalidArgument, "LimitExceededException",
                       "The requested resource exceeds the maximum number allowed.");
  if (auto s = c.store.set_targets(rule->bus, rule->name, std::move(next)); !s) return s.error();
  return json::object{{"FailedEntryCount", 0}, {"FailedEntries", json::array{}}};
}

Reply remove_targets(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  const json::array* ids = f.array("Ids", true);
  (void)f.boolean("Force");  // concerns managed rules; nimbus has none
  if (auto s = f.status(); !s) return s.error();
  auto rule = rule_of(c, f);
  if (!rule) return rule.error();
  std::vector<buses::Target> next;
  for (const auto& t : rule->targets) {
    bool removed = false;
    for (const auto& id : *ids) removed = removed || (id.is_string() && id.as_string() == t.id);
    if (!removed) next.push_back(t);
  }
  if (auto s = c.store.set_targets(rule->bus, rule->name, std::move(next)); !s) return s.error();
  return json::object{{"FailedEntryCount", 0}, {"FailedEntries", json::array{}}};
}

Reply list_targets_by_rule(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto rule = rule_of(c, f);
  if (!rule) return rule.error();
  std::vector<std::string> ids;
  auto targets = rule->targets;
  std::sort(targets.begin(), targets.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const auto& t : targets) ids.push_back(t.id);
  auto page = page_of(ids, f);
  if (!page) return page.error();
  json::array items;
  for (size_t i = page->begin; i < page->end; ++i) items.push_back(render(targets[i]));
  json::object out{{"Targets", std::move(items)}};
  if (!page->next.empty()) out["NextToken"] = page->next;
  return out;
}

Reply list_rule_names_by_target(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto arn = f.string("TargetArn", {.required = true, .min_length = 1, .max_length = 1600});
  if (auto s = f.status(); !s) return s.error();
  auto bus = existing_bus(c, f);
  if (!bus) return bus.error();
  std::vector<std::string> names;
  for (const auto& r : c.store.rules(*bus))
    for (const auto& t : r.targets)
      if (t.arn == *arn) {
        names.push_back(r.name);
        break;
      }
  auto page = page_of(names, f);
  if (!page) return page.error();
  json::array items;
  for (size_t i = page->begin; i < page->end; ++i) items.push_back(json::string(names[i]));
  json::object out{{"RuleNames", std::move(items)}};
  if (!page->next.empty()) out["NextToken"] = page->next;
  return out;
}

}  // namespace nimbus::eventbridge
