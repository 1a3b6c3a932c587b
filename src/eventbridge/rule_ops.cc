// PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule,
// TestEventPattern.
#include "base/arn.h"
#include "base/time.h"
#include "buses/router.h"
#include "buses/store.h"
#include "eventbridge/ops.h"

namespace nimbus::eventbridge {

namespace {

json::object render(const buses::Rule& r) {
  json::object o{{"Name", r.name}, {"Arn", r.arn}};
  if (!r.event_pattern.empty()) o["EventPattern"] = r.event_pattern;
  if (!r.schedule_expression.empty()) o["ScheduleExpression"] = r.schedule_expression;
  o["State"] = r.state;
  if (!r.description.empty()) o["Description"] = r.description;
  if (!r.role_arn.empty()) o["RoleArn"] = r.role_arn;
  o["EventBusName"] = r.bus;
  return o;
}

// Name and EventBusName of an existing rule.
base::Result<buses::Rule> existing_rule(Context& c, const json::object& in, const char* name_field = "Name") {
  aws::JsonFields f(in);
  auto name = f.string(name_field, {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  if (auto s = f.status(); !s) return s.error();
  auto bus = existing_bus(c, f);
  if (!bus) return bus.error();
  auto rule = c.store.rule(*bus, *name);
  if (!rule) return not_found("Rule " + *name + " does not exist on EventBus " + *bus + ".");
  return *rule;
}

Reply set_state(Context& c, const json::object& in, const char* state) {
  auto rule = existing_rule(c, in);
  if (!rule) return rule.error();
  if (auto s = c.store.set_state(rule->bus, rule->name, state); !s) return s.error();
  return json::object{};
}

}  // namespace

Reply put_rule(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto name = f.string("Name", {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  auto pattern = f.string("EventPattern", {.max_length = 4096});
  auto schedule = f.string("ScheduleExpression", {.max_length = 256});
  auto state = f.string("State", {.one_of = {"ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}});
  auto description = f.string("Description", {.max_length = 512});
  auto role = f.string("RoleArn", {.min_length = 1, .max_length = 1600});
  if (auto s = f.status(); !s) return s.error();
  auto bus = existing_bus(c, f);
  if (!bus) return bus.error();
  if (!pattern && !schedule) return validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  if (schedule) {
    if (*bus != buses::kDefaultBus) return validation("ScheduleExpression is supported only on the default event bus.");
    auto e = buses::parse_rule_schedule(*schedule);
    if (!e) return e.error();
  }
  if (pattern) {
    auto p = buses::parse_event_pattern(*pattern);
    if (!p) return p.error();
  }
  auto tags = read_tags(in.if_contains("Tags"));
  if (!tags) return tags.error();
  buses::Rule r;
  r.name = *name;
  r.bus = *bus;
  r.event_pattern = pattern.value_or("");
  r.schedule_expression = schedule.value_or("");
  r.state = state.value_or("ENABLED");
  r.description = description.value_or("");
  r.role_arn = role.value_or("");
  r.tags = std::move(*tags);
  r.created_ms = c.clock.now_ms();
  auto put = c.store.put_rule(std::move(r));
  if (!put) return put.error();
  return json::object{{"RuleArn", put->arn}};
}

Reply describe_rule(Context& c, const json::object& in) {
  auto rule = existing_rule(c, in);
  if (!rule) return rule.error();
  json::object o = render(*rule);
  o["CreatedBy"] = std::string(base::kAccountId);
  return o;
}

Reply list_rules(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto prefix = f.string("NamePrefix", {.min_length = 1, .max_length = 64});
  auto bus = existing_bus(c, f);
  if (!bus) return bus.error();
  std::vector<buses::Rule> all;
  std::vector<std::string> names;
  for (auto& r : c.store.rules(*bus)) {
    if (prefix && r.name.rfind(*prefix, 0) != 0) continue;
    names.push_back(r.name);
    all.push_back(std::move(r));
  }
  auto page = page_of(names, f);
  if (!page) return page.error();
  json::array items;
  for (size_t i = page->begin; i < page->end; ++i) items.push_back(render(all[i]));
  json::object out{{"Rules", std::move(items)}};
  if (!page->next.empty()) out["NextToken"] = page->next;
  return out;
}

Reply enable_rule(Context& c, const json::object& in) { return set_state(c, in, "ENABLED"); }
Reply disable_rule(Context& c, const json::object& in) { return set_state(c, in, "DISABLED"); }

Reply delete_rule(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto name = f.string("Name", {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  // Force concerns rules managed by other AWS services; nimbus has none, so it changes nothing.
  (void)f.boolean("Force");
  if (auto s = f.status(); !s) return s.error();
  auto bus = existing_bus(c, f);
  if (!bus) return bus.error();
  if (auto s = c.store.delete_rule(*bus, *name); !s) return validation(s.error().message);
  return json::object{};
}

Reply test_event_pattern(Context&, const json::object& in) {
  aws::JsonFields f(in);
  auto pattern = f.string("EventPattern", {.required = true, .max_length = 4096});
  auto event = f.string("Event", {.required = true});
  if (auto s = f.status(); !s) return s.error();
  auto result = buses::Router::test_pattern(*pattern, *event);
  if (!result) return result.error();
  return json::object{{"Result", *result}};
}

}  // namespace nimbus::eventbridge
