#include "buses/router.h"
#include "buses/store.h"
#include "eventbridge/ops.h"

namespace nimbus::eventbridge {

base::Error with_reason(base::ErrorCode code, const char* reason, std::string message) {
  base::Error e = base::make_error(code, std::move(message));
  e.reason = reason;
  return e;
}

base::Error validation(std::string message) {
  return with_reason(base::ErrorCode::kInvalidArgument, "ValidationException", std::move(message));
}

base::Error not_found(std::string message) {
  return with_reason(base::ErrorCode::kNotFound, "ResourceNotFoundException", std::move(message));
}

base::Result<std::string> existing_bus(Context& c, aws::JsonFields& f, const char* field) {
  auto given = f.string(field, {.min_length = 1, .max_length = 1600});
  if (auto s = f.status(); !s) return s.error();
  std::string name = buses::Router::bus_name_of(given.value_or(""));
  if (!c.store.bus(name)) return not_found("Event bus " + name + " does not exist.");
  return name;
}

base::Result<std::map<std::string, std::string>> read_tags(const json::value* tags) {
  std::map<std::string, std::string> out;
  if (!tags) return out;
  if (!tags->is_array()) return base::make_error(base::ErrorCode::kMalformed, "Tags must be a list");
  if (tags->as_array().size() > 50) return validation("Tags can have at most 50 entries.");
  for (const auto& t : tags->as_array()) {
    const json::object* o = t.if_object();
    const json::value* k = o ? o->if_contains("Key") : nullptr;
    const json::value* v = o ? o->if_contains("Value") : nullptr;
    if (!k || !k->is_string() || !v || !v->is_string())
      return validation("A tag needs a Key and a Value, both strings.");
    if (k->as_string().empty() || k->as_string().size() > 128 || v->as_string().size() > 256)
      return validation("A tag's Key must be 1 to 128 characters and its Value at most 256.");
    out[std::string(k->as_string())] = std::string(v->as_string());
  }
  return out;
}

json::array render_tags(const std::map<std::string, std::string>& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

base::Result<Page> page_of(const std::vector<std::string>& names, aws::JsonFields& f) {
  auto token = f.string("NextToken", {.min_length = 1, .max_length = 2048});
  auto limit = f.integer("Limit", {.min = 1, .max = 100});
  if (auto s = f.status(); !s) return s.error();
  Page p;
  if (token) {
    // The token is the name the page starts at: stable while items are added or removed before it.
    p.begin = static_cast<size_t>(std::lower_bound(names.begin(), names.end(), *token) - names.begin());
  }
  size_t n = static_cast<size_t>(limit.value_or(100));
  p.end = std::min(names.size(), p.begin + n);
  if (p.end < names.size()) p.next = names[p.end];
  return p;
}

double epoch_seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace nimbus::eventbridge
