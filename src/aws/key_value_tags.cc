#include "aws/key_value_tags.h"

#include <algorithm>

#include "aws/fields.h"

namespace nimbus::aws {

namespace json = boost::json;

namespace {
base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }
}  // namespace

base::Result<std::map<std::string, std::string>> read_key_value_tags(const json::value* tags, const char* field,
                                                                     const TagListRules& rules) {
  std::map<std::string, std::string> out;
  if (!tags || tags->is_null()) return out;
  if (!tags->is_array()) return invalid(std::string(field) + " must be a list of {Key, Value}.");
  if (tags->as_array().size() > rules.max_tags)
    return invalid("1 validation error detected: Value at '" + member_name(field) +
                   "' failed to satisfy constraint: Member must have length less than or equal to " +
                   std::to_string(rules.max_tags));
  for (const auto& t : tags->as_array()) {
    const json::object* o = t.if_object();
    const json::value* k = o ? o->if_contains("Key") : nullptr;
    const json::value* v = o ? o->if_contains("Value") : nullptr;
    if (!k || !k->is_string() || !v || !v->is_string()) return invalid("A tag needs a Key and a Value, both strings.");
    size_t key = k->as_string().size(), value = v->as_string().size();
    if (key == 0 || key > 128 || value < rules.min_value_length || value > 256)
      return invalid("A tag's Key must be 1 to 128 characters and its Value " +
                     (rules.min_value_length ? std::to_string(rules.min_value_length) + " to 256." : "at most 256."));
    out[std::string(k->as_string())] = std::string(v->as_string());
  }
  return out;
}

json::array render_key_value_tags(const std::map<std::string, std::string>& tags) {
  json::array out;
  for (const auto& [k, v] : tags) out.push_back(json::object{{"Key", k}, {"Value", v}});
  return out;
}

Page page_by_key(const std::vector<std::string>& keys, const std::optional<std::string>& token, size_t limit) {
  Page p;
  if (token) p.begin = static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), *token) - keys.begin());
  p.end = std::min(keys.size(), p.begin + limit);
  if (p.end < keys.size()) p.next = keys[p.end];
  return p;
}

}  // namespace nimbus::aws
