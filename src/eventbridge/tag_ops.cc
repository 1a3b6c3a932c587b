// TagResource, UntagResource, ListTagsForResource (buses and rules).
#include "buses/store.h"
#include "eventbridge/ops.h"

namespace nimbus::eventbridge {

namespace {

base::Result<std::string> resource_of(aws::JsonFields& f) {
  auto arn = f.string("ResourceARN", {.required = true, .min_length = 1, .max_length = 1600});
  if (auto s = f.status(); !s) return s.error();
  return *arn;
}

base::Result<std::map<std::string, std::string>> tags_of(Context& c, const std::string& arn) {
  auto tags = c.store.tags(arn);
  if (!tags) return not_found(tags.error().message);
  return tags;
}

}  // namespace

Reply tag_resource(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto arn = resource_of(f);
  if (!arn) return arn.error();
  auto add = read_tags(in.if_contains("Tags"));
  if (!add) return add.error();
  auto tags = tags_of(c, *arn);
  if (!tags) return tags.error();
  for (auto& [k, v] : *add) (*tags)[k] = v;
  if (tags->size() > 50) return validation("A resource can have at most 50 tags.");
  if (auto s = c.store.set_tags(*arn, std::move(*tags)); !s) return s.error();
  return json::object{};
}

Reply untag_resource(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto arn = resource_of(f);
  const json::array* keys = f.array("TagKeys", true);
  if (auto s = f.status(); !s) return s.error();
  if (!arn) return arn.error();
  auto tags = tags_of(c, *arn);
  if (!tags) return tags.error();
  for (const auto& k : *keys)
    if (k.is_string()) tags->erase(std::string(k.as_string()));
  if (auto s = c.store.set_tags(*arn, std::move(*tags)); !s) return s.error();
  return json::object{};
}

Reply list_tags_for_resource(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto arn = resource_of(f);
  if (!arn) return arn.error();
  auto tags = tags_of(c, *arn);
  if (!tags) return tags.error();
  return json::object{{"Tags", render_tags(*tags)}};
}

}  // namespace nimbus::eventbridge
