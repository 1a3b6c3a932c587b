// The wiring of each area of nimbus serve, one file each, called by the
// Application's phases (server/application.cc):
//   wiring_storage.cc        the object store and S3
//   wiring_observability.cc  function logs, metrics, traces, the edge's request hook
//   wiring_functions.cc      the registry, invoker, async queue, dead letters, Lambda
//   wiring_events.cc         bucket notifications
//   wiring_gateway.cc        API Gateway: its configuration, management API and invoke URLs
//   wiring_messaging.cc      SQS on queue.db (opened by build_functions, shared with the async queue)
//   wiring_sns.cc            SNS: topics, deliveries, the API and its links
//   wiring_mappings.cc       event source mappings: their store, the pollers, the queue facts
//   wiring_eventbridge.cc    EventBridge: buses and rules, the router, deliveries to targets
//   wiring_scheduler.cc      EventBridge Scheduler: schedules, the API, the timer (EventBridge's deliveries)
//   service_table.cc         every service behind the edge router
//
// THREADING RULE: called on the main thread during startup.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/service.h"
#include "base/result.h"

namespace nimbus::lambda_api {
struct QueueFacts;
}

namespace nimbus::server {

class Application;

base::Status open_storage(Application& app);
base::Status open_functions(Application& app);
base::Status open_events(Application& app);
base::Status open_observability(Application& app);
base::Status open_gateway(Application& app);

aws::ServiceDescriptor wire_s3(Application& app);      // the edge's fallback
void wire_request_metrics(Application& app);          // every service's requests: metrics and spans
base::Status build_functions(Application& app);        // needs app.port
base::Status start_functions(Application& app);
base::Status build_sns(Application& app);          // after build_functions (the queue, the async queue)
base::Status start_sns(Application& app);
base::Status build_mappings(Application& app);     // after build_functions (app.sqs, app.invoker)
void start_mappings(Application& app);
base::Status build_eventbridge(Application& app);  // after build_sns (targets may be topics)
base::Status start_eventbridge(Application& app);
void stop_eventbridge(Application& app);
base::Status build_scheduler(Application& app);  // after build_eventbridge (its deliveries, the schedules' clock)
void start_scheduler(Application& app);
void stop_scheduler(Application& app);
void stop_mappings(Application& app);
void start_events(Application& app);
void start_lifecycle(Application& app);                // the S3 lifecycle sweeper
void add_observability_collectors(Application& app);
// What the Lambda API checks an event source mapping against: an SQS queue's facts by ARN.
std::function<base::Result<lambda_api::QueueFacts>(const std::string&)> queue_facts(Application& app);

// The service table's entries.
aws::ServiceDescriptor wire_lambda_code(Application& app);  // GetFunction's Code.Location downloads
aws::ServiceDescriptor wire_admin(Application& app);
aws::ServiceDescriptor wire_lambda(Application& app);
aws::ServiceDescriptor wire_function_urls(Application& app);  // function URLs: claims their hosts unsigned
aws::ServiceDescriptor wire_logs(Application& app);
aws::ServiceDescriptor wire_sqs(Application& app);          // SQS, both protocols (wiring_messaging.cc)
aws::ServiceDescriptor wire_apigateway(Application& app);   // the management APIs (v1 and v2)
aws::ServiceDescriptor wire_execute_api(Application& app);  // invoke URLs: claims them unsigned
aws::ServiceDescriptor wire_sns(Application& app);
aws::ServiceDescriptor wire_sns_links(Application& app);
aws::ServiceDescriptor wire_eventbridge(Application& app);
aws::ServiceDescriptor wire_scheduler(Application& app);  // EventBridge Scheduler (rest-json, signing name scheduler)

struct ServiceEntry {
  std::string_view name;
  aws::ServiceDescriptor (*build)(Application& app);
};
// Every service nimbus serves but S3, in the order the edge tries them.
const std::vector<ServiceEntry>& service_table();

}  // namespace nimbus::server
