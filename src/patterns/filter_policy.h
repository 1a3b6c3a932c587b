// patterns::FilterPolicy: SNS subscription filter policies, a pure matcher
// that EventBridge patterns and Lambda event source mappings' FilterCriteria
// can share (same JSON grammar, their own limits). A policy is a JSON object
// whose keys must all match (AND); each key holds an array of conditions,
// any of which may match (OR), or (body scope) a nested object; "$or" holds
// alternative policies. Conditions:
//   "text" / 12.5 / true / null     exact (numbers to 5 decimal digits)
//   {"prefix": "p"} {"suffix": "s"} {"equals-ignore-case": "t"}
//   {"anything-but": v | [v...] | {"prefix": "p"} | {"suffix": "s"}}
//   {"numeric": [">", 0, "<=", 5]}  {"exists": true|false}
// A value that is an array (a String.Array attribute, a JSON array in a
// body) matches when any element does.
//
// parse() checks AWS's limits (5 keys, 150 combinations, 256 KB, numbers
// within ±1e9) and refuses with kInvalidArgument whose message is AWS's
// "Invalid parameter: FilterPolicy: ..." text.
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

class FilterPolicy {
 public:
  static base::Result<FilterPolicy> parse(std::string_view json, Scope scope, const Limits& limits = {});
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
