// TagResource, UntagResource, ListTagsForResource: schedule groups carry
// tags; schedules do not (the model's TagResourceArn admits group ARNs only).
#include "scheduler_api/ops.h"
#include "timetable/store.h"

namespace nimbus::scheduler_api {

namespace {

constexpr std::string_view kGroupArnPattern =
    "^arn:aws(-[a-z]+)?:scheduler:[a-z0-9\\-]+:\\d{12}:schedule-group\\/[0-9a-zA-Z-_.]+$";

base::Result<std::string> resource_arn(aws::JsonFields& f) {
  auto arn = f.string("ResourceArn", {.required = true, .min_length = 1, .max_length = 1011, .pattern = kGroupArnPattern});
  if (auto s = f.status(); !s) return s.error();
  return *arn;
}

base::Result<std::map<std::string, std::string>> existing_tags(Context& c, const std::string& arn) {
  auto tags = c.store.tags(arn);
  if (!tags) return not_found("Schedule group " + arn + " does not exist.");
  return tags;
}

}  // namespace

Reply tag_resource(Context& c, const Request& r) {
  json::object in = members(r);
  aws::JsonFields f(in);
  (void)f.array("Tags", true);  // required; read_tags checks each
  auto arn = resource_arn(f);
  if (!arn) return arn.error();
  auto given = read_tags(in.if_contains("Tags"));
  if (!given) return given.error();
  auto tags = existing_tags(c, *arn);
  if (!tags) return tags.error();
  for (auto& [k, v] : *given) (*tags)[k] = std::move(v);
  if (tags->size() > 200) return validation("A schedule group can have at most 200 tags.");
  if (auto s = c.store.set_tags(*arn, std::move(*tags)); !s) return s.error();
  return json::object{};
}

Reply untag_resource(Context& c, const Request& r) {
  json::object in = members(r);
  json::array keys;
  bool given = false;
  for (const auto& p : r.query)
    if (p.key == "TagKeys") {
      given = true;
      keys.push_back(json::string(p.value));
    }
  if (given) in["TagKeys"] = std::move(keys);
  aws::JsonFields f(in);
  const json::array* tag_keys = f.array("TagKeys", true);
  auto arn = resource_arn(f);
  if (!arn) return arn.error();
  if (!tag_keys) return validation("TagKeys must not be null.");
  if (tag_keys->size() > 200) return validation("At most 200 TagKeys may be removed at once.");
  auto tags = existing_tags(c, *arn);
  if (!tags) return tags.error();
  for (const auto& k : *tag_keys)
    if (k.is_string()) tags->erase(std::string(k.as_string()));
  if (auto s = c.store.set_tags(*arn, std::move(*tags)); !s) return s.error();
  return json::object{};
}

Reply list_tags_for_resource(Context& c, const Request& r) {
  json::object in = members(r);
  aws::JsonFields f(in);
  auto arn = resource_arn(f);
  if (!arn) return arn.error();
  auto tags = existing_tags(c, *arn);
  if (!tags) return tags.error();
  return json::object{{"Tags", render_tags(*tags)}};
}

}  // namespace nimbus::scheduler_api
