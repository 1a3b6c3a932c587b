// Functions: the registry, the invoker (told the edge's address), the async
// queue with its destinations and dead-letter targets, and the Lambda API.
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <thread>

#include "base/time.h"
#include "function_urls/service.h"
#include "functions/async_queue.h"
#include "functions/code_package.h"
#include "functions/invoker.h"
#include "functions/registry.h"
#include "lambda_api/code_location.h"
#include "lambda_api/mapping_request.h"
#include "lambda_api/service.h"
#include "observability/log_store.h"
#include "observability/span_store.h"
#include "queue/store.h"
#include "runtime_api/listener.h"
#include "server/application.h"
#include "server/metrics_wiring.h"
#include "server/targets.h"
#include "server/wiring.h"
#include "sqs/queues.h"
#include "storage/store.h"

namespace nimbus::server {

namespace {

// The invocation record Lambda sends a destination, for a success or a failure.
std::string destination_record(const std::string& region, const functions::EventOutcome& e) {
  auto [name, qualifier] = functions::split_target(e.function);
  boost::json::object response_context{{"statusCode", 200}, {"executedVersion", e.executed_version}};
  if (e.condition != "Success") response_context["functionError"] = "Unhandled";
  boost::json::object record{
      {"version", "1.0"},
      {"timestamp", base::iso8601(base::now_ms())},
      {"requestContext",
       boost::json::object{{"requestId", e.id},
                           {"functionArn", functions::function_arn(region, name, qualifier.empty() ? "$LATEST" : qualifier)},
                           {"condition", e.condition},
                           {"approximateInvokeCount", e.attempts}}},
      {"responseContext", response_context}};
  boost::system::error_code ec;
  auto request = boost::json::parse(e.payload, ec);
  record["requestPayload"] = ec ? boost::json::value(e.payload) : request;
  if (!e.response.empty()) {
    auto response = boost::json::parse(e.response, ec);
    record["responsePayload"] = ec ? boost::json::value(e.response) : response;
  }
  return boost::json::serialize(record);
}

// Writes an invocation record to an S3 bucket destination, under
// aws/lambda/async/FUNCTION/YYYY/MM/DD/HH/REQUEST-ID.json.
void write_record_to_bucket(storage::Store& store, const std::string& bucket, const functions::EventOutcome& e,
                            const std::string& body) {
  std::string function = e.function.substr(0, e.function.find(':'));
  std::string hour = base::iso8601(base::now_ms()).substr(0, 13);  // 2024-01-01T10
  std::string key = "aws/lambda/async/" + function + "/" + hour.substr(0, 4) + "/" + hour.substr(5, 2) + "/" +
                    hour.substr(8, 2) + "/" + hour.substr(11, 2) + "/" + e.id + ".json";
  auto writer = store.new_writer(bucket);
  if (!writer) {
    spdlog::warn("[{}] cannot write the record of {} to s3://{}: {}", function, e.id, bucket, writer.error().message);
    return;
  }
  (void)(*writer)->write(body.data(), body.size());
  (*writer)->finish_digests();
  storage::NewObject obj{key, {{"content-type", "application/json"}}, storage::EventKind::kPut};
  if (auto m = store.commit_object(bucket, std::move(obj), **writer, {}); !m)
    spdlog::warn("[{}] cannot write the record of {} to s3://{}: {}", function, e.id, bucket, m.error().message);
  else
    spdlog::info("[{}] record of {} written to s3://{}/{}", function, e.id, bucket, key);
}

// An invocation record to its OnSuccess or OnFailure destination: an S3
// bucket, or a queue, topic or function (server/targets.h). On the consumer's
// thread, after the event's settlement is durable.
void send_to_destination(Application& app, const functions::EventOutcome& e) {
  if (e.destination.empty()) return;
  std::string body = destination_record(app.config.region, e);
  static constexpr std::string_view kBucket = "arn:aws:s3:::";
  if (e.destination.rfind(kBucket, 0) == 0) {
    write_record_to_bucket(*app.store, e.destination.substr(kBucket.size()), e, body);
    return;
  }
  TargetMessage m;
  m.id = "destination/" + e.condition + "/" + e.id;
  m.body = std::move(body);
  m.depth = e.depth + 1;  // a destination function's invocation is one further down the chain
  if (auto s = deliver_to_target(app, e.destination, m); !s)
    spdlog::warn("[{}] cannot send the record of {} to {}: {}", e.function, e.id, e.destination, s.error().message);
  else
    spdlog::info("[{}] record of {} ({}) sent to {}", e.function, e.id, e.condition, e.destination);
}

// A failed async invocation to its function's DeadLetterConfig target (an SQS
// queue or SNS topic), as Lambda sends it: the event as the body, RequestID,
// ErrorCode and ErrorMessage (its first 1 KB) as message attributes.
void send_to_dead_letter_target(Application& app, const functions::EventOutcome& e) {
  auto [name, qualifier] = functions::split_target(e.function);
  auto config = app.registry->resolve(name, qualifier);
  if (!config || config->dead_letter_target.empty()) return;
  TargetMessage m;
  m.id = "dead-letter/" + e.id;
  m.body = e.payload;
  m.attributes = {{"RequestID", "String", e.id}, {"ErrorCode", "Number", "200"}};
  std::string message = e.response.substr(0, 1024);
  if (!message.empty()) m.attributes.push_back({"ErrorMessage", "String", message});
  if (auto s = deliver_to_target(app, config->dead_letter_target, m); !s)
    spdlog::warn("[{}] cannot send dead letter {} to {}: {}", name, e.id, config->dead_letter_target, s.error().message);
  else
    spdlog::info("[{}] dead letter {} sent to {}", name, e.id, config->dead_letter_target);
}

}  // namespace

base::Status open_functions(Application& app) {
  auto registry = functions::Registry::open(app.config.data_dir);
  if (!registry)
    return base::make_error(registry.error().code,
                            "functions: cannot open " + app.config.data_dir + ": " + registry.error().message);
  app.registry = std::move(*registry);
  return {};
}

base::Status build_functions(Application& app) {
  const ServeConfig& config = app.config;
  functions::InvokerOptions invoker_options;
  invoker_options.region = config.region;
  // Functions reach nimbus over loopback, whatever address it listens on.
  std::string reach = config.host;
  if (reach == "0.0.0.0" || reach.empty()) reach = "127.0.0.1";
  if (reach == "::") reach = "::1";
  if (reach.find(':') != std::string::npos) reach = "[" + reach + "]";
  invoker_options.endpoint_url = "http://" + reach + ":" + std::to_string(app.port);
  app.public_url = invoker_options.endpoint_url;
  invoker_options.max_concurrency = config.max_instances;
  invoker_options.runtimes.python = config.python;
  invoker_options.runtimes.python_zygote = config.python_zygote;
  invoker_options.runtimes.python_preload = config.python_preload;
  invoker_options.runtimes.dir = config.data_dir + "/runtimes";
  if (auto s = functions::install_runtimes(invoker_options.runtimes); !s)
    return base::make_error(s.error().code, "runtimes: " + s.error().message);
  invoker_options.keep_alive = std::chrono::milliseconds(config.keep_alive_ms);
  if (config.telemetry) {
    invoker_options.log_sink = [&app](const functions::LogLine& l) {
      app.logs->append("/aws/lambda/" + std::string(l.function), l.stream, l.request_id, l.timestamp_ms, l.text);
    };
    invoker_options.log_backlogged = [&app] { return app.logs->backlog_bytes() > (64u << 20); };
    invoker_options.on_invocation = [&app](const functions::InvocationRecord& r) {
      record_invocation(app.metrics, r);
      app.status.record(r);
      app.spans->record(span_of(r));
    };
  }
  invoker_options.add_key = [&app](const std::string& k, const std::string& s) { app.credentials.add(k, s); };
  invoker_options.remove_key = [&app](const std::string& k) { app.credentials.remove(k); };
  app.invoker = std::make_unique<functions::Invoker>(app.io, *app.registry, *app.runtime_listeners, invoker_options);
  for (const auto& f : app.registry->list()) app.invoker->prepare(f);
  for (const auto& p : app.registry->all_provisioned()) app.invoker->provision(p.function, p.qualifier, p.count);

  functions::AsyncOptions async_options;
  async_options.retry_delays.clear();
  for (auto ms : config.async_retry_delays_ms) async_options.retry_delays.emplace_back(ms);
  async_options.max_event_age = std::chrono::seconds(config.async_max_age_s);
  async_options.max_in_flight_per_function =
      config.async_concurrency > 0 ? config.async_concurrency
                                   : 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  async_options.config_for = [&app](const std::string& fn,
                                    const std::string& qualifier) -> std::optional<functions::EventInvokeConfig> {
    auto c = app.registry->get_event_invoke_config(fn, qualifier);
    if (!c) return std::nullopt;
    return *c;
  };
  async_options.on_dead_letter = [&app](const functions::EventOutcome& e) {
    record_dead_letter(app.metrics, e.function);
    send_to_destination(app, e);
    send_to_dead_letter_target(app, e);
  };
  async_options.on_success = [&app](const functions::EventOutcome& e) { send_to_destination(app, e); };
  // One durable queue for the whole server: async invocations, SQS and SNS deliveries share queue.db.
  auto store = queue::Store::open(config.data_dir + "/queue.db");
  if (!store)
    return base::make_error(store.error().code, "functions: cannot open " + config.data_dir +
                                                    "/queue.db: " + store.error().message);
  app.queues = std::move(*store);
  app.sqs = std::make_unique<sqs::Queues>(*app.queues, config.region);
  auto queue = functions::AsyncQueue::open(
      *app.queues, config.data_dir,
      [&app](functions::InvokeRequest r, std::function<void(base::Result<functions::InvokeResult>)> done) {
        app.invoker->invoke(std::move(r), std::move(done));
      },
      async_options);
  if (!queue)
    return base::make_error(queue.error().code, "functions: cannot open the async queue: " + queue.error().message);
  app.async_queue = std::move(*queue);
  app.code_locations = std::make_unique<lambda_api::CodeLocations>(
      config.data_dir, app.blocking, config.code_url_expiry_seconds, reach + ":" + std::to_string(app.port));
  return {};
}

base::Status start_functions(Application& app) {
  if (auto s = app.async_queue->start(); !s)
    return base::make_error(s.error().code, "functions: cannot start the async queue: " + s.error().message);
  return {};
}

aws::ServiceDescriptor wire_function_urls(Application& app) {
  function_urls::Options options;
  options.region = app.config.region;
  options.invoke = [&app](functions::InvokeRequest request,
                          std::function<void(base::Result<functions::InvokeResult>)> done) {
    app.invoker->invoke(std::move(request), std::move(done));
  };
  return app.keep(std::make_unique<function_urls::Service>(*app.registry, app.authenticator, std::move(options)))
      ->descriptor();
}

aws::ServiceDescriptor wire_lambda_code(Application& app) { return app.code_locations->descriptor(); }

aws::ServiceDescriptor wire_lambda(Application& app) {
  lambda_api::Options options;
  options.region = app.config.region;
  options.code_locations = app.code_locations.get();
  options.edge = "localhost:" + std::to_string(app.port);
  options.mappings = app.mappings.get();
  options.queue_facts = queue_facts(app);
  options.check_target = [&app](const std::string& arn) {
    return check_target(app, arn, {TargetKind::kFunction, TargetKind::kQueue, TargetKind::kTopic});
  };
  options.read_object = [&app](const std::string& bucket, const std::string& key) -> base::Result<std::string> {
    auto o = app.store->open_object(bucket, key);
    if (!o) return o.error();
    // Read whole into memory: refuse first what no code package may be (AWS allows 250 MB unzipped from S3).
    if (o->reader->size() > functions::PackageLimits{}.max_unzipped)
      return base::make_error(base::ErrorCode::kTooLarge,
                              "the object is larger than a function's code package may be (" +
                                  std::to_string(functions::PackageLimits{}.max_unzipped) + " bytes)");
    std::string data(o->reader->size(), '\0');
    for (uint64_t off = 0; off < data.size();) {
      auto n = o->reader->read(off, data.data() + off, data.size() - off);
      if (!n) return n.error();
      if (*n == 0) break;
      off += *n;
    }
    return data;
  };
  auto* service = app.keep(std::make_unique<lambda_api::Service>(*app.registry, *app.invoker, *app.async_queue,
                                                                 app.credentials, app.blocking, options));
  return service->descriptor();
}

}  // namespace nimbus::server
