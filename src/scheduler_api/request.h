// One Scheduler request as the operations read it: what the route table
// captured from the path, the URL's query and the JSON body (no HTTP, so the
// readers are also fuzzed alone: fuzz/scheduler_request_fuzz.cc).
// THREADING RULE: a value; one request's.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <vector>

#include "base/encoding.h"

namespace nimbus::scheduler_api {

struct Request {
  std::string operation;
  std::map<std::string, std::string> path;
  std::vector<base::QueryParam> query;
  boost::json::object body;
};

}  // namespace nimbus::scheduler_api
