// nimbus serve's application object: every long-lived part of the server as
// a member, declared in dependency order (each member may use those above
// it, and is destroyed before them), built in four phases:
//   open()   the data directory: objects, functions, events, logs, traces, APIs
//   bind()   the edge port (functions are told its address)
//   build()  the invoker, the async queue, SNS, event source mappings, and
//            every service of the service table (server/service_table.cc) behind the edge router
//   start()  accept connections, start the queues
// and stopped by stop() on SIGINT/SIGTERM. The wiring of each area lives in
// its own file (server/wiring_*.cc); this file only holds the members.
//
// THREADING RULE: the phases run on the main thread before io threads start;
// stop() runs on an io thread (the signal handler). Members are then used by
// the threads their own headers name.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "auth/credentials.h"
#include "auth/sigv4.h"
#include "aws/authenticate.h"
#include "aws/router.h"
#include "base/clock.h"
#include "base/result.h"
#include "http/server.h"
#include "observability/metrics.h"
#include "server/admin.h"
#include "server/serve.h"
#include "server/status.h"

namespace nimbus::storage {
class Store;
}
namespace nimbus::s3 {
class Service;
class LifecycleSweeper;
}
namespace nimbus::events {
class Notifications;
class Sink;
}  // namespace nimbus::events
namespace nimbus::observability {
class LogStore;
class OtlpExporter;
class SpanStore;
}  // namespace nimbus::observability
namespace nimbus::functions {
class Registry;
class Invoker;
class AsyncQueue;
}  // namespace nimbus::functions
namespace nimbus::runtime_api {
class ListenerFactory;
}
namespace nimbus::gateway {
class Documents;
class UsageCounters;
}
namespace nimbus::lambda_api {
class CodeLocations;
}
namespace nimbus::queue {
class Store;
}
namespace nimbus::topics {
class Store;
class Signer;
class Deliveries;
class FunctionSink;
class QueueSink;
}  // namespace nimbus::topics
namespace nimbus::sns {
class Service;
}
namespace nimbus::mappings {
class Store;
class Runner;
}  // namespace nimbus::mappings
namespace nimbus::sqs {
class Queues;
class Service;
}
namespace nimbus::buses {
class Store;
class Deliveries;
class Router;
class TargetSink;
class RuleTimer;
}  // namespace nimbus::buses
namespace nimbus::eventbridge {
class Service;
}
namespace nimbus::timetable {
class Store;
class ScheduleTimer;
}  // namespace nimbus::timetable
namespace nimbus::scheduler_api {
class Service;
}

namespace nimbus::server {

class Application {
 public:
  explicit Application(ServeConfig config);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // The four phases, then the io threads until a signal; 2 when a phase fails (logged).
  int run();
  base::Status open();
  base::Status bind();
  base::Status build();
  base::Status start();
  void stop();

  // Keeps what the service table builds alive as long as the server.
  template <typename T>
  T* keep(std::unique_ptr<T> p) {
    T* raw = p.get();
    services.push_back(std::shared_ptr<void>(std::move(p)));
    return raw;
  }

  // --- members, in dependency order ---------------------------------------
  ServeConfig config;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  auth::CredentialStore credentials;
  auth::SigningKeyCache signing_keys;
  aws::Authenticator authenticator;
  int io_threads;
  boost::asio::io_context io;
  boost::asio::thread_pool blocking;
  // data (open)
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<functions::Registry> registry;
  std::unique_ptr<events::Notifications> notifications;
  std::unique_ptr<observability::LogStore> logs;
  observability::Metrics metrics;
  StatusBoard status;
  std::unique_ptr<observability::OtlpExporter> otlp;  // outlives the span store, whose last batch it may send
  std::unique_ptr<observability::SpanStore> spans;
  std::unique_ptr<gateway::Documents> gateway;  // API Gateway's configuration (gateway.db)
  std::unique_ptr<gateway::UsageCounters> usage;  // usage plans' counts: execute_api counts, GetUsage reads
  // the edge (bind)
  std::unique_ptr<s3::Service> s3;
  AdminDeps admin;
  aws::Router router;
  http::Limits limits;
  std::unique_ptr<runtime_api::ListenerFactory> runtime_listeners;
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
  std::string public_url;  // http://host:port as functions and subscribers reach the edge
  // functions and services (build)
  std::unique_ptr<queue::Store> queues;  // queue.db: async invocations, bucket events, SQS, SNS deliveries
  std::unique_ptr<sqs::Queues> sqs;      // SQS's queues on it: the programmatic send (sqs::Queues::send)
  sqs::Service* sqs_service = nullptr;   // kept in `services`; stop() wakes its long polls
  std::unique_ptr<functions::Invoker> invoker;
  std::unique_ptr<functions::AsyncQueue> async_queue;
  std::unique_ptr<lambda_api::CodeLocations> code_locations;  // GetFunction's Code.Location links
  std::unique_ptr<events::Sink> event_sink;
  std::unique_ptr<s3::LifecycleSweeper> lifecycle;
  std::unique_ptr<topics::Store> topics;  // SNS topics and subscriptions (sns.db)
  std::unique_ptr<topics::Signer> sns_signer;
  std::unique_ptr<topics::FunctionSink> sns_functions;
  std::unique_ptr<topics::QueueSink> sns_queues;  // SNS → SQS (sqs::Queues::send)
  std::unique_ptr<topics::Deliveries> sns_deliveries;
  std::unique_ptr<sns::Service> sns;
  std::unique_ptr<mappings::Store> mappings;         // event source mappings (mappings.db)
  std::unique_ptr<mappings::Runner> mapping_runner;  // a poller per enabled mapping: SQS → its function
  std::unique_ptr<buses::Store> buses;                // EventBridge's buses and rules (buses.db)
  std::unique_ptr<buses::TargetSink> bus_targets;     // rule targets: server/targets.h, or another bus
  std::unique_ptr<buses::Deliveries> bus_deliveries;  // matched events on their way to targets (queue.db)
  std::unique_ptr<buses::Router> bus_router;          // PutEvents: envelope, matching, deliveries
  std::unique_ptr<eventbridge::Service> eventbridge;
  std::unique_ptr<base::ScaledClock> schedule_clock;  // --schedule-time-scale (test only); real time at 1
  std::unique_ptr<buses::RuleTimer> rule_timer;       // fires rules with a ScheduleExpression
  std::unique_ptr<timetable::Store> schedules;        // EventBridge Scheduler's groups and schedules (scheduler.db)
  std::unique_ptr<scheduler_api::Service> scheduler;  // the Scheduler API (rest-json)
  std::unique_ptr<timetable::ScheduleTimer> schedule_timer;  // fires schedules into bus_deliveries
  std::vector<std::shared_ptr<void>> services;
};

}  // namespace nimbus::server
