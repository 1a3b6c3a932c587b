#include "aws/key_value_tags.h"
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
  return aws::read_key_value_tags(tags, "Tags", {.max_tags = 50});
}

json::array render_tags(const std::map<std::string, std::string>& tags) { return aws::render_key_value_tags(tags); }

base::Result<Page> page_of(const std::vector<std::string>& names, aws::JsonFields& f) {
  auto token = f.string("NextToken", {.min_length = 1, .max_length = 2048});
  auto limit = f.integer("Limit", {.min = 1, .max = 100});
  if (auto s = f.status(); !s) return s.error();
  return aws::page_by_key(names, token, static_cast<size_t>(limit.value_or(100)));
}

double epoch_seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace nimbus::eventbridge
