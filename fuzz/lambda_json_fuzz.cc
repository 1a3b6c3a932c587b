// The Lambda API's JSON bodies and names (lambda_api/requests.h): the body
// parsed as JSON, then as CreateFunction / UpdateFunctionConfiguration
// fields, an event invoke config (put and merged), reserved and provisioned
// concurrency, its FunctionName as a function reference, an event source
// mapping's Create/Update fields against a standard and a FIFO queue, and a
// function's partial batch response to an SQS batch.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "lambda_api/mapping_request.h"
#include "lambda_api/requests.h"
#include "mappings/sqs_event.h"

using namespace nimbus;

// Called for every input, JSON or not: a function's answer is any bytes.
static void batch_response(std::string_view text) {
  const std::set<std::string> ids{"a", "b", "c"};
  if (auto failed = mappings::read_batch_response(text, ids))
    for (const auto& id : *failed)
      if (!ids.count(id)) std::abort();  // only ids of the batch can be returned to the queue
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  batch_response(text);
  (void)lambda_api::parse_ref(std::string(text.substr(0, 256)));
  auto in = lambda_api::parse_body(text);
  if (!in) return 0;
  functions::FunctionConfig c;
  c.runtime = "provided.al2023";
  if (lambda_api::apply_config(*in, c)) {
    // What validation accepts is what the registry may store.
    if (c.memory_mb < 128 || c.memory_mb > 10240 || c.timeout_s < 1 || c.timeout_s > 900) std::abort();
  }
  if (auto* name = in->if_contains("FunctionName"); name && name->is_string())
    (void)lambda_api::parse_ref(std::string(name->as_string()));
  functions::EventInvokeConfig e;
  e.max_retry_attempts = 1;
  e.on_failure = "arn:aws:s3:::dlq";
  (void)lambda_api::apply_event_invoke_config(*in, e);
  if (auto n = lambda_api::reserved_concurrency(*in); n && *n < 0) std::abort();
  if (auto n = lambda_api::provisioned_concurrency(*in); n && *n < 1) std::abort();
  for (bool fifo : {false, true}) {
    mappings::Mapping m;
    lambda_api::QueueFacts queue;
    queue.fifo = fifo;
    if (lambda_api::apply_mapping_request(*in, true, queue, m)) {
      // What the checks accept is what a poller may be given, and it survives mappings.db.
      if (m.batch_size < 1 || m.batch_size > 10000 || (fifo && m.batch_size > 10)) std::abort();
      if (m.batching_window_s < 0 || m.batching_window_s > 300 || (fifo && m.batching_window_s > 0)) std::abort();
      if (!fifo && m.batch_size > 10 && m.batching_window_s == 0) std::abort();
      if (m.maximum_concurrency != 0 && (m.maximum_concurrency < 2 || m.maximum_concurrency > 1000)) std::abort();
      auto back = mappings::from_json(mappings::to_json(m));
      if (!back || back->filters != m.filters || back->tags != m.tags || back->batch_size != m.batch_size) std::abort();
    }
  }
  return 0;
}
