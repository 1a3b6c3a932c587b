// CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules.
#include <algorithm>

#include "scheduler_api/ops.h"
#include "scheduler_api/schedule_request.h"
#include "timetable/store.h"

namespace nimbus::scheduler_api {

namespace {

json::object render(const timetable::Schedule& s) {
  const timetable::Target& t = s.target;
  json::object target{{"Arn", t.arn},
                      {"RoleArn", t.role_arn},
                      {"RetryPolicy", json::object{{"MaximumEventAgeInSeconds", t.retry.maximum_event_age_seconds},
                                                   {"MaximumRetryAttempts", t.retry.maximum_retry_attempts}}}};
  if (t.input) target["Input"] = *t.input;
  if (!t.dead_letter_arn.empty()) target["DeadLetterConfig"] = json::object{{"Arn", t.dead_letter_arn}};
  if (t.event) target["EventBridgeParameters"] = json::object{{"DetailType", t.event->detail_type}, {"Source", t.event->source}};
  json::object window{{"Mode", s.flexible_window_minutes > 0 ? "FLEXIBLE" : "OFF"}};
  if (s.flexible_window_minutes > 0) window["MaximumWindowInMinutes"] = s.flexible_window_minutes;
  json::object o{{"ActionAfterCompletion", s.action_after_completion},
                 {"Arn", s.arn},
                 {"CreationDate", epoch_seconds(s.created_ms)},
                 {"FlexibleTimeWindow", std::move(window)},
                 {"GroupName", s.group},
                 {"LastModificationDate", epoch_seconds(s.modified_ms)},
                 {"Name", s.name},
                 {"ScheduleExpression", s.expression},
                 {"State", s.state},
                 {"Target", std::move(target)}};
  if (s.description) o["Description"] = *s.description;
  if (!s.time_zone.empty()) o["ScheduleExpressionTimezone"] = s.time_zone;
  if (s.start_ms) o["StartDate"] = epoch_seconds(*s.start_ms);
  if (s.end_ms) o["EndDate"] = epoch_seconds(*s.end_ms);
  return o;
}

json::object summary(const timetable::Schedule& s) {
  return {{"Arn", s.arn},
          {"CreationDate", epoch_seconds(s.created_ms)},
          {"GroupName", s.group},
          {"LastModificationDate", epoch_seconds(s.modified_ms)},
          {"Name", s.name},
          {"State", s.state},
          {"Target", json::object{{"Arn", s.target.arn}}}};
}

// Name and GroupName (the default group when absent) of a request that names one schedule.
struct Named {
  std::string group, name, token;
};

base::Result<Named> named(const Request& r, bool with_token) {
  json::object in = members(r, {{"groupName", "GroupName"}, {"clientToken", "ClientToken"}});
  aws::JsonFields f(in);
  auto name = f.string("Name", {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  auto group = f.string("GroupName", {.min_length = 1, .max_length = 64, .pattern = kNamePattern});
  std::optional<std::string> token;
  if (with_token) token = f.string("ClientToken", {.min_length = 1, .max_length = 64, .pattern = kTokenPattern});
  if (auto s = f.status(); !s) return s.error();
  return Named{group.value_or(timetable::kDefaultGroup), *name, token.value_or("")};
}

}  // namespace

Reply create_schedule(Context& c, const Request& r) {
  auto req = read_schedule_request(r, c.clock.now_ms());
  if (!req) return req.error();
  auto made = c.store.create_schedule(std::move(req->schedule), req->token);
  if (!made) return made.error();
  return json::object{{"ScheduleArn", made->arn}};
}

Reply update_schedule(Context& c, const Request& r) {
  auto req = read_schedule_request(r, c.clock.now_ms());
  if (!req) return req.error();
  auto updated = c.store.update_schedule(std::move(req->schedule), req->token);
  if (!updated) return updated.error();
  return json::object{{"ScheduleArn", updated->arn}};
}

Reply get_schedule(Context& c, const Request& r) {
  auto n = named(r, false);
  if (!n) return n.error();
  auto s = c.store.schedule(n->group, n->name);
  if (!s) return not_found("Schedule " + n->name + " does not exist.");
  return render(*s);
}

Reply delete_schedule(Context& c, const Request& r) {
  auto n = named(r, true);
  if (!n) return n.error();
  if (auto s = c.store.delete_schedule(n->group, n->name, n->token); !s) return s.error();
  return json::object{};
}

Reply list_schedules(Context& c, const Request& r) {
  json::object in = members(r, {{"ScheduleGroup", "GroupName"},
                                {"NamePrefix", "NamePrefix"},
                                {"State", "State"},
                                {"MaxResults", "MaxResults"},
                                {"NextToken", "NextToken"}});
  aws::JsonFields f(in);
  auto group = f.string("GroupName", {.min_length = 1, .max_length = 64, .pattern = kNamePattern});
  auto prefix = f.string("NamePrefix", {.min_length = 1, .max_length = 64, .pattern = kNamePattern});
  auto state = f.string("State", {.one_of = {"ENABLED", "DISABLED"}});
  if (auto s = f.status(); !s) return s.error();
  if (group && !c.store.group(*group)) return not_found("Schedule group " + *group + " does not exist.");
  std::vector<timetable::Schedule> matched;
  for (auto& s : c.store.schedules()) {
    if (group && s.group != *group) continue;
    if (prefix && s.name.rfind(*prefix, 0) != 0) continue;
    if (state && s.state != *state) continue;
    matched.push_back(std::move(s));
  }
  auto key = [](const timetable::Schedule& s) { return s.group + "/" + s.name; };
  std::sort(matched.begin(), matched.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  std::vector<std::string> keys;
  for (const auto& s : matched) keys.push_back(key(s));
  auto page = page_of(keys, f);
  if (!page) return page.error();
  json::array items;
  for (size_t i = page->begin; i < page->end; ++i) items.push_back(summary(matched[i]));
  json::object out{{"Schedules", std::move(items)}};
  if (!page->next.empty()) out["NextToken"] = page->next;
  return out;
}

}  // namespace nimbus::scheduler_api
