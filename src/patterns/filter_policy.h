// patterns::FilterPolicy: content filters over JSON, one matcher for the
// three AWS grammars that share it: SNS subscription filter policies,
// EventBridge event patterns and Lambda event source mappings'
// FilterCriteria (same JSON shape; each its own operators, limits and error
// wording: `Grammar`). A policy is a JSON object whose keys must all match
// (AND); each key holds an array of conditions, any of which may match (OR),
// or (body scope) a nested object; "$or" holds alternative policies.
// Conditions:
//   "text" / 12.5 / true / null     exact (numbers to the grammar's decimals)
//   {"prefix": "p"} {"suffix": "s"} {"equals-ignore-case": "t"}
//   {"prefix"|"suffix": {"equals-ignore-case": "p"}}        (EventBridge)
//   {"wildcard": "dir/*.png"}                                (EventBridge)
//   {"cidr": "10.0.0.0/24"} IPv4 or IPv6                     (SNS, EventBridge)
//   {"anything-but": v | [v...] | {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s | [s...]}}
//   {"numeric": [">", 0, "<=", 5]}  {"exists": true|false}
// A value that is an array (a String.Array attribute, a JSON array in a
// body or an event) matches when any element does; a nested key over an
// array of objects matches when any element does.
//
// parse() checks the grammar's limits (SNS: 5 keys, 150 combinations,
// 256 KB, numbers within ±1e9) and refuses with kInvalidArgument whose
// message is the grammar's prefix ("Invalid parameter: FilterPolicy: ",
// "Event pattern is not valid. Reason: ", ...) and the reason.
//
// THREADING RULE: values; a parsed policy is immutable and may be shared.
#pragma once

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nimbus::patterns {

enum class Scope { kMessageAttributes, kMessageBody };

struct Limits {
  size_t max_keys = 5;
  int64_t max_combinations = 150;
  size_t max_bytes = 256 * 1024;
};

// What one service accepts. The defaults are SNS's.
struct Grammar {
  Limits limits;
  double max_number = 1e9;  // numbers in a policy within ±max_number
  int decimals = 5;         // numbers compare to this many digits after the point
  bool cidr = true;
  bool wildcard = false;
  // prefix/suffix with {"equals-ignore-case"}, anything-but with
  // equals-ignore-case, suffix, wildcard and lists of them (EventBridge's additions)
  bool extended_anything_but = false;
  std::string error_prefix = "Invalid parameter: FilterPolicy: ";

  static Grammar sns() { return {}; }
  // EventBridge's event patterns: any number of keys at any depth, numbers
  // within ±5e9 to six decimals (AWS's content-filtering page).
  static Grammar eventbridge() {
    return {{.max_keys = 1000, .max_combinations = 100000, .max_bytes = 2048 * 1024}, 5e9, 6, true, true, true,
            "Event pattern is not valid. Reason: "};
  }
  // Lambda's FilterCriteria: EventBridge's syntax less what Lambda's
  // filtering page leaves out (cidr, wildcard, the anything-but forms).
  static Grammar lambda_filter_criteria(size_t max_bytes) {
    return {{.max_keys = 64, .max_combinations = 10000, .max_bytes = max_bytes}, 5e9, 6, false, false, false,
            "Invalid filter pattern definition. "};
  }
};

class FilterPolicy {
 public:
  static base::Result<FilterPolicy> parse(std::string_view json, Scope scope, const Grammar& grammar = {});
  // Matches a document: the message's attributes as a JSON object (String ->
  // string, Number -> number, String.Array -> array; see sns/), or its body.
  bool matches(const boost::json::value& document) const;
  Scope scope() const { return scope_; }
  struct Node;  // the parsed policy; opaque outside filter_policy.cc

 private:
  FilterPolicy() = default;
  std::shared_ptr<const Node> root_;
  Scope scope_ = Scope::kMessageAttributes;
};

}  // namespace nimbus::patterns
