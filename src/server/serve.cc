#include "server/serve.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "auth/credentials.h"
#include "base/arn.h"
#include "base/file.h"
#include "base/time.h"
#include "events/notifications.h"
#include "functions/async_queue.h"
#include "functions/code_package.h"
#include "functions/invoker.h"
#include "logs_api/service.h"
#include "observability/log_store.h"
#include "observability/metrics.h"
#include "observability/otlp_exporter.h"
#include "observability/span_store.h"
#include "server/metrics_wiring.h"
#include "server/status.h"
#include "functions/registry.h"
#include "lambda_api/service.h"
#include "runtime_api/listener.h"
#include "base/log.h"
#include "http/server.h"
#include "s3/errors.h"
#include "s3/service.h"
#include "server/admin.h"
#include "server/edge_router.h"
#include "storage/store.h"

namespace nimbus::server {

namespace {

// Bucket notifications are delivered as asynchronous invocations.
class AsyncQueueSink : public events::Sink {
 public:
  explicit AsyncQueueSink(functions::AsyncQueue& queue) : queue_(queue) {}
  base::Status deliver(const std::string& id, const std::string& arn, const std::string& payload, int depth,
                       const std::string& trace) override {
    auto parsed = base::parse_lambda_arn(arn);
    if (!parsed) return base::make_error(base::ErrorCode::kInvalidArgument, "not a function ARN: " + arn);
    std::string target = parsed->function + (parsed->qualifier.empty() ? "" : ":" + parsed->qualifier);
    auto queued = queue_.enqueue(target, payload, trace, id, depth);
    if (!queued) return queued.error();
    return {};
  }

