#include <algorithm>
#include <cmath>

#include "aws/key_value_tags.h"
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
  auto read = aws::read_key_value_tags(tags, field, {.max_tags = 200, .min_value_length = 1});
  if (!read) return validation(read.error().message);
  return read;
}

json::array render_tags(const std::map<std::string, std::string>& tags) { return aws::render_key_value_tags(tags); }

base::Result<Page> page_of(const std::vector<std::string>& keys, aws::JsonFields& f) {
  auto token = f.string("NextToken", {.min_length = 1, .max_length = 2048});
  auto limit = f.integer("MaxResults", {.min = 1, .max = 100});
  if (auto s = f.status(); !s) return s.error();
  return aws::page_by_key(keys, token, static_cast<size_t>(limit.value_or(100)));
}

}  // namespace nimbus::scheduler_api
