// The CloudWatch Logs API's request bodies (JSON 1.1): the body itself,
// field types as CloudWatch checks them, log group names or ARNs, limits,
// and the queries GetLogEvents and FilterLogEvents make of them. Pure
// functions, so the service and fuzz/logs_json_fuzz.cc run the same code.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "observability/log_store.h"

namespace nimbus::logs_api {

// The body as a JSON object ("" is {}); kMalformed otherwise.
base::Result<boost::json::object> parse_body(std::string_view body);
// Fields of the wrong JSON type are refused (kMalformed), as CloudWatch's own parser does.
base::Status check_types(const boost::json::object& in);

std::string text(const boost::json::object& in, const char* key);          // "" if absent
std::optional<int64_t> integer(const boost::json::object& in, const char* key);  // saturated to int64
bool flag(const boost::json::object& in, const char* key);

// logGroupName, or logGroupIdentifier (a name or an ARN ending in log-group:NAME[:*]).
base::Result<std::string> group_of(const boost::json::object& in);
// "limit" in [1, max], or fallback when absent.
base::Result<size_t> limit_of(const boost::json::object& in, size_t max, size_t fallback);
// PutRetentionPolicy's retentionInDays, one of CloudWatch's allowed values.
base::Result<int> retention_days(const boost::json::object& in);

base::Result<observability::StreamQuery> stream_query(const boost::json::object& in);  // GetLogEvents
base::Result<observability::LogQuery> log_query(const boost::json::object& in);        // FilterLogEvents

}  // namespace nimbus::logs_api