 private:
  functions::AsyncQueue& queue_;
};

// Writes a failed async invocation to its S3 destination, in Lambda's
// destination record format, under aws/lambda/async/FUNCTION/YYYY/MM/DD/HH/.
void write_dead_letter(storage::Store& store, const std::string& region, const functions::DeadLetter& dl) {
  std::string bucket = dl.destination.substr(std::string("arn:aws:s3:::").size());
  std::string function = dl.function.substr(0, dl.function.find(':'));
  boost::json::object record{
      {"version", "1.0"},
      {"timestamp", base::iso8601(base::now_ms())},
      {"requestContext", boost::json::object{{"requestId", dl.id},
                                             {"functionArn", functions::function_arn(region, dl.function)},
                                             {"condition", dl.condition},
                                             {"approximateInvokeCount", dl.attempts}}},
      {"responseContext", boost::json::object{{"statusCode", 200}, {"executedVersion", "$LATEST"},
                                              {"functionError", "Unhandled"}}}};
  boost::system::error_code ec;
  auto request = boost::json::parse(dl.payload, ec);
  record["requestPayload"] = ec ? boost::json::value(dl.payload) : request;
  auto response = boost::json::parse(dl.response, ec);
  record["responsePayload"] = ec ? boost::json::value(dl.response) : response;
  std::string body = boost::json::serialize(record);
  std::string hour = base::iso8601(base::now_ms()).substr(0, 13);  // 2024-01-01T10
  std::string key = "aws/lambda/async/" + function + "/" + hour.substr(0, 4) + "/" + hour.substr(5, 2) + "/" +
                    hour.substr(8, 2) + "/" + hour.substr(11, 2) + "/" + dl.id + ".json";
  auto writer = store.new_writer(bucket);
  if (!writer) {
    spdlog::warn("[{}] cannot write dead letter {} to s3://{}: {}", function, dl.id, bucket, writer.error().message);
    return;
  }
  (void)(*writer)->write(body.data(), body.size());
  (*writer)->finish_digests();
  storage::NewObject obj{key, {{"content-type", "application/json"}}, storage::EventKind::kPut};
  if (auto m = store.commit_object(bucket, std::move(obj), **writer, {}); !m)
    spdlog::warn("[{}] cannot write dead letter {} to s3://{}: {}", function, dl.id, bucket, m.error().message);
  else
    spdlog::info("[{}] dead letter {} written to s3://{}/{}", function, dl.id, bucket, key);
}

}  // namespace

int serve(const ServeConfig& given) {
  ServeConfig config = given;
  auto started = std::chrono::steady_clock::now();
  base::setup_logging(config.log_level);
  auto [fds_before, fds_now] = base::raise_open_files_limit();

  auto credentials = auth::CredentialStore::with_defaults();
  if (!config.credentials_file.empty()) {
    if (auto s = credentials.load_file(config.credentials_file); !s) {
      spdlog::error("credentials: {}", s.error().message);
      return 2;
    }
  }
  for (const auto& [k, v] : config.extra_keys) credentials.add(k, v);

  // Functions run with their code directory as working directory, so every
  // path handed to them (and kept in functions.db) must be absolute.
  {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(config.data_dir, ec);
    if (!ec) config.data_dir = absolute.lexically_normal().string();
  }
  storage::StoreOptions store_options;
  store_options.reserve_bytes = config.min_free_mb << 20;
  auto store = storage::Store::open(config.data_dir, store_options);
  if (!store) {
    spdlog::error("storage: cannot open {}: {}", config.data_dir, store.error().message);
    return 2;
  }

  int io_threads = config.io_threads > 0 ? config.io_threads : std::max(1u, std::thread::hardware_concurrency());
  boost::asio::io_context io(io_threads);
  boost::asio::thread_pool blocking(static_cast<size_t>(config.blocking_threads));

  auto registry = functions::Registry::open(config.data_dir);
  if (!registry) {
    spdlog::error("functions: cannot open {}: {}", config.data_dir, registry.error().message);
    return 2;
  }
  auto notifications = events::Notifications::open(config.data_dir, config.region);
  if (!notifications) {
    spdlog::error("events: cannot open {}: {}", config.data_dir, notifications.error().message);
    return 2;
  }
  (*store)->set_commit_hook(notifications->get());

  observability::LogStoreOptions log_options;
  log_options.retention_days = config.log_retention_days;
  log_options.max_bytes = config.log_max_mb << 20;
  auto logs = observability::LogStore::open(config.data_dir + "/logs", log_options);
  if (!logs) {
    spdlog::error("logs: cannot open {}/logs: {}", config.data_dir, logs.error().message);
    return 2;
  }
  logs_api::Service logs_service(**logs, credentials, blocking, config.region);

  observability::Metrics metrics;
  declare_metrics(metrics);
  StatusBoard status(base::now_ms());
  // The exporter outlives the span store, whose last batch it may still send.
  std::unique_ptr<observability::OtlpExporter> otlp;
  if (!config.otlp_endpoint.empty()) {
    auto exporter = observability::OtlpExporter::create(config.otlp_endpoint);
    if (!exporter) {
      spdlog::error("{}", exporter.error().message);
      return 2;
    }
    otlp = std::move(*exporter);
  }
  auto spans = observability::SpanStore::open(config.data_dir + "/traces", {});
  if (!spans) {
    spdlog::error("traces: cannot open {}/traces: {}", config.data_dir, spans.error().message);
    return 2;
  }
  if (otlp) {
    (*spans)->set_exporter([&otlp](const std::vector<observability::Span>& batch) { otlp->send(batch); });
    spdlog::info("traces: exporting to {} (OTLP/HTTP JSON)", config.otlp_endpoint);
  }

  s3::Options s3_options;
  if (config.telemetry)
    s3_options.on_request = [&metrics, &spans](const s3::RequestRecord& r) {
      record_s3_request(metrics, r);
      if (r.traced) (*spans)->record(span_of(r));
    };
  s3_options.region = config.region;
  s3_options.notifications = notifications->get();
  s3_options.function_exists = [&registry](const std::string& name, const std::string& qualifier) {
    return (*registry)->resolve(name, qualifier).ok();
  };
  s3::Service s3_service(**store, credentials, blocking, s3_options);
  std::unique_ptr<functions::Invoker> invoker;          // built once the edge port is known
  std::unique_ptr<lambda_api::Service> lambda_service;
  std::unique_ptr<functions::AsyncQueue> async_queue;

  EdgeRouter edge;
  edge.add(ServiceKind::kS3, [&](http::Request& r) { return s3_service.handle(r); });
  edge.add(ServiceKind::kLambda, [&](http::Request& r) { return lambda_service->handle(r); });
  edge.add(ServiceKind::kLogs, [&](http::Request& r) { return logs_service.handle(r); });
  AdminDeps admin{credentials, config.region, nullptr, notifications->get(), &metrics, &blocking, spans->get()};
  admin.metrics_auth = config.metrics_auth;
  edge.add(ServiceKind::kHealth, [&](http::Request& r) { return handle_admin(admin, r); });

  http::Limits limits;
  limits.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  limits.header_timeout = std::chrono::seconds(config.stall_timeout_s);
  limits.body_read_timeout = std::chrono::seconds(config.stall_timeout_s);
  limits.write_timeout = std::chrono::seconds(config.stall_timeout_s);
  limits.drain_timeout = std::chrono::seconds(config.shutdown_timeout_s);
  runtime_api::ListenerFactory runtime_listeners(io, limits);
  http::Server server(
      io, limits, [&](http::Request& r) { return edge.handle(r); },
      [](int status, std::string code, std::string message) {
        return s3::error_response(s3::s3_error(status, std::move(code), std::move(message)), {"", "", "/", "0", false});
      });
  auto port = server.listen(config.host, config.port);
  if (!port) {
    spdlog::error("{}", port.error().message);
    return 2;
  }
  functions::InvokerOptions invoker_options;
  invoker_options.region = config.region;
  // Functions reach nimbus over loopback, whatever address it listens on.
  std::string reach = config.host;
  if (reach == "0.0.0.0" || reach.empty()) reach = "127.0.0.1";
  if (reach == "::") reach = "::1";
  if (reach.find(':') != std::string::npos) reach = "[" + reach + "]";
  invoker_options.endpoint_url = "http://" + reach + ":" + std::to_string(*port);
  invoker_options.max_concurrency = config.max_instances;
  invoker_options.runtimes.python = config.python;
  invoker_options.runtimes.python_zygote = config.python_zygote;
  invoker_options.runtimes.python_preload = config.python_preload;
  invoker_options.runtimes.dir = config.data_dir + "/runtimes";
  if (auto s = functions::install_runtimes(invoker_options.runtimes); !s) {
    spdlog::error("runtimes: {}", s.error().message);
    return 2;
  }
  invoker_options.keep_alive = std::chrono::milliseconds(config.keep_alive_ms);
  if (config.telemetry) {
    invoker_options.log_sink = [&logs](const functions::LogLine& l) {
      (*logs)->append("/aws/lambda/" + std::string(l.function), l.stream, l.request_id, l.timestamp_ms, l.text);
    };
    invoker_options.log_backlogged = [&logs] { return (*logs)->backlog_bytes() > (64u << 20); };
    invoker_options.on_invocation = [&metrics, &spans, &status](const functions::InvocationRecord& r) {
      record_invocation(metrics, r);
      status.record(r);
      (*spans)->record(span_of(r));
    };
  }
  invoker_options.add_key = [&credentials](const std::string& k, const std::string& s) { credentials.add(k, s); };
  invoker_options.remove_key = [&credentials](const std::string& k) { credentials.remove(k); };
  invoker = std::make_unique<functions::Invoker>(io, **registry, runtime_listeners, invoker_options);
  (*notifications)->set_depth_source([&invoker](const std::string& principal) { return invoker->depth_of(principal); });
  for (const auto& f : (*registry)->list()) invoker->prepare(f);
  for (const auto& p : (*registry)->all_provisioned()) invoker->provision(p.function, p.qualifier, p.count);
  functions::AsyncOptions async_options;
  async_options.retry_delays.clear();
  for (auto ms : config.async_retry_delays_ms) async_options.retry_delays.emplace_back(ms);
  async_options.max_event_age = std::chrono::seconds(config.async_max_age_s);
  async_options.max_in_flight_per_function =
      config.async_concurrency > 0 ? config.async_concurrency
                                   : 2 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  async_options.config_for = [&registry](const std::string& fn) -> std::optional<functions::EventInvokeConfig> {
    auto c = (*registry)->get_event_invoke_config(fn);
    if (!c) return std::nullopt;
    return *c;
  };
  async_options.on_dead_letter = [&store, &config, &metrics](const functions::DeadLetter& dl) {
    record_dead_letter(metrics, dl.function);
    if (!dl.destination.empty()) write_dead_letter(**store, config.region, dl);
  };
  auto queue = functions::AsyncQueue::open(config.data_dir, *invoker, async_options);
  if (!queue) {
    spdlog::error("functions: cannot open the async queue: {}", queue.error().message);
    return 2;
  }
  async_queue = std::move(*queue);
  async_queue->start();
  admin.queue = async_queue.get();
  add_collectors(metrics, *invoker, *async_queue, server);
  metrics.add_collector({"nimbus_storage_free_bytes", "nimbus_storage_total_bytes"}, [&store](auto& mm) {
    auto space = (*store)->data_dir().space();
    mm.set("nimbus_storage_free_bytes", {}, static_cast<double>(space.free));
    mm.set("nimbus_storage_total_bytes", {}, static_cast<double>(space.total));
  });
  admin.status = [&] {
    auto board = status.snapshot(**registry, *invoker, *async_queue);
    auto space = (*store)->data_dir().space();
    board["storage"] = boost::json::object{{"free_bytes", space.free}, {"total_bytes", space.total},
                                           {"reserve_bytes", (*store)->data_dir().reserve()}};
    return board;
  };
  AsyncQueueSink event_sink(*async_queue);
  (*notifications)->start(event_sink);
  lambda_api::Options lambda_options;
  lambda_options.region = config.region;
  lambda_options.read_object = [&store](const std::string& bucket, const std::string& key) -> base::Result<std::string> {
    auto o = (*store)->open_object(bucket, key);
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
  lambda_service =
      std::make_unique<lambda_api::Service>(**registry, *invoker, *async_queue, credentials, blocking, lambda_options);
  server.start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}: finishing in-flight requests", sig);
    (*notifications)->stop();
    async_queue->stop();
    invoker->shutdown();
    server.stop([&] { io.stop(); });
  });

  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("nimbus config: data-dir={} region={} io-threads={} blocking-threads={} access-keys={} open-files={}{}",
               config.data_dir, config.region, io_threads, config.blocking_threads, credentials.size(), fds_now,
               fds_now != fds_before ? fmt::format(" (raised from {})", fds_before) : "");
  spdlog::info("nimbus ready on http://{}:{} (services: s3, lambda, logs) in {} ms", config.host, *port, ms);
  std::string layers, missing;
  for (const auto& l : functions::isolation_layers()) layers += (layers.empty() ? "" : ", ") + l;
  for (const auto& l : functions::isolation_missing()) missing += (missing.empty() ? "" : ", ") + l;
  spdlog::info("function isolation: {}; not active: {}", layers, missing);

  std::vector<std::thread> threads;
  for (int i = 1; i < io_threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  blocking.join();
  spdlog::info("nimbus stopped");
  return 0;
}

}  // namespace nimbus::server
