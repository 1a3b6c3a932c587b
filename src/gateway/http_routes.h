// HTTP APIs' route keys and route selection: "$default" or "METHOD /path"
// where a path segment may be a literal, "{name}" (one segment) or, last,
// "{name+}" (one or more segments). A request goes to the most specific
// matching route: segment by segment a literal beats a parameter, which beats
// a greedy parameter; at equal paths a named method beats ANY; $default
// takes what nothing else matches.
// THREADING RULE: parse_route_key is pure; a RouteTable is built once, then
// select() is const and safe from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace nimbus::gateway {

struct RouteKey {
  bool is_default = false;  // "$default"
  std::string method;       // upper case, or "ANY"
  std::string path;         // as written: "/pets/{id}"
  struct Segment {
    enum Kind { kLiteral, kParam, kGreedy } kind = kLiteral;
    std::string text;  // the literal, or the parameter's name
  };
  std::vector<Segment> segments;
};

// kInvalidArgument with API Gateway's wording when the key is not one.
base::Result<RouteKey> parse_route_key(std::string_view key);

struct RouteMatch {
  std::string route_id;
  std::string route_key;  // as written
  std::map<std::string, std::string> path_parameters;  // URL-decoded
};

class RouteTable {
 public:
  void add(std::string route_id, std::string route_key, RouteKey parsed);
  // path: the request's path below the stage, raw (not decoded), "/" at least.
  std::optional<RouteMatch> select(std::string_view method, std::string_view path) const;
  bool empty() const { return routes_.empty(); }

 private:
  struct Row {
    std::string id, key;
    RouteKey parsed;
  };
  std::vector<Row> routes_;
};

}  // namespace nimbus::gateway
