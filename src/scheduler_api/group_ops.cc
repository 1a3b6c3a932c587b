// CreateScheduleGroup, GetScheduleGroup, DeleteScheduleGroup, ListScheduleGroups.
#include <algorithm>

#include "scheduler_api/ops.h"
#include "timetable/store.h"

namespace nimbus::scheduler_api {

namespace {

// Groups are deleted at once, with their schedules, in one transaction: never seen DELETING.
json::object render(const timetable::Group& g) {
  return {{"Arn", g.arn},
          {"CreationDate", epoch_seconds(g.created_ms)},
          {"LastModificationDate", epoch_seconds(g.modified_ms)},
          {"Name", g.name},
          {"State", "ACTIVE"}};
}

base::Result<std::string> group_name(aws::JsonFields& f) {
  auto name = f.string("Name", {.required = true, .min_length = 1, .max_length = 64, .pattern = kNamePattern});
  if (auto s = f.status(); !s) return s.error();
  return *name;
}

}  // namespace

Reply create_schedule_group(Context& c, const Request& r) {
  json::object in = members(r);
  aws::JsonFields f(in);
  auto token = f.string("ClientToken", {.min_length = 1, .max_length = 64, .pattern = kTokenPattern});
  auto name = group_name(f);
  if (!name) return name.error();
  auto tags = read_tags(in.if_contains("Tags"));
  if (!tags) return tags.error();
  timetable::Group g;
  g.name = *name;
  g.tags = std::move(*tags);
  g.created_ms = g.modified_ms = c.clock.now_ms();
  auto made = c.store.create_group(std::move(g), token.value_or(""));
  if (!made) return made.error();
  return json::object{{"ScheduleGroupArn", made->arn}};
}

Reply get_schedule_group(Context& c, const Request& r) {
  json::object in = members(r);
  aws::JsonFields f(in);
  auto name = group_name(f);
  if (!name) return name.error();
  auto g = c.store.group(*name);
  if (!g) return not_found("Schedule group " + *name + " does not exist.");
  return render(*g);
}

Reply delete_schedule_group(Context& c, const Request& r) {
  json::object in = members(r, {{"clientToken", "ClientToken"}});
  aws::JsonFields f(in);
  auto token = f.string("ClientToken", {.min_length = 1, .max_length = 64, .pattern = kTokenPattern});
  auto name = group_name(f);
  if (!name) return name.error();
  if (auto s = c.store.delete_group(*name, token.value_or("")); !s) return s.error();
  return json::object{};
}

Reply list_schedule_groups(Context& c, const Request& r) {
  json::object in = members(r, {{"NamePrefix", "NamePrefix"}, {"MaxResults", "MaxResults"}, {"NextToken", "NextToken"}});
  aws::JsonFields f(in);
  auto prefix = f.string("NamePrefix", {.min_length = 1, .max_length = 64, .pattern = kNamePattern});
  if (auto s = f.status(); !s) return s.error();
  std::vector<timetable::Group> groups;
  for (auto& g : c.store.groups())
    if (!prefix || g.name.rfind(*prefix, 0) == 0) groups.push_back(std::move(g));
  std::vector<std::string> names;
  for (const auto& g : groups) names.push_back(g.name);
  auto page = page_of(names, f);
  if (!page) return page.error();
  json::array items;
  for (size_t i = page->begin; i < page->end; ++i) items.push_back(render(groups[i]));
  json::object out{{"ScheduleGroups", std::move(items)}};
  if (!page->next.empty()) out["NextToken"] = page->next;
  return out;
}

}  // namespace nimbus::scheduler_api
