// InvokeWithResponseStream (POST /2021-11-15/functions/{FunctionName}/
// response-streaming-invocations): the function's response as an event
// stream (aws/eventstream.h) sent while the function produces it: one
// PayloadChunk event per piece, then InvokeComplete with ErrorCode,
// ErrorDetails (a function error's JSON, as the runtime sent it) and
// LogResult (the log tail, with X-Amz-Log-Type: Tail). The HTTP status is
// 200 once the function runs, whatever happens to it; errors before that
// (no such function, throttled, a bad payload) are Lambda's JSON errors. A
// function that does not stream answers with its whole payload as one
// PayloadChunk, as on AWS. The pieces wait in a bounded buffer
// (functions::StreamBuffer) between the invoker and the connection: a
// client that reads slowly holds the function back, never nimbus's memory.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>

#include "aws/eventstream.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/trace_context.h"
#include "functions/response_stream.h"
#include "functions/stream_body.h"
#include "lambda_api/call.h"

namespace nimbus::lambda_api {

using boost::asio::awaitable;
using functions::StreamBuffer;
using Event = StreamBuffer::Event;

namespace {

constexpr size_t kMaxPayload = 6 * 1024 * 1024;

// The same host check Invoke makes: an arm64 function would run here as
// x86_64 code (or not at all).
constexpr std::string_view host_architecture() {
#if defined(__aarch64__)
  return "arm64";
#else
  return "x86_64";
#endif
}

// InvokeComplete's ErrorCode: the error's type as the runtime or the
// platform gave it, else the errorType of its JSON, else Unhandled.
std::string error_code_of(const functions::InvokeResult& r) {
  if (!r.error_type.empty()) return r.error_type;
  boost::system::error_code ec;
  auto v = boost::json::parse(r.payload, ec);
  if (!ec && v.is_object())
    if (const auto* t = v.as_object().if_contains("errorType"); t && t->is_string() && !t->as_string().empty())
      return std::string(t->as_string());
  return "Unhandled";
}

std::string complete_event(const functions::InvokeResult& r, bool tail) {
  boost::json::object o;
  if (r.function_error) {
    o["ErrorCode"] = error_code_of(r);
    o["ErrorDetails"] = r.payload;
  }
  o["LogResult"] = tail ? base::base64_encode(r.log_tail) : "";
  return aws::encode_event("InvokeComplete", "application/json", boost::json::serialize(o));
}

// The HTTP body: each event of the buffer encoded as it comes.
class EventStreamBody : public functions::StreamBody {
 public:
  EventStreamBody(std::shared_ptr<StreamBuffer> buffer, bool tail, bool buffered)
      : StreamBody(std::move(buffer)), tail_(tail), buffered_(buffered) {}

  awaitable<base::Result<std::string>> next() override {
    if (finished()) co_return std::string();
    for (;;) {
      Event e = co_await next_event();
      switch (e.kind) {
        case Event::Kind::kHead: continue;  // already answered: the status line is out
        case Event::Kind::kChunk:
          co_return aws::encode_event("PayloadChunk", "application/octet-stream", e.bytes);
        case Event::Kind::kEnd: {
          set_finished();
          const auto& end = *e.end;
          if (!end) {
            // Refused after the head (nothing in the invoker does so today): an error the client can read.
            functions::InvokeResult r;
            r.function_error = true;
            r.error_type = "ServiceException";
            r.payload = end.error().message;
            co_return complete_event(r, tail_);
          }
          std::string out;
          // A buffered answer given straight to done (no head): its payload first.
          if (buffered_ && !end->function_error && !end->payload.empty())
            out = aws::encode_event("PayloadChunk", "application/octet-stream", end->payload);
          co_return out + complete_event(*end, tail_);
        }
      }
    }
  }

 private:
  bool tail_;
  bool buffered_;  // the end came first (no head)
};

}  // namespace

awaitable<http::Response> invoke_with_response_stream(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  const http::Request& req = call.req;
  std::string type = req.header("x-amz-invocation-type");
  if (type.empty()) type = "RequestResponse";
  if (type != "RequestResponse" && type != "DryRun")
    co_return call.fail(ErrorType::kInvalidParameterValue,
                        "1 validation error detected: Value '" + type +
                            "' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
                            "[RequestResponse, DryRun]");
  std::string log_type = req.header("x-amz-log-type");
  if (!log_type.empty() && log_type != "None" && log_type != "Tail")
    co_return call.fail(ErrorType::kInvalidParameterValue,
                        "1 validation error detected: Value '" + log_type +
                            "' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]");
  if (call.body.size() > kMaxPayload)
    co_return call.fail(ErrorType::kRequestTooLarge, "Request must be smaller than " + std::to_string(kMaxPayload) +
                                                         " bytes for the InvokeWithResponseStream operation");
  if (!call.body.empty()) {
    boost::system::error_code ec;
    boost::json::parse(call.body, ec);
    if (ec)
      co_return call.fail(ErrorType::kInvalidRequestContent,
                          "Could not parse request body into json: Could not parse payload into json: " + ec.message());
  }
  auto resolved = d.registry.resolve(ref->name, ref->qualifier);
  if (!resolved) co_return call.fail(resolved.error());
  if (!resolved->architectures.empty() && resolved->architectures[0] != host_architecture())
    co_return call.fail(ErrorType::kInvalidRuntime,
                        "The function " + ref->name + " is built for " + resolved->architectures[0] +
                            ", and this nimbus runs on " + std::string(host_architecture()) + ": it cannot run it.");
  if (type == "DryRun") {
    http::Response r;
    r.status = 204;
    r.set("x-amzn-RequestId", call.aws.request_id);
    co_return r;
  }

  functions::InvokeRequest ir;
  ir.function = ref->name;
  ir.qualifier = ref->qualifier;
  ir.payload = call.body.empty() ? "{}" : std::move(call.body);
  ir.tail_log = log_type == "Tail";
  ir.client_context = req.header("x-amz-client-context");
  auto trace = base::parse_trace_context(req.header("x-amzn-trace-id"), req.header("traceparent"));
  if (trace.valid()) ir.trace_id = trace.header();
  ir.request_id = base::uuid4();
  std::string request_id = ir.request_id;
  auto buffer = std::make_shared<StreamBuffer>();
  ir.stream = buffer;
  auto start = [&d, buffer, ir = std::make_shared<functions::InvokeRequest>(std::move(ir))] {
    d.invocations.invoke(std::move(*ir), [buffer](base::Result<functions::InvokeResult> r) { buffer->on_end(std::move(r)); });
  };
  start();

  // The first event decides the answer: refused (a Lambda error), or 200 and the stream.
  Event first = co_await functions::next_stream_event(buffer);
  std::string version = resolved->version;
  bool ended = first.kind == Event::Kind::kEnd;
  if (ended) {
    if (!*first.end) co_return call.fail(first.end->error());
    version = (*first.end)->executed_version;
  } else if (first.kind == Event::Kind::kHead) {
    version = first.head.executed_version;
  }
  http::Response r;
  r.status = 200;
  r.set("Content-Type", "application/vnd.amazon.eventstream");
  r.set("X-Amz-Executed-Version", version);
  r.set("x-amzn-RequestId", request_id);
  auto body = std::make_unique<EventStreamBody>(buffer, log_type == "Tail", ended);
  if (ended) body->put_back(std::move(first));
  r.chunks = std::move(body);
  co_return r;
}

}  // namespace nimbus::lambda_api
