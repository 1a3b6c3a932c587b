// What JSON services that tag with lists of {"Key", "Value"} (EventBridge,
// EventBridge Scheduler, ...) share: reading such a list into a map with the
// service's limits and AWS's wording, rendering it back, and paging a sorted
// list of names or keys by a token that is the next item's own name (stable
// while items are added or removed before it).
// Threading: pure functions of values.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace nimbus::aws {

struct TagListRules {
  size_t max_tags = 50;
  size_t min_value_length = 0;  // Scheduler: 1
};

// Absent or null: no tags. kInvalidArgument (ValidationException) for a list
// too long, an entry without both strings, or a key or value out of bounds.
base::Result<std::map<std::string, std::string>> read_key_value_tags(const boost::json::value* tags, const char* field,
                                                                     const TagListRules& rules);
boost::json::array render_key_value_tags(const std::map<std::string, std::string>& tags);

struct Page {
  size_t begin = 0, end = 0;  // the page is keys[begin, end)
  std::string next;           // the next page's token, or empty
};
Page page_by_key(const std::vector<std::string>& sorted_keys, const std::optional<std::string>& token, size_t limit);

}  // namespace nimbus::aws
