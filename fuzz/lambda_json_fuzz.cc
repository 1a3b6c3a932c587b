// The Lambda API's JSON bodies and names (lambda_api/requests.h): the body
// parsed as JSON, then as CreateFunction / UpdateFunctionConfiguration
// fields, an event invoke config (put and merged), reserved and provisioned
// concurrency, and its FunctionName as a function reference.
#include <cstdint>
#include <cstdlib>

#include "lambda_api/requests.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
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
  return 0;
}
