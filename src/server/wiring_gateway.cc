// API Gateway: its configuration (gateway.db), the management APIs
// (apigateway_api, signed) and the invoke URLs (execute_api, unsigned, claimed
// before any signature is looked at), whose integrations call the invoker.
#include "apigateway_api/service.h"
#include "execute_api/service.h"
#include "functions/invoker.h"
#include "gateway/documents.h"
#include "server/application.h"
#include "server/wiring.h"

namespace nimbus::server {

base::Status open_gateway(Application& app) {
  auto docs = gateway::Documents::open(app.config.data_dir + "/gateway.db");
  if (!docs)
    return base::make_error(docs.error().code, "API Gateway: cannot open " + app.config.data_dir +
                                                   "/gateway.db: " + docs.error().message);
  app.gateway = std::move(*docs);
  return {};
}

aws::ServiceDescriptor wire_apigateway(Application& app) {
  apigateway_api::Options options;
  options.region = app.config.region;
  options.edge = "localhost:" + std::to_string(app.port);
  return app.keep(std::make_unique<apigateway_api::Service>(*app.gateway, app.blocking, options))->descriptor();
}

aws::ServiceDescriptor wire_execute_api(Application& app) {
  execute_api::Options options;
  options.region = app.config.region;
  options.invoke = [&app](functions::InvokeRequest request,
                          std::function<void(base::Result<functions::InvokeResult>)> done) {
    app.invoker->invoke(std::move(request), std::move(done));
  };
  return app.keep(std::make_unique<execute_api::Service>(*app.gateway, std::move(options)))->descriptor();
}

}  // namespace nimbus::server
