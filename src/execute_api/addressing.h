// Where execute-api traffic is addressed, in the forms LocalStack documents
// (so scripts written for it work):
//   http://<api-id>.execute-api.<anything>:4566/<stage>/<path>   (host form; $default: no stage)
//   http://<edge>/restapis/<api-id>/<stage>/_user_request_/<path>
//   http://<edge>/_aws/execute-api/<api-id>/<stage>/<path>
// THREADING RULE: pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus::execute_api {

struct Address {
  std::string api_id;
  std::string path;   // raw, from '/', the stage segment included when there is one
  std::string query;  // raw, without '?'
  std::string domain_name;  // what requestContext.domainName says
};

// The host without its port, lower-cased.
std::string host_of(std::string_view host_header);
// True when the request is execute-api traffic in one of the forms above.
bool is_execute_api(std::string_view host_header, std::string_view target);
std::optional<Address> parse_address(std::string_view host_header, std::string_view target);

}  // namespace nimbus::execute_api
