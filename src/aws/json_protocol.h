// JSON protocols (JSON 1.0/1.1 by X-Amz-Target, and rest-json): request
// bodies and replies. Handlers normally reply through aws::Call::reply();
// these are the pieces it uses, for code that renders without a Call.
//
// THREADING RULE: pure functions; call from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "aws/protocol.h"
#include "base/result.h"
#include "http/message.h"

namespace nimbus::aws {

// A JSON request body as an object ("" is {}). kMalformed (reported by AWS
// services as SerializationException) for anything else.
base::Result<boost::json::object> parse_json_object(std::string_view body);

// The operation named by X-Amz-Target after `prefix` ("Logs_20140328."); ""
// when the header is absent or has another prefix.
std::string target_operation(const http::Request& req, std::string_view prefix);

// "application/x-amz-json-1.0", "application/x-amz-json-1.1", or
// "application/json" for rest-json.
std::string_view json_content_type(Protocol p);

http::Response json_response(Protocol p, const boost::json::value& body, std::string_view request_id,
                             int status = 200);

}  // namespace nimbus::aws
