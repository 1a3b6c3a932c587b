// GetQueueAttributes, SetQueueAttributes, TagQueue, UntagQueue, ListQueueTags.
#include "sqs/operations.h"

namespace nimbus::sqs {

namespace json = boost::json;

namespace {

json::object map_json(const StringMap& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

}  // namespace

Output get_queue_attributes(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto names = in.strings("AttributeNames");
  if (auto s = in.status(); !s) return s.error();
  auto attrs = c.queues.get_attributes(*name, names);
  if (!attrs) return attrs.error();
  json::object out;
  if (!attrs->empty()) out["Attributes"] = map_json(*attrs);
  return out;
}

Output set_queue_attributes(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto attrs = in.map("Attributes");
  in.require("Attributes");
  if (auto s = in.status(); !s) return s.error();
  if (auto s = c.queues.set_attributes(*name, attrs); !s) return s.error();
  return json::object{};
}

Output tag_queue(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto tags = in.map("Tags");
  in.require("Tags");
  if (auto s = in.status(); !s) return s.error();
  if (auto s = c.queues.tag(*name, tags); !s) return s.error();
  return json::object{};
}

Output untag_queue(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto keys = in.strings("TagKeys");
  in.require("TagKeys");
  if (auto s = in.status(); !s) return s.error();
  if (auto s = c.queues.untag(*name, keys); !s) return s.error();
  return json::object{};
}

Output list_queue_tags(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto tags = c.queues.tags(*name);
  if (!tags) return tags.error();
  json::object out;
  if (!tags->empty()) out["Tags"] = map_json(*tags);
  return out;
}

}  // namespace nimbus::sqs
