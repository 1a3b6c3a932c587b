// Invoke: RequestResponse (through the invoker), Event (the async queue) and DryRun.
#include <boost/json/parse.hpp>
#include <memory>

#include "base/encoding.h"
#include "base/ids.h"
#include "base/trace_context.h"
#include "functions/runtimes.h"
#include "lambda_api/call.h"

namespace nimbus::lambda_api {

using boost::asio::awaitable;

namespace {

constexpr size_t kMaxSyncPayload = 6 * 1024 * 1024;
constexpr size_t kMaxAsyncPayload = 1024 * 1024;

// The caller's trace (X-Amzn-Trace-Id, as AWS SDKs send it from inside a
// function, or W3C traceparent) as an X-Amzn-Trace-Id; empty: a new one starts.
std::string incoming_trace(const http::Request& req) {
  auto t = base::parse_trace_context(req.header("x-amzn-trace-id"), req.header("traceparent"));
  return t.valid() ? t.header() : std::string();
}

// Lambda takes any JSON value as a payload, and nothing else.
base::Status check_json(const std::string& body) {
  if (body.empty()) return {};
  boost::system::error_code ec;
  boost::json::parse(body, ec);
  if (!ec) return {};
  return base::make_error(base::ErrorCode::kMalformed,
                          "Could not parse request body into json: Could not parse payload into json: " + ec.message());
}

base::Error too_large(const char* operation, size_t limit) {
  return base::make_error(base::ErrorCode::kTooLarge, "Request must be smaller than " + std::to_string(limit) +
                                                                " bytes for the " + operation + " operation");
}

awaitable<http::Response> invoke_async(Deps& d, const FunctionRef& ref, Call& call) {
  if (call.body.size() > kMaxAsyncPayload) co_return call.fail(too_large("InvokeAsync", kMaxAsyncPayload));
  if (auto s = check_json(call.body); !s) co_return call.fail(s.error());
  std::string trace = incoming_trace(call.req);
  std::string target = ref.qualifier.empty() ? ref.name : ref.name + ":" + ref.qualifier;
  std::string payload = call.body.empty() ? "{}" : std::move(call.body);
  auto id = co_await d.on_pool([&] { return d.invocations.enqueue(target, std::move(payload), trace); });
  if (!id) co_return call.fail(id.error());
  http::Response r;
  r.status = 202;
  r.set("x-amzn-RequestId", *id);
  co_return r;
}

awaitable<http::Response> invoke_sync(Deps& d, const FunctionRef& ref, Call& call) {
  if (call.body.size() > kMaxSyncPayload) co_return call.fail(too_large("InvokeFunction", kMaxSyncPayload));
  if (auto s = check_json(call.body); !s) co_return call.fail(s.error());
  const http::Request& req = call.req;
  functions::InvokeRequest ir;
  ir.function = ref.name;
  ir.qualifier = ref.qualifier;
  ir.payload = call.body.empty() ? "{}" : std::move(call.body);
  ir.tail_log = req.header("x-amz-log-type") == "Tail";
  ir.client_context = req.header("x-amz-client-context");
  ir.trace_id = incoming_trace(req);
  // The response's request id is the invocation's, as on Lambda (context.aws_request_id).
  ir.request_id = base::uuid4();
  std::string request_id = ir.request_id;
  // A named callable, not a temporary inside the co_await: GCC 12 mishandles
  // move-captured temporaries in co_await operands.
  auto start = [&d, ir = std::make_shared<functions::InvokeRequest>(std::move(ir))](auto done) {
    d.invocations.invoke(std::move(*ir), std::move(done));
  };
  auto result = co_await http::await_callback<base::Result<functions::InvokeResult>>(std::move(start));
  if (!result) co_return call.fail(result.error());
  http::Response r;
  r.status = 200;
  r.set("Content-Type", "application/json");
  r.set("X-Amz-Executed-Version", result->executed_version);
  r.set("x-amzn-RequestId", request_id);
  if (result->function_error) r.set("X-Amz-Function-Error", "Unhandled");
  if (req.header("x-amz-log-type") == "Tail") r.set("X-Amz-Log-Result", base::base64_encode(result->log_tail));
  r.body = std::move(result->payload);
  co_return r;
}

}  // namespace

awaitable<http::Response> invoke(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  std::string type = call.req.header("x-amz-invocation-type");
  if (type.empty()) type = "RequestResponse";
  auto resolved = d.registry.resolve(ref->name, ref->qualifier);
  // A sync invoke's unknown function or qualifier is the invoker's to report (it resolves again, atomically).
  if (!resolved && type != "RequestResponse") co_return call.fail(resolved.error());
  // A function this host cannot run (arm64 here) is refused at once, whatever the invocation type: an
  // Event would only fail later in the queue (the invoker refuses it there too, for events already queued).
  if (resolved)
    if (auto arch = functions::check_architecture(*resolved); !arch) co_return call.fail(arch.error());
  if (type == "RequestResponse") co_return co_await invoke_sync(d, *ref, call);  // the invoker resolves the qualifier
  if (type == "DryRun") {
    if (auto s = check_json(call.body); !s) co_return call.fail(s.error());
    http::Response r;
    r.status = 204;
    co_return r;
  }
  if (type == "Event") co_return co_await invoke_async(d, *ref, call);
  co_return call.fail(
      base::make_error(base::ErrorCode::kInvalidArgument, "Unsupported invocation type: " + type));
}

}  // namespace nimbus::lambda_api
