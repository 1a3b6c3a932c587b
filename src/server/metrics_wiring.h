// The metrics nimbus serves at GET /metrics: their names and help texts
// (docs/observability.md lists them), what records each service's events
// into them, and the collectors that read gauges at each scrape; and the
// spans those events make.
#pragma once

#include "aws/router.h"
#include "execute_api/request_facts.h"
#include "functions/invoker.h"
#include "observability/metrics.h"
#include "observability/span_store.h"
#include "s3/service.h"

namespace nimbus::http {
class Server;
}
namespace nimbus::functions {
class AsyncQueue;
}

namespace nimbus::server {

void declare_metrics(observability::Metrics& m);
void record_invocation(observability::Metrics& m, const functions::InvocationRecord& r);
void record_s3_request(observability::Metrics& m, const s3::RequestRecord& r);
// Every service's requests (the edge's hook), in nimbus_requests_total and
// nimbus_request_duration_seconds; S3's go there too, besides nimbus_s3_*.
void record_request(observability::Metrics& m, const aws::RequestRecord& r);
// The span of an invocation, or of a traced S3 request.
observability::Span span_of(const functions::InvocationRecord& r);
observability::Span span_of(const s3::RequestRecord& r);
observability::Span span_of(const aws::RequestRecord& r);
// API Gateway's requests: nimbus_apigateway_* per API, stage, route and
// status (and nimbus_requests_total), and the gateway's span.
void record_gateway_request(observability::Metrics& m, const execute_api::RequestFacts& f);
observability::Span span_of(const execute_api::RequestFacts& f);
void record_dead_letter(observability::Metrics& m, const std::string& function);
void add_collectors(observability::Metrics& m, functions::Invoker& invoker, functions::AsyncQueue& queue,
                    const http::Server& server);

}  // namespace nimbus::server
