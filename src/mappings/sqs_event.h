// The SQS event a mapping hands its function, and how Lambda reads the
// function's answer to it.
//
// sqs_event_json: {"Records": [...]} with each message as Lambda writes it:
// messageId, receiptHandle, body, attributes (the system attributes),
// messageAttributes ({stringValue | binaryValue (base64), stringListValues,
// binaryListValues, dataType}), md5OfMessageAttributes when there are any,
// md5OfBody, eventSource "aws:sqs", eventSourceARN, awsRegion.
//
// read_batch_response: with ReportBatchItemFailures, the ids the function
// reported as failed. As Lambda reads it: an empty or null answer, an object
// without batchItemFailures, or a null or empty list is complete success; an
// answer that is not JSON, an item without a string itemIdentifier (or an
// empty one), or an id not in the batch fails the whole batch (kInvalidArgument).
//
// THREADING RULE: pure functions.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sqs/queues.h"

namespace nimbus::mappings {

std::string sqs_event_json(const std::vector<sqs::ReceivedMessage>& messages, const std::string& queue_arn,
                           const std::string& region);

base::Result<std::set<std::string>> read_batch_response(std::string_view payload,
                                                        const std::set<std::string>& batch_ids);

}  // namespace nimbus::mappings
