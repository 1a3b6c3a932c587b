// AWS services nimbus does not serve (yet), by SigV4 signing name and
// X-Amz-Target prefix, with the protocol their clients speak, so a request
// for one gets a clear error the client can print:
//   An error occurred (NotImplemented) ...: nimbus does not serve DynamoDB (dynamodb) yet
//
// THREADING RULE: pure functions over a constant table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/protocol.h"
#include "http/message.h"

namespace nimbus::aws {

struct KnownService {
  std::string_view signing_name;   // "sqs"
  std::string_view title;          // "SQS"
  Protocol protocol;               // what clients use when nothing else tells
  std::string_view target_prefix;  // "AmazonSQS." ("" when none)
  std::string_view xml_namespace;  // query services' error xmlns
};

std::optional<KnownService> known_by_signing_name(std::string_view name);
std::optional<KnownService> known_by_target(std::string_view x_amz_target);

// The error for a request nimbus does not serve, in the protocol the request
// itself speaks (a newer CloudWatch client speaks JSON 1.0, an older one query).
// name: the scope service or target ("sqs", "AmazonSQS.ListQueues").
http::Response unserved_response(const http::Request& req, std::string_view name, std::string_view request_id);

}  // namespace nimbus::aws
