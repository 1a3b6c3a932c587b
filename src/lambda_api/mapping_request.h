// The bodies of CreateEventSourceMapping and UpdateEventSourceMapping for an
// SQS queue, read onto a mappings::Mapping with Lambda's rules and messages.
// What an SQS mapping has no use for (stream, Kafka, MQ and DocumentDB
// settings) is refused as Lambda refuses it; what Lambda offers for SQS and
// nimbus does not do (KMSKeyArn, MetricsConfig, ProvisionedPollerConfig) is
// refused by name. Pure, so fuzz/lambda_json_fuzz.cc runs the same code.
#pragma once

#include <boost/json/object.hpp>

#include "base/result.h"
#include "mappings/mapping.h"

namespace nimbus::lambda_api {

struct QueueFacts {
  bool fifo = false;
  int visibility_timeout_s = 30;
};

// Applies the settable fields (BatchSize, MaximumBatchingWindowInSeconds,
// Enabled, FilterCriteria, FunctionResponseTypes, ScalingConfig; Tags when
// creating) onto m, then checks the whole against the queue it reads.
base::Status apply_mapping_request(const boost::json::object& in, bool create, const QueueFacts& queue,
                                   mappings::Mapping& m);

}  // namespace nimbus::lambda_api
