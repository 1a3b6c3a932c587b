// Event source mappings: their store (mappings.db), the Runner that keeps a
// poller on each enabled mapping's SQS queue invoking its function, and the
// facts the Lambda API checks a mapping against (the queue's FIFO-ness and
// visibility timeout).
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <thread>

#include "functions/invoker.h"
#include "lambda_api/mapping_request.h"
#include "mappings/runner.h"
#include "mappings/store.h"
#include "server/application.h"
#include "server/wiring.h"
#include "sqs/names.h"
#include "sqs/queues.h"

namespace nimbus::server {

base::Status build_mappings(Application& app) {
  auto store = mappings::Store::open(app.config.data_dir + "/mappings.db");
  if (!store)
    return base::make_error(store.error().code, "event source mappings: cannot open " + app.config.data_dir +
                                                    "/mappings.db: " + store.error().message);
  app.mappings = std::move(*store);
  mappings::PollerOptions options;
  options.region = app.config.region;
  // As many batches at once per mapping as async invocations per function,
  // unless a mapping's ScalingConfig says otherwise.
  options.default_concurrency = app.config.async_concurrency > 0
                                    ? app.config.async_concurrency
                                    : 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.mapping_runner = std::make_unique<mappings::Runner>(
      *app.mappings, *app.sqs,
      [&app](functions::InvokeRequest r, std::function<void(base::Result<functions::InvokeResult>)> done) {
        app.invoker->invoke(std::move(r), std::move(done));
      },
      options);
  // The store tells after each write (on the blocking pool, where the Lambda
  // API writes); reconciling joins stopped pollers, so it runs as a task of
  // its own there, not inside the request.
  app.mappings->on_change([&app] { boost::asio::post(app.blocking, [&app] { app.mapping_runner->reconcile(); }); });
  return {};
}

void start_mappings(Application& app) {
  app.mapping_runner->reconcile();
  if (auto n = app.mapping_runner->running()) spdlog::info("event source mappings: {} running", n);
}

void stop_mappings(Application& app) {
  if (app.mapping_runner) app.mapping_runner->stop();
}

std::function<base::Result<lambda_api::QueueFacts>(const std::string&)> queue_facts(Application& app) {
  return [&app](const std::string& arn) -> base::Result<lambda_api::QueueFacts> {
    auto name = sqs::name_from_arn(arn);
    if (!name) return base::make_error(base::ErrorCode::kInvalidArgument, "not an SQS queue ARN: " + arn);
    auto settings = app.sqs->settings(*name);
    if (!settings) return settings.error();
    lambda_api::QueueFacts facts;
    facts.fifo = settings->fifo();
    if (settings->attributes.count("VisibilityTimeout"))
      facts.visibility_timeout_s = static_cast<int>(settings->integer("VisibilityTimeout"));
    return facts;
  };
}

}  // namespace nimbus::server
