// How the Lambda API writes its answers: a function's configuration, an
// alias, an event invoke config and a provisioned concurrency config as
// Lambda's JSON, and Lambda's timestamps.
// THREADING RULE: pure functions; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "functions/registry.h"
#include "functions/types.h"

namespace nimbus::lambda_api {

// "2024-01-01T00:00:00.000+0000", as Lambda writes LastModified.
std::string lambda_time(int64_t ms);

boost::json::object configuration_json(const functions::FunctionConfig& c, const std::string& region);
boost::json::object alias_json(const functions::Alias& a, const std::string& region);
boost::json::object event_invoke_config_json(const std::string& function, const std::string& qualifier,
                                             const functions::EventInvokeConfig& c, const std::string& region);
boost::json::object provisioned_json(const functions::Registry::Provisioned& p);

}  // namespace nimbus::lambda_api
