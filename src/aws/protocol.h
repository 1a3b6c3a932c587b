// The wire protocols AWS services speak, and the one error value every
// service's error table produces. A service states its protocol in its
// ServiceDescriptor (aws/service.h); replies and errors are then rendered
// in that protocol by aws::Call, so a handler never writes wire shapes.
//
//   kJson10 / kJson11  POST / with X-Amz-Target "Prefix.Operation", JSON bodies
//                      (application/x-amz-json-1.0 / 1.1); errors
//                      {"__type": Code, "message": ...} + x-amzn-ErrorType.
//   kQuery             Action=Op&Version=... in a form body or the URL query;
//                      <OpResponse><OpResult>...</OpResult><ResponseMetadata>
//                      replies; <ErrorResponse><Error>... errors.
//   kRestJson          method + path template (aws/rest_routes.h), JSON bodies;
//                      errors as JSON plus x-amzn-ErrorType.
//   kRestXml           S3's: rendered by src/s3 itself.
//
// THREADING RULE: pure functions and values; call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "http/message.h"

namespace nimbus::aws {

enum class Protocol { kJson10, kJson11, kQuery, kRestJson, kRestXml };

std::string_view protocol_name(Protocol p);  // "json-1.0", "query", ...

// An error as a service answers it: HTTP status, the AWS error code
// ("ResourceNotFoundException", "ValidationError"), the message. sender:
// the client's fault (query's <Type>Sender</Type>) or the service's.
struct ServiceError {
  int status = 400;
  std::string code;
  std::string message;
  std::string reason;  // optional, rest-json "Reason" (Lambda's throttling reasons)
  bool sender = true;
  // Services that moved from query to JSON (awsQueryCompatible: SQS): the
  // code a query client knows ("AWS.SimpleQueueService.NonExistentQueue").
  // Query errors use it as their Code; JSON errors keep `code` as __type
  // and add x-amzn-query-error: QUERY_CODE;Sender|Receiver, from which
  // botocore raises the same exception class as against AWS.
  std::string query_code;
};

// A service's table from domain errors to its wire errors: the one place a
// service maps base::Error (see base/result.h) to what its clients expect.
using ErrorTable = ServiceError (*)(const base::Error& e);

// Renders an error in a protocol. xml_namespace: query services' xmlns.
http::Response error_response(Protocol p, const ServiceError& e, std::string_view request_id,
                              std::string_view xml_namespace = {});

// Guesses the protocol of a request nimbus cannot attribute to a served
// service (an unserved AWS service, or a failure before routing): X-Amz-Target
// means JSON (1.0 or 1.1 by Content-Type), a form body or ?Action= means query,
// otherwise `fallback`.
Protocol infer_protocol(const http::Request& req, Protocol fallback);

}  // namespace nimbus::aws
