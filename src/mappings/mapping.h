// mappings::Mapping: one Lambda event source mapping (an SQS queue feeding a
// function) as nimbus keeps it, and its JSON form in mappings.db. The Lambda
// API (lambda_api/event_source_mapping_ops.cc) reads and checks requests into
// it; mappings::Runner runs the enabled ones.
//
// THREADING RULE: values.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace nimbus::mappings {

struct Mapping {
  std::string uuid;
  std::string event_source_arn;  // arn:aws:sqs:REGION:ACCOUNT:NAME
  std::string function;          // name
  std::string qualifier;         // "" (unqualified), a version or an alias
  bool enabled = true;
  int batch_size = 10;
  int batching_window_s = 0;          // MaximumBatchingWindowInSeconds
  bool report_batch_item_failures = false;  // FunctionResponseTypes
  int maximum_concurrency = 0;        // ScalingConfig.MaximumConcurrency; 0: not set
  std::vector<std::string> filters;   // FilterCriteria.Filters[].Pattern, as given
  std::map<std::string, std::string> tags;
  int64_t last_modified_ms = 0;
  std::string last_processing_result = "No records processed";
};

boost::json::object to_json(const Mapping& m);
base::Result<Mapping> from_json(const boost::json::value& v);

}  // namespace nimbus::mappings
