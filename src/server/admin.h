// nimbus's own admin API on the edge port, under /_nimbus/: the unsigned
// health check and Prometheus metrics (GET /metrics, also
// /_nimbus/metrics), and SigV4-signed calls for the CLI — the event queue
// (GET /_nimbus/events), the server's status (GET /_nimbus/status),
// redriving dead letters (POST
// /_nimbus/events/redrive), recent traces and one trace's spans
// (GET /_nimbus/traces, GET /_nimbus/traces/ID).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "auth/credentials.h"
#include "http/message.h"

namespace nimbus::functions {
class AsyncQueue;
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
  const auth::CredentialStore& credentials;
  std::string region;
  functions::AsyncQueue* queue = nullptr;
  events::Notifications* notifications = nullptr;
  observability::Metrics* metrics = nullptr;        // GET /metrics, unauthenticated as Prometheus scrapes
  boost::asio::thread_pool* blocking = nullptr;     // where a scrape's collectors run
  observability::SpanStore* spans = nullptr;        // GET /_nimbus/traces[/ID]
  std::function<boost::json::object()> status;       // GET /_nimbus/status (run on `blocking`)
  bool metrics_auth = false;  // /metrics then needs Basic (access key:secret) or SigV4
};

boost::asio::awaitable<http::Response> handle_admin(const AdminDeps& deps, http::Request& req);

}  // namespace nimbus::server
