// API Gateway: its configuration (gateway.db), the management APIs
// (apigateway_api, signed) and the invoke URLs (execute_api, unsigned, claimed
// before any signature is looked at), whose integrations call the invoker,
// and whose requests go to the stages' access logs, metrics and spans.
#include "apigateway_api/service.h"
#include "execute_api/access_log.h"
#include "execute_api/service.h"
#include "functions/invoker.h"
#include "gateway/documents.h"
#include "gateway/usage.h"
#include "observability/log_store.h"
#include "observability/span_store.h"
#include "server/metrics_wiring.h"
#include "server/application.h"
#include "server/wiring.h"

namespace nimbus::server {

base::Status open_gateway(Application& app) {
  auto docs = gateway::Documents::open(app.config.data_dir + "/gateway.db");
  if (!docs)
    return base::make_error(docs.error().code, "API Gateway: cannot open " + app.config.data_dir +
                                                   "/gateway.db: " + docs.error().message);
  app.gateway = std::move(*docs);
  app.usage = std::make_unique<gateway::UsageCounters>();
  return {};
}

aws::ServiceDescriptor wire_apigateway(Application& app) {
  apigateway_api::Options options;
  options.region = app.config.region;
  options.edge = "localhost:" + std::to_string(app.port);
  options.usage = app.usage.get();  // GetUsage, UpdateUsage
  return app.keep(std::make_unique<apigateway_api::Service>(*app.gateway, app.blocking, options))->descriptor();
}

aws::ServiceDescriptor wire_execute_api(Application& app) {
  execute_api::Options options;
  options.region = app.config.region;
  options.authenticator = &app.authenticator;  // AWS_IAM routes and methods
  options.usage = app.usage.get();              // usage plans' quotas, read by GetUsage
  options.invoke = [&app](functions::InvokeRequest request,
                          std::function<void(base::Result<functions::InvokeResult>)> done) {
    app.invoker->invoke(std::move(request), std::move(done));
  };
  // On the io thread: the access-log line is queued for the log store's
  // writer thread (LogStore::append only queues), metrics and the span too.
  bool telemetry = app.config.telemetry;
  options.on_request = [&app, telemetry](const execute_api::RequestFacts& f) {
    if (!f.log_group.empty())
      app.logs->append(f.log_group, execute_api::access_log_stream(f), f.request_id, f.request_time_ms,
                       execute_api::render_access_log(f.log_format, f));
    if (!telemetry) return;
    record_gateway_request(app.metrics, f);
    app.spans->record(span_of(f));
  };
  auto d = app.keep(std::make_unique<execute_api::Service>(*app.gateway, std::move(options)))->descriptor();
  d.records_itself = true;  // its own metrics and span (the function's parent), above
  return d;
}

}  // namespace nimbus::server
