// What SQS keeps for each queue beside its messages: the settable
// attributes (as their string values, defaults filled in), tags, and the
// created / last-modified times. Kept as one JSON document in the queue's
// queue::QueueConfig::settings. The rules of each settable attribute (names,
// ranges, which apply to FIFO queues only) are here; the ones that need other
// queues (RedrivePolicy's target) are checked by sqs::Queues.
//
// THREADING RULE: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace nimbus::sqs {

using StringMap = std::map<std::string, std::string>;

struct QueueSettings {
  StringMap attributes;  // settable attributes only
  StringMap tags;
  int64_t created_ms = 0, modified_ms = 0;

  std::string json() const;
  static QueueSettings parse(const std::string& json);  // "" or damaged: empty settings

  int64_t integer(const std::string& name) const;  // a numeric attribute (0 when absent)
  bool flag(const std::string& name) const;        // "true"
  bool fifo() const { return flag("FifoQueue"); }
};

// The defaults of a new queue (FIFO ones when fifo).
StringMap default_attributes(bool fifo);

// Checks names and values of attributes given to CreateQueue (creating) or
// SetQueueAttributes: InvalidAttributeName for an unknown, read-only or
// wrong-kind name, InvalidAttributeValue for a value out of range, with
// AWS's messages. FifoQueue only at creation.
base::Status check_attributes(const StringMap& attributes, bool fifo, bool creating);

// The names GetQueueAttributes knows (settable and computed), for "All" and
// for refusing unknown names.
const std::vector<std::string>& readable_attribute_names(bool fifo);

}  // namespace nimbus::sqs
