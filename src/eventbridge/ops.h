// The EventBridge operations as functions of (context, request body), and
// the request readers they share. Internal to eventbridge/.
// Threading: called on the blocking pool, one request per call.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <string>

#include "aws/fields.h"
#include "aws/key_value_tags.h"
#include "base/clock.h"
#include "base/result.h"

namespace nimbus::buses {
class Store;
class Router;
}  // namespace nimbus::buses

namespace nimbus::eventbridge {

namespace json = boost::json;

struct Context {
  buses::Store& store;
  buses::Router& router;
  const base::Clock& clock;  // creation times: the schedules' clock, which a test may scale
};

using Reply = base::Result<json::object>;

// bus_ops.cc
Reply create_event_bus(Context& c, const json::object& in);
Reply describe_event_bus(Context& c, const json::object& in);
Reply list_event_buses(Context& c, const json::object& in);
Reply delete_event_bus(Context& c, const json::object& in);
// rule_ops.cc
Reply put_rule(Context& c, const json::object& in);
Reply describe_rule(Context& c, const json::object& in);
Reply list_rules(Context& c, const json::object& in);
Reply enable_rule(Context& c, const json::object& in);
Reply disable_rule(Context& c, const json::object& in);
Reply delete_rule(Context& c, const json::object& in);
Reply test_event_pattern(Context& c, const json::object& in);
// target_ops.cc
Reply put_targets(Context& c, const json::object& in);
Reply remove_targets(Context& c, const json::object& in);
Reply list_targets_by_rule(Context& c, const json::object& in);
Reply list_rule_names_by_target(Context& c, const json::object& in);
// put_events_ops.cc
Reply put_events(Context& c, const json::object& in);
// tag_ops.cc
Reply tag_resource(Context& c, const json::object& in);
Reply untag_resource(Context& c, const json::object& in);
Reply list_tags_for_resource(Context& c, const json::object& in);

// requests.cc ---------------------------------------------------------------

base::Error validation(std::string message);       // ValidationException
base::Error not_found(std::string message);        // ResourceNotFoundException
base::Error with_reason(base::ErrorCode code, const char* reason, std::string message);

// Names of buses and rules: [.\-_A-Za-z0-9]+, 1..64 (rules) / 1..256 (buses).
inline constexpr std::string_view kNamePattern = "[\\.\\-_A-Za-z0-9]+";
inline constexpr std::string_view kBusNamePattern = "[/\\.\\-_A-Za-z0-9]+";

// EventBusName (a name or an ARN; the default bus when absent) that must exist.
base::Result<std::string> existing_bus(Context& c, aws::JsonFields& f, const char* field = "EventBusName");
// Tags [{Key, Value}] as a map; at most 50, keys 1..128, values 0..256.
base::Result<std::map<std::string, std::string>> read_tags(const json::value* tags);
json::array render_tags(const std::map<std::string, std::string>& tags);
// Paging by name: the items after the token, at most limit; the next token or "".
using aws::Page;
base::Result<Page> page_of(const std::vector<std::string>& names, aws::JsonFields& f);
double epoch_seconds(int64_t ms);

}  // namespace nimbus::eventbridge
