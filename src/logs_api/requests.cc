#include "logs_api/requests.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cmath>
#include <limits>
#include <string>

namespace nimbus::logs_api {

namespace json = boost::json;

namespace {
base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }
}  // namespace

base::Result<json::object> parse_body(std::string_view body) {
  boost::system::error_code ec;
  json::value in = json::parse(body.empty() ? std::string_view("{}") : body, ec);
  if (ec || !in.is_object()) return base::make_error(base::ErrorCode::kMalformed, "Could not parse the request body as JSON");
  return in.as_object();
}

base::Status check_types(const json::object& in) {
  auto bad = [](const char* key, const char* want) {
    return base::make_error(base::ErrorCode::kMalformed, std::string("Value for ") + key + " must be " + want);
  };
  for (const char* key : {"limit", "startTime", "endTime", "retentionInDays"})
    if (auto* v = in.if_contains(key); v && !v->is_number()) return bad(key, "a number");
  for (const char* key : {"logGroupName", "logGroupIdentifier", "logStreamName", "logStreamNamePrefix",
                          "logGroupNamePrefix", "filterPattern", "nextToken", "orderBy"})
    if (auto* v = in.if_contains(key); v && !v->is_string()) return bad(key, "a string");
  for (const char* key : {"descending", "startFromHead", "interleaved"})
    if (auto* v = in.if_contains(key); v && !v->is_bool()) return bad(key, "a boolean");
  if (auto* v = in.if_contains("logStreamNames")) {
    if (!v->is_array()) return bad("logStreamNames", "a list of strings");
    for (const auto& n : v->as_array())
      if (!n.is_string()) return bad("logStreamNames", "a list of strings");
  }
  return {};
}

std::string text(const json::object& in, const char* key) {
  auto* v = in.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<int64_t> integer(const json::object& in, const char* key) {
  auto* v = in.if_contains(key);
  if (!v) return std::nullopt;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), kMax));
  if (v->is_double()) {
    // Converting a double outside int64's range is undefined behaviour
    // (found by fuzz/logs_json_fuzz.cc: "limit":1.5e20), so saturate first.
    double d = v->as_double();
    if (std::isnan(d)) return std::nullopt;
    if (d >= 9223372036854775807.0) return kMax;
    if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

bool flag(const json::object& in, const char* key) {
  auto* v = in.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

base::Result<std::string> group_of(const json::object& in) {
  std::string name = text(in, "logGroupName");
  std::string id = text(in, "logGroupIdentifier");
  if (!name.empty() && !id.empty()) return invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (name.empty()) {
    name = id;
    if (auto at = id.find(":log-group:"); id.rfind("arn:", 0) == 0 && at != std::string::npos) {
      name = id.substr(at + 11);
      if (name.size() >= 2 && name.compare(name.size() - 2, 2, ":*") == 0) name.resize(name.size() - 2);
    }
  }
  if (name.empty()) return invalid("Either logGroupName or logGroupIdentifier is required.");
  return name;
}

base::Result<size_t> limit_of(const json::object& in, size_t max, size_t fallback) {
  auto l = integer(in, "limit");
  if (!l) return fallback;
  if (*l < 1 || static_cast<size_t>(*l) > max)
    return invalid("1 validation error detected: Value '" + std::to_string(*l) +
                   "' at 'limit' failed to satisfy constraint: Member must have value between 1 and " +
                   std::to_string(max));
  return static_cast<size_t>(*l);
}

base::Result<int> retention_days(const json::object& in) {
  static constexpr int kAllowed[] = {1,   3,   5,   7,   14,  30,   60,   90,   120,  150,  180,
                                     365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
  auto days = integer(in, "retentionInDays");
  if (!days || std::find(std::begin(kAllowed), std::end(kAllowed), *days) == std::end(kAllowed))
    return invalid("retentionInDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
                   "731, 1096, 1827, 2192, 2557, 2922, 3288, 3653");
  return static_cast<int>(*days);
}

base::Result<observability::StreamQuery> stream_query(const json::object& in) {
  auto group = group_of(in);
  if (!group) return group.error();
  auto limit = limit_of(in, 10000, 10000);
  if (!limit) return limit.error();
  observability::StreamQuery q;
  q.group = *group;
  q.stream = text(in, "logStreamName");
  if (q.stream.empty()) return invalid("logStreamName is required.");
  q.start_ms = integer(in, "startTime").value_or(0);
  if (auto end = integer(in, "endTime")) q.end_ms = *end;
  q.limit = *limit;
  q.from_head = flag(in, "startFromHead");
  q.token = text(in, "nextToken");
  return q;
}

base::Result<observability::LogQuery> log_query(const json::object& in) {
  auto group = group_of(in);
  if (!group) return group.error();
  auto limit = limit_of(in, 10000, 10000);
  if (!limit) return limit.error();
  observability::LogQuery q;
  q.group = *group;
  if (auto* names = in.if_contains("logStreamNames"); names && names->is_array())
    for (const auto& n : names->as_array())
      if (n.is_string()) q.streams.emplace_back(n.as_string());
  q.stream_prefix = text(in, "logStreamNamePrefix");
  if (!q.streams.empty() && !q.stream_prefix.empty())
    return invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  q.start_ms = integer(in, "startTime").value_or(0);
  if (auto end = integer(in, "endTime")) q.end_ms = *end;
  q.pattern = text(in, "filterPattern");
  q.limit = *limit;
  q.after = text(in, "nextToken");
  return q;
}

}  // namespace nimbus::logs_api
