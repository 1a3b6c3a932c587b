#include "server/application.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <thread>

#include "base/arn.h"
#include "gateway/usage.h"
#include "base/log.h"
#include "base/time.h"
#include "events/notifications.h"
#include "gateway/documents.h"
#include "functions/async_queue.h"
#include "functions/invoker.h"
#include "functions/registry.h"
#include "lambda_api/code_location.h"
#include "mappings/runner.h"
#include "mappings/store.h"
#include "observability/log_store.h"
#include "observability/otlp_exporter.h"
#include "observability/span_store.h"
#include "queue/store.h"
#include "runtime_api/listener.h"
#include "s3/errors.h"
#include "s3/lifecycle_sweeper.h"
#include "s3/service.h"
#include "buses/deliveries.h"
#include "buses/router.h"
#include "buses/rule_timer.h"
#include "buses/store.h"
#include "eventbridge/service.h"
#include "scheduler_api/service.h"
#include "timetable/schedule_timer.h"
#include "timetable/store.h"
#include "sns/service.h"
#include "topics/delivery.h"
#include "topics/signer.h"
#include "topics/store.h"
#include "queue/store.h"
#include "server/wiring.h"
#include "sqs/queues.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace nimbus::server {

namespace {

int io_thread_count(const ServeConfig& c) {
  return c.io_threads > 0 ? c.io_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

http::Limits limits_of(const ServeConfig& c) {
  http::Limits limits;
  limits.idle_timeout = std::chrono::seconds(c.idle_timeout_s);
  limits.header_timeout = std::chrono::seconds(c.stall_timeout_s);
  limits.body_read_timeout = std::chrono::seconds(c.stall_timeout_s);
  limits.write_timeout = std::chrono::seconds(c.stall_timeout_s);
  limits.drain_timeout = std::chrono::seconds(c.shutdown_timeout_s);
  return limits;
}

}  // namespace

Application::Application(ServeConfig c)
    : config(std::move(c)),
      credentials(auth::CredentialStore::with_defaults()),
      authenticator{credentials, signing_keys, std::string(base::kAccountId), {}},
      io_threads(io_thread_count(config)),
      io(io_threads),
      blocking(static_cast<size_t>(config.blocking_threads)),
      status(base::now_ms()),
      admin{authenticator, config.region},
      router(authenticator),
      limits(limits_of(config)) {}

Application::~Application() = default;

base::Status Application::open() {
  if (!config.credentials_file.empty())
    if (auto s = credentials.load_file(config.credentials_file); !s)
      return base::make_error(s.error().code, "credentials: " + s.error().message);
  for (const auto& [k, v] : config.extra_keys) credentials.add(k, v);
  // Functions run with their code directory as working directory, so every
  // path handed to them (and kept in functions.db) must be absolute.
  std::error_code ec;
  auto absolute = std::filesystem::absolute(config.data_dir, ec);
  if (!ec) config.data_dir = absolute.lexically_normal().string();
  for (auto step : {&open_storage, &open_functions, &open_events, &open_observability, &open_gateway})
    if (auto s = step(*this); !s) return s;
  return {};
}

base::Status Application::bind() {
  router.set_fallback(wire_s3(*this));
  // Errors raised before a service is known: in the protocol the request speaks when there is one, else S3's.
  router.set_fallback_error([](int status, std::string code, std::string message) {
    return s3::error_response(s3::s3_error(status, std::move(code), std::move(message)), {"", "", "/", "0", false});
  });
  runtime_listeners = std::make_unique<runtime_api::ListenerFactory>(io, limits);
  server = std::make_unique<http::Server>(
      io, limits, [this](http::Request& r) { return router.handle(r); },
      http::RequestErrorResponder([this](const http::Request* req, int status, std::string code, std::string message) {
        return router.error_for(req, status, std::move(code), std::move(message));
      }));
  auto bound = server->listen(config.host, config.port);
  if (!bound) return bound.error();
  port = *bound;
  return {};
}

base::Status Application::build() {
  if (auto s = build_functions(*this); !s) return s;
  if (auto s = build_sns(*this); !s) return s;
  if (auto s = build_mappings(*this); !s) return s;
  if (auto s = build_eventbridge(*this); !s) return s;
  if (auto s = build_scheduler(*this); !s) return s;
  for (const auto& entry : service_table()) router.add(entry.build(*this));
  admin.services = {"s3"};
  for (const auto& d : router.services())
    if (d.name != "nimbus" && d.name != "lambda-code" && d.name != "sns-links") admin.services.push_back(d.name);
  wire_request_metrics(*this);
  add_observability_collectors(*this);
  return {};
}

base::Status Application::start() {
  if (auto s = start_functions(*this); !s) return s;
  start_events(*this);
  if (auto s = start_sns(*this); !s) return s;
  if (auto s = start_eventbridge(*this); !s) return s;
  start_scheduler(*this);
  start_lifecycle(*this);
  start_mappings(*this);
  server->start();
  return {};
}

void Application::stop() {
  if (lifecycle) lifecycle->stop();
  if (notifications) notifications->stop();
  if (sns_deliveries) sns_deliveries->stop();
  stop_scheduler(*this);  // before EventBridge's deliveries, which its fires go into
  stop_eventbridge(*this);
  stop_mappings(*this);  // before the invoker: no batch starts on a stopping invoker
  if (async_queue) async_queue->stop();
  if (invoker) invoker->shutdown();
  if (sqs_service) sqs_service->stop();  // long polls answer now, so the drain does not wait for them
  server->stop([this] { io.stop(); });
}

int Application::run() {
  base::setup_logging(config.log_level);
  auto [fds_before, fds_now] = base::raise_open_files_limit();
  for (auto phase : {&Application::open, &Application::bind, &Application::build, &Application::start}) {
    if (auto s = (this->*phase)(); !s) {
      spdlog::error("{}", s.error().message);
      return 2;
    }
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("received signal {}: finishing in-flight requests", sig);
    stop();
  });

  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("nimbus config: data-dir={} region={} io-threads={} blocking-threads={} access-keys={} open-files={}{}",
               config.data_dir, config.region, io_threads, config.blocking_threads, credentials.size(), fds_now,
               fds_now != fds_before ? fmt::format(" (raised from {})", fds_before) : "");
  std::string names;
  for (const auto& s : admin.services) names += (names.empty() ? "" : ", ") + s;
  spdlog::info("nimbus ready on http://{}:{} (services: {}) in {} ms", config.host, port, names, ms);
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
