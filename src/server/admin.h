// nimbus's own admin API on the edge port, under /_nimbus/: the unsigned
// health check and Prometheus metrics (GET /metrics, also
// /_nimbus/metrics), and SigV4-signed calls for the CLI — the event queue
// (GET /_nimbus/events), the server's status (GET /_nimbus/status),
// redriving dead letters (POST
// /_nimbus/events/redrive), SQS queues for `nimbus queues` (/_nimbus/queues,
// admin_queues.h), recent traces and one trace's spans
// (GET /_nimbus/traces, GET /_nimbus/traces/ID). Its signed calls go through
// the same authentication step as every AWS service (aws::authenticate);
// errors are rest-json.
//
// THREADING RULE: handle_admin runs on an io thread; listings and scrapes
// are offloaded to the blocking pool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include <vector>

#include "aws/authenticate.h"
#include "aws/service.h"
#include "http/message.h"

namespace nimbus::functions {
class AsyncQueue;
}
namespace nimbus::sqs {
class Queues;
}
namespace nimbus::events {
class Notifications;
}
namespace nimbus::observability {
class Metrics;
class SpanStore;
}
namespace boost::asio {
class thread_pool;
}

namespace nimbus::server {

struct AdminDeps {
  const aws::Authenticator& auth;
  std::string region;
  std::vector<std::string> services;  // GET /_nimbus/health lists them as running
  functions::AsyncQueue* queue = nullptr;
  sqs::Queues* sqs = nullptr;                       // /_nimbus/queues[...] (server/admin_queues.h)
  events::Notifications* notifications = nullptr;
  observability::Metrics* metrics = nullptr;        // GET /metrics, unauthenticated as Prometheus scrapes
  boost::asio::thread_pool* blocking = nullptr;     // where a scrape's collectors run
  observability::SpanStore* spans = nullptr;        // GET /_nimbus/traces[/ID]
  std::function<boost::json::object()> status;       // GET /_nimbus/status (run on `blocking`)
  std::function<boost::json::object()> schedules;    // GET /_nimbus/schedules (run on `blocking`)
  bool metrics_auth = false;  // /metrics then needs Basic (access key:secret) or SigV4
};

boost::asio::awaitable<http::Response> handle_admin(const AdminDeps& deps, http::Request& req);

// The admin API as the edge sees it: it claims /_nimbus/ and an unsigned
// GET /metrics (a signed one is S3's: a bucket named "metrics").
aws::ServiceDescriptor admin_descriptor(const AdminDeps& deps);

}  // namespace nimbus::server
