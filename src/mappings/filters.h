// FilterCriteria of an event source mapping: up to 5 patterns (each at most
// 4,096 characters) in EventBridge's grammar (patterns/filter_policy.h), over
// the SQS record as the function would get it, its body read as JSON when it
// is JSON (and as a string otherwise). A record passes when any pattern
// matches; with no patterns every record passes. Lambda deletes the records
// that pass none without invoking the function.
//
// THREADING RULE: an immutable value once parsed; match from any thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "patterns/filter_policy.h"
#include "sqs/queues.h"

namespace nimbus::mappings {

class Filters {
 public:
  static constexpr size_t kMaxPatterns = 5;
  static constexpr size_t kMaxPatternLength = 4096;
  // kInvalidArgument with Lambda's message for a bad pattern or too many.
  static base::Result<Filters> parse(const std::vector<std::string>& patterns);
  bool passes(const sqs::ReceivedMessage& m) const;
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<patterns::FilterPolicy> patterns_;
};

}  // namespace nimbus::mappings
