#include <algorithm>
#include <cmath>

#include "scheduler_api/ops.h"

namespace nimbus::scheduler_api {

namespace {

base::Error with_reason(base::ErrorCode code, const char* reason, std::string message) {
  base::Error e = base::make_error(code, std::move(message));
  e.reason = reason;
  return e;
}

bool number_shaped(const std::string& v) {
  return !v.empty() && v.size() < 10 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

base::Error validation(std::string message) {
  return with_reason(base::ErrorCode::kInvalidArgument, "ValidationException", std::move(message));
}

base::Error not_found(std::string message) {
  return with_reason(base::ErrorCode::kNotFound, "ResourceNotFoundException", std::move(message));
}

json::object members(const Request& r, std::initializer_list<std::pair<const char*, const char*>> query) {
  json::object in = r.body;
  for (const auto& [name, value] : r.path) in[name] = value;
  for (const auto& [key, member] : query)
    for (const auto& p : r.query)
      if (p.key == key) {
        if (number_shaped(p.value)) in[member] = std::stoll(p.value);
        else in[member] = p.value;
      }
  return in;
}

base::Result<std::optional<int64_t>> timestamp(const json::object& in, const char* name) {
  const json::value* v = in.if_contains(name);
  if (!v || v->is_null()) return std::optional<int64_t>();
  double seconds;
  if (v->is_int64()) seconds = static_cast<double>(v->as_int64());
  else if (v->is_uint64()) seconds = static_cast<double>(v->as_uint64());
  else if (v->is_double()) seconds = v->as_double();
  else return validation(std::string(name) + " must be a timestamp: seconds since the epoch.");
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 7258118400.0)  // 2200-01-01: no schedule fires after 2199
    return validation(std::string(name) + " is out of range.");
  return std::optional<int64_t>(std::llround(seconds * 1000));
}

double epoch_seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

base::Result<std::map<std::string, std::string>> read_tags(const json::value* tags, const char* field) {
  std::map<std::string, std::string> out;
  if (!tags || tags->is_null()) return out;
  if (!tags->is_array()) return validation(std::string(field) + " must be a list of {Key, Value}.");
  if (tags->as_array().size() > 200)
    return validation("1 validation error detected: Value at '" + aws::member_name(field) +
                      "' failed to satisfy constraint: Member must have length less than or equal to 200");
  for (const auto& t : tags->as_array()) {
    const json::object* o = t.if_object();
    const json::value* k = o ? o->if_contains("Key") : nullptr;
    const json::value* v = o ? o->if_contains("Value") : nullptr;
    if (!k || !k->is_string() || !v || !v->is_string())
      return validation("A tag needs a Key and a Value, both strings.");
    if (k->as_string().empty() || k->as_string().size() > 128 || v->as_string().empty() || v->as_string().size() > 256)
      return validation("A tag's Key must be 1 to 128 characters and its Value 1 to 256.");
    out[std::string(k->as_string())] = std::string(v->as_string());
  }
  return out;
}

json::array render_tags(const std::map<std::string, std::string>& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

base::Result<Page> page_of(const std::vector<std::string>& keys, aws::JsonFields& f) {
  auto token = f.string("NextToken", {.min_length = 1, .max_length = 2048});
  auto limit = f.integer("MaxResults", {.min = 1, .max = 100});
  if (auto s = f.status(); !s) return s.error();
  Page p;
  // The token is the key the page starts at: stable while items come and go before it.
  if (token) p.begin = static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), *token) - keys.begin());
  p.end = std::min(keys.size(), p.begin + static_cast<size_t>(limit.value_or(100)));
  if (p.end < keys.size()) p.next = keys[p.end];
  return p;
}

}  // namespace nimbus::scheduler_api
