// CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus.
#include "base/time.h"
#include "buses/store.h"
#include "eventbridge/ops.h"

namespace nimbus::eventbridge {

namespace {

json::object render(const buses::Bus& b) {
  json::object o{{"Name", b.name}, {"Arn", b.arn}};
  if (!b.description.empty()) o["Description"] = b.description;
  o["CreationTime"] = epoch_seconds(b.created_ms);
  o["LastModifiedTime"] = epoch_seconds(b.modified_ms);
  return o;
}

}  // namespace

Reply create_event_bus(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto name = f.string("Name", {.required = true, .min_length = 1, .max_length = 256, .pattern = kBusNamePattern});
  auto description = f.string("Description", {.max_length = 512});
  // Partner buses, customer-managed keys and a bus's own dead-letter queue are not nimbus's.
  f.unsupported("EventSourceName", "CreateEventBus");
  f.unsupported("KmsKeyIdentifier", "CreateEventBus");
  f.unsupported("DeadLetterConfig", "CreateEventBus");
  f.unsupported("LogConfig", "CreateEventBus");
  if (auto s = f.status(); !s) return s.error();
  if (*name == buses::kDefaultBus || name->find('/') != std::string::npos)
    return validation("Event bus name " + *name + " is not valid: it may not be 'default' or contain '/'.");
  auto tags = read_tags(in.if_contains("Tags"));
  if (!tags) return tags.error();
  buses::Bus b;
  b.name = *name;
  b.description = description.value_or("");
  b.tags = std::move(*tags);
  b.created_ms = b.modified_ms = c.clock.now_ms();
  auto made = c.store.create_bus(std::move(b));
  if (!made) {
    if (made.error().code == base::ErrorCode::kAlreadyExists)
      return with_reason(base::ErrorCode::kAlreadyExists, "ResourceAlreadyExistsException", made.error().message);
    return made.error();
  }
  json::object out{{"EventBusArn", made->arn}};
  if (!made->description.empty()) out["Description"] = made->description;
  return out;
}

Reply describe_event_bus(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto bus = existing_bus(c, f, "Name");
  if (!bus) return bus.error();
  return render(*c.store.bus(*bus));
}

Reply list_event_buses(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto prefix = f.string("NamePrefix", {.min_length = 1, .max_length = 256});
  std::vector<buses::Bus> all;
  std::vector<std::string> names;
  for (auto& b : c.store.buses()) {
    if (prefix && b.name.rfind(*prefix, 0) != 0) continue;
    names.push_back(b.name);
    all.push_back(std::move(b));
  }
  auto page = page_of(names, f);
  if (!page) return page.error();
  json::array items;
  for (size_t i = page->begin; i < page->end; ++i) items.push_back(render(all[i]));
  json::object out{{"EventBuses", std::move(items)}};
  if (!page->next.empty()) out["NextToken"] = page->next;
  return out;
}

Reply delete_event_bus(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  auto name = f.string("Name", {.required = true, .min_length = 1, .max_length = 256, .pattern = kBusNamePattern});
  if (auto s = f.status(); !s) return s.error();
  if (auto s = c.store.delete_bus(*name); !s) return validation(s.error().message);
  return json::object{};
}

}  // namespace nimbus::eventbridge
