// THE list of services nimbus serves. Adding one: a folder src/NAME/ with its
// Service and descriptor(), one line here, one add_subdirectory and a DEPS
// entry in src/server/CMakeLists.txt.
#include "server/application.h"
#include "server/wiring.h"
#include "sts/service.h"

namespace nimbus::server {

const std::vector<ServiceEntry>& service_table() {
  static const std::vector<ServiceEntry> table = {
      {"lambda-code", &wire_lambda_code},  // /_nimbus/code/ (Code.Location links), before the admin API's /_nimbus/
      {"sns-links", &wire_sns_links},  // SNS's SubscribeURL/UnsubscribeURL and /_nimbus/sns/ certificates, unsigned
      {"nimbus", &wire_admin},  // claims /_nimbus/ and GET /metrics before any signature is looked at
      {"execute-api", &wire_execute_api},  // claims invoke URLs (*.execute-api.*, /restapis/…/_user_request_/)
      {"lambda-url", &wire_function_urls},  // claims <url-id>.lambda-url.<region>.* hosts
      {"lambda", &wire_lambda},
      {"logs", &wire_logs},
      {"sqs", &wire_sqs},
      {"apigateway", &wire_apigateway},
      {"sts", [](Application& a) { return a.keep(std::make_unique<sts::Service>(a.credentials))->descriptor(); }},
      {"sns", &wire_sns},
      {"events", &wire_eventbridge},
      {"scheduler", &wire_scheduler},
  };
  return table;
}

}  // namespace nimbus::server
