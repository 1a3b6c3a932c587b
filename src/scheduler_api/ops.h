// The Scheduler operations as functions of (context, request), and the
// request readers they share. Internal to scheduler_api/.
// Threading: called on the blocking pool, one request per call.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/fields.h"
#include "aws/key_value_tags.h"
#include "base/clock.h"
#include "base/result.h"
#include "scheduler_api/request.h"
#include "timetable/types.h"

namespace nimbus::timetable {
class Store;
}

namespace nimbus::scheduler_api {

namespace json = boost::json;

struct Context {
  timetable::Store& store;
  const base::Clock& clock;  // creation and modification times: the schedules' clock
};

using Reply = base::Result<json::object>;
using Operation = Reply (*)(Context&, const Request&);

// schedule_ops.cc
Reply create_schedule(Context& c, const Request& r);
Reply get_schedule(Context& c, const Request& r);
Reply update_schedule(Context& c, const Request& r);
Reply delete_schedule(Context& c, const Request& r);
Reply list_schedules(Context& c, const Request& r);
// group_ops.cc
Reply create_schedule_group(Context& c, const Request& r);
Reply get_schedule_group(Context& c, const Request& r);
Reply delete_schedule_group(Context& c, const Request& r);
Reply list_schedule_groups(Context& c, const Request& r);
// tag_ops.cc
Reply tag_resource(Context& c, const Request& r);
Reply untag_resource(Context& c, const Request& r);
Reply list_tags_for_resource(Context& c, const Request& r);

// requests.cc ---------------------------------------------------------------

base::Error validation(std::string message);    // ValidationException
base::Error not_found(std::string message);     // ResourceNotFoundException

// Names of schedules and groups, and ClientTokens, as the model has them.
inline constexpr std::string_view kNamePattern = "^[0-9a-zA-Z-_.]+$";
inline constexpr std::string_view kTokenPattern = "^[a-zA-Z0-9-_]+$";

// The members a request carries in its path and query, added to its body
// under their member names (query `groupName` as GroupName, ...), so that one
// JsonFields reader checks them all in AWS's words. `query` maps a query
// key to its member name; a number-shaped value becomes a number.
json::object members(const Request& r, std::initializer_list<std::pair<const char*, const char*>> query = {});
// A timestamp member (epoch seconds, as rest-json sends them) in milliseconds.
base::Result<std::optional<int64_t>> timestamp(const json::object& in, const char* name);
double epoch_seconds(int64_t ms);
// Tags [{Key, Value}] as a map: at most 200, keys 1..128, values 1..256.
base::Result<std::map<std::string, std::string>> read_tags(const json::value* tags, const char* field = "Tags");
json::array render_tags(const std::map<std::string, std::string>& tags);
// Paging over sorted keys: the items from the token on, at most MaxResults (1..100).
using aws::Page;
base::Result<Page> page_of(const std::vector<std::string>& keys, aws::JsonFields& f);

}  // namespace nimbus::scheduler_api
