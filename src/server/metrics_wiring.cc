#include "server/metrics_wiring.h"

#include "base/time.h"
#include "functions/async_queue.h"
#include "http/server.h"

namespace nimbus::server {

using observability::Labels;
using observability::MetricType;

void declare_metrics(observability::Metrics& m) {
  auto counter = [&](const char* name, const char* help) { m.declare(name, MetricType::kCounter, help); };
  auto gauge = [&](const char* name, const char* help) { m.declare(name, MetricType::kGauge, help); };
  counter("nimbus_function_invocations_total", "Invocations that ran, by function (errors and timeouts included).");
  counter("nimbus_function_errors_total", "Invocations that ended in a function error (timeouts included).");
  counter("nimbus_function_timeouts_total", "Invocations stopped at the function's timeout.");
  counter("nimbus_function_throttles_total", "Invocations refused over a concurrency limit.");
  counter("nimbus_function_cold_starts_total", "Invocations that started a new instance.");
  m.declare("nimbus_function_duration_seconds", MetricType::kHistogram,
            "Time from handing the event to the instance to its answer.", observability::latency_buckets());
  m.declare("nimbus_function_init_duration_seconds", MetricType::kHistogram,
            "Time from starting an instance to its first request for work.", observability::latency_buckets());
  gauge("nimbus_function_concurrent_executions", "Invocations running now.");
  gauge("nimbus_function_instances", "Instances by state: starting, idle (warm) or busy.");
  gauge("nimbus_async_events", "Async events (Event invokes, bucket notifications) by state: pending, in_flight, dead.");
  gauge("nimbus_async_oldest_event_age_seconds", "Age of the oldest pending or in-flight async event.");
  counter("nimbus_async_dead_letters_total", "Async events given up on (retries or maximum age exhausted).");
  counter("nimbus_s3_requests_total", "S3 requests by operation and HTTP status.");
  counter("nimbus_s3_received_bytes_total", "Request body bytes received by S3 operations.");
  counter("nimbus_s3_sent_bytes_total", "Response body bytes sent by S3 operations.");
  m.declare("nimbus_s3_request_duration_seconds", MetricType::kHistogram,
            "Time to answer an S3 request (to the start of a streamed body).", observability::latency_buckets());
  counter("nimbus_requests_total", "Requests to every service on the edge port, by service, operation and HTTP status.");
  m.declare("nimbus_request_duration_seconds", MetricType::kHistogram,
            "Time to answer a request, by service and operation.", observability::latency_buckets());
  counter("nimbus_apigateway_requests_total",
          "API Gateway invoke-URL requests by API, stage, route and HTTP status (AWS's Count).");
  counter("nimbus_apigateway_4xx_total", "API Gateway requests answered with a 4xx status, by API, stage and route.");
  counter("nimbus_apigateway_5xx_total", "API Gateway requests answered with a 5xx status, by API, stage and route.");
  m.declare("nimbus_apigateway_latency_seconds", MetricType::kHistogram,
            "Time from receiving an API Gateway request to its answer (AWS's Latency).", observability::latency_buckets());
  m.declare("nimbus_apigateway_integration_latency_seconds", MetricType::kHistogram,
            "Time the integration (the function's invocation) took (AWS's IntegrationLatency).",
            observability::latency_buckets());
  gauge("nimbus_http_open_connections", "Client connections open on the edge port.");
  gauge("nimbus_storage_free_bytes", "Free space on the data directory's filesystem (uploads are refused below --min-free-mb).");
  gauge("nimbus_storage_total_bytes", "Size of the data directory's filesystem.");
  gauge("nimbus_process_start_time_seconds", "When this nimbus started, in seconds since the epoch.");
  m.set("nimbus_process_start_time_seconds", {}, static_cast<double>(base::now_ms()) / 1000);
}

void record_invocation(observability::Metrics& m, const functions::InvocationRecord& r) {
  using Outcome = functions::InvocationRecord::Outcome;
  Labels fn{{"function", std::string(r.function)}};
  if (r.outcome == Outcome::kThrottled) {
    m.add("nimbus_function_throttles_total", fn);
    return;
  }
  m.add("nimbus_function_invocations_total", fn);
  if (r.outcome != Outcome::kSuccess) m.add("nimbus_function_errors_total", fn);
  if (r.outcome == Outcome::kTimeout) m.add("nimbus_function_timeouts_total", fn);
  m.observe("nimbus_function_duration_seconds", fn, r.duration_ms / 1000);
  if (r.init_ms) {
    m.add("nimbus_function_cold_starts_total", fn);
    m.observe("nimbus_function_init_duration_seconds", fn, *r.init_ms / 1000);
  }
}

void record_s3_request(observability::Metrics& m, const s3::RequestRecord& r) {
  Labels op{{"operation", std::string(r.operation)}};
  m.add("nimbus_s3_requests_total", {{"operation", std::string(r.operation)}, {"status", std::to_string(r.status)}});
  if (r.bytes_in) m.add("nimbus_s3_received_bytes_total", op, static_cast<double>(r.bytes_in));
  if (r.bytes_out) m.add("nimbus_s3_sent_bytes_total", op, static_cast<double>(r.bytes_out));
  m.observe("nimbus_s3_request_duration_seconds", op, r.seconds);
  m.add("nimbus_requests_total",
        {{"service", "s3"}, {"operation", std::string(r.operation)}, {"status", std::to_string(r.status)}});
  m.observe("nimbus_request_duration_seconds", {{"service", "s3"}, {"operation", std::string(r.operation)}}, r.seconds);
}

void record_request(observability::Metrics& m, const aws::RequestRecord& r) {
  std::string service(r.service), operation(r.operation);
  m.add("nimbus_requests_total", {{"service", service}, {"operation", operation}, {"status", std::to_string(r.status)}});
  m.observe("nimbus_request_duration_seconds", {{"service", service}, {"operation", operation}}, r.seconds);
}

observability::Span span_of(const functions::InvocationRecord& r) {
  using Outcome = functions::InvocationRecord::Outcome;
  observability::Span s;
  s.trace_id = std::string(r.trace_root);
  s.span_id = std::string(r.span_id);
  s.parent_id = std::string(r.parent_span);
  s.service = "lambda";
  s.operation = "Invoke";
  s.resource = std::string(r.function);
  s.start_us = r.start_us;
  s.duration_us = static_cast<int64_t>(r.duration_ms * 1000);
  s.status = r.outcome == Outcome::kSuccess   ? "ok"
             : r.outcome == Outcome::kTimeout ? "timeout"
             : r.outcome == Outcome::kThrottled ? "throttled"
                                                : "error";
  s.cold_start = r.init_ms.has_value();
  s.request_id = std::string(r.request_id);
  return s;
}

observability::Span span_of(const s3::RequestRecord& r) {
  observability::Span s;
  s.trace_id = std::string(r.trace_root);
  s.span_id = std::string(r.span_id);
  s.parent_id = std::string(r.parent_span);
  s.service = "s3";
  s.operation = std::string(r.operation);
  s.resource = std::string(r.resource);
  s.start_us = r.start_us;
  s.duration_us = static_cast<int64_t>(r.seconds * 1e6);
  s.status = std::to_string(r.status);
  s.request_id = std::string(r.request_id);
  return s;
}

observability::Span span_of(const aws::RequestRecord& r) {
  observability::Span s;
  s.trace_id = std::string(r.trace_root);
  s.span_id = std::string(r.span_id);
  s.parent_id = std::string(r.parent_span);
  s.service = std::string(r.service);
  s.operation = std::string(r.operation);
  s.start_us = r.start_us;
  s.duration_us = static_cast<int64_t>(r.seconds * 1e6);
  s.status = std::to_string(r.status);
  s.request_id = std::string(r.request_id);
  return s;
}

void record_gateway_request(observability::Metrics& m, const execute_api::RequestFacts& f) {
  // Requests that matched no stage or route are counted under "-".
  std::string stage = f.stage.empty() ? "-" : f.stage, route = f.route_key.empty() ? "-" : f.route_key;
  Labels where{{"api", f.api_id}, {"stage", stage}, {"route", route}};
  Labels with_status = where;
  with_status.emplace_back("status", std::to_string(f.status));
  m.add("nimbus_apigateway_requests_total", with_status);
  if (f.status >= 400 && f.status < 500) m.add("nimbus_apigateway_4xx_total", where);
  if (f.status >= 500) m.add("nimbus_apigateway_5xx_total", where);
  m.observe("nimbus_apigateway_latency_seconds", where, f.response_latency_ms / 1000);
  if (f.integration_latency_ms >= 0)
    m.observe("nimbus_apigateway_integration_latency_seconds", where, f.integration_latency_ms / 1000);
  m.add("nimbus_requests_total", {{"service", "execute-api"}, {"operation", route}, {"status", std::to_string(f.status)}});
  m.observe("nimbus_request_duration_seconds", {{"service", "execute-api"}, {"operation", route}},
            f.response_latency_ms / 1000);
}

observability::Span span_of(const execute_api::RequestFacts& f) {
  observability::Span s;
  s.trace_id = f.trace_root;
  s.span_id = f.span_id;
  s.parent_id = f.parent_span;
  s.service = "execute-api";
  s.operation = f.route_key.empty() ? "-" : f.route_key;
  s.resource = f.api_id + "/" + (f.stage.empty() ? "-" : f.stage);
  s.start_us = f.start_us;
  s.duration_us = static_cast<int64_t>(f.response_latency_ms * 1000);
  s.status = std::to_string(f.status);
  s.request_id = f.request_id;
  return s;
}

void record_dead_letter(observability::Metrics& m, const std::string& function) {
  m.add("nimbus_async_dead_letters_total", {{"function", function.substr(0, function.find(':'))}});
}

void add_collectors(observability::Metrics& m, functions::Invoker& invoker, functions::AsyncQueue& queue,
                    const http::Server& server) {
  m.add_collector({"nimbus_function_instances", "nimbus_function_concurrent_executions"}, [&invoker](auto& mm) {
    for (const auto& l : invoker.load()) {
      mm.set("nimbus_function_instances", {{"function", l.function}, {"state", "starting"}}, l.starting);
      mm.set("nimbus_function_instances", {{"function", l.function}, {"state", "idle"}}, l.idle);
      mm.set("nimbus_function_instances", {{"function", l.function}, {"state", "busy"}}, l.busy);
      mm.set("nimbus_function_concurrent_executions", {{"function", l.function}}, l.busy);
    }
  });
  m.add_collector({"nimbus_async_events", "nimbus_async_oldest_event_age_seconds"}, [&queue](auto& mm) {
    int64_t now = base::now_ms();
    for (const auto& s : queue.stats()) {
      mm.set("nimbus_async_events", {{"function", s.function}, {"state", "pending"}}, s.pending);
      mm.set("nimbus_async_events", {{"function", s.function}, {"state", "in_flight"}}, s.in_flight);
      mm.set("nimbus_async_events", {{"function", s.function}, {"state", "dead"}}, s.dead);
      mm.set("nimbus_async_oldest_event_age_seconds", {{"function", s.function}},
             s.oldest_created_ms ? static_cast<double>(now - s.oldest_created_ms) / 1000 : 0);
    }
  });
  m.add_collector({"nimbus_http_open_connections"}, [&server](auto& mm) {
    mm.set("nimbus_http_open_connections", {}, static_cast<double>(server.open_connections()));
  });
}

}  // namespace nimbus::server
