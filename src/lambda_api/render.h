// How the Lambda API writes its answers: a function's configuration, an
// alias, an event invoke config and a provisioned concurrency config as
// Lambda's JSON, Lambda's timestamps, and a JSON reply with its request id.
// THREADING RULE: pure functions; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>

#include "functions/registry.h"
#include "functions/types.h"
#include "http/message.h"

namespace nimbus::lambda_api {

// "2024-01-01T00:00:00.000+0000", as Lambda writes LastModified.
std::string lambda_time(int64_t ms);

boost::json::object configuration_json(const functions::FunctionConfig& c, const std::string& region);
boost::json::object alias_json(const functions::Alias& a, const std::string& region);
boost::json::object event_invoke_config_json(const std::string& function, const functions::EventInvokeConfig& c,
                                             const std::string& region);
boost::json::object provisioned_json(const functions::Registry::Provisioned& p);

// A JSON reply (204: no body) with a request id.
http::Response json_reply(int status, const boost::json::value& v);

}  // namespace nimbus::lambda_api
