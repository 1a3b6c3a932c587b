// nimbus C++ function runtime client: a small library a function links to
// speak the Lambda Runtime API (2018-06-01) at $AWS_LAMBDA_RUNTIME_API.
// A handler takes an Invocation and returns an Outcome; run() loops forever,
// keeping one keep-alive HTTP connection to the runtime endpoint. A
// streaming handler (run_streaming()) gets a ResponseWriter instead and
// sends its response piece by piece as it goes (Lambda's response
// streaming: InvokeWithResponseStream, function URLs in RESPONSE_STREAM
// mode). No dependencies beyond the C++ standard library and POSIX sockets.
// Single-threaded: the handler runs on run()'s thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::runtime {

struct Invocation {
  std::string payload;
  std::string request_id;
  std::string function_arn;
  std::string trace_id;
  std::string client_context;
  std::string cognito_identity;
  int64_t deadline_ms = 0;  // epoch milliseconds
  int64_t remaining_ms() const;
};

class Outcome {
 public:
  static Outcome success(std::string payload, std::string content_type = "application/json");
  // Reported as Lambda does: {"errorMessage", "errorType", "stackTrace"}.
  static Outcome failure(std::string error_type, std::string message);
  bool ok() const { return ok_; }
  const std::string& body() const { return body_; }
  const std::string& content_type() const { return content_type_; }
  const std::string& error_type() const { return error_type_; }

 private:
  bool ok_ = true;
  std::string body_, content_type_, error_type_;
};

using Handler = std::function<Outcome(const Invocation&)>;

// A streamed response, sent as Lambda's runtime interface clients send it:
// POST …/response with Lambda-Runtime-Function-Response-Mode: streaming and
// Transfer-Encoding: chunked, each write() one chunk sent at once, an error
// as the trailers Lambda-Runtime-Function-Error-Type and -Error-Body.
class ResponseWriter {
 public:
  // Before the first write (default application/octet-stream). A function
  // URL reads "application/vnd.awslambda.http-integration-response" as a
  // JSON prelude (statusCode, headers, cookies), 8 NUL bytes, then the body.
  void set_content_type(std::string content_type);
  // For a function URL in RESPONSE_STREAM mode, what Node's
  // awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})
  // does: the HTTP status, headers and cookies (one Set-Cookie each) go
  // before the body as that prelude, and the content type becomes
  // application/vnd.awslambda.http-integration-response (a body's own type
  // is a "Content-Type" header here). Before the first write.
  void set_http_response(int status_code, const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::vector<std::string>& cookies = {});
  // Sends the bytes now. False once the connection to the runtime API is
  // lost or the stream has ended (the invocation timed out, too large).
  bool write(std::string_view bytes);
  // Ends the stream. Called by run_streaming() when the handler returns
  // without it.
  void finish();
  // Ends the stream with an error, reported as Lambda reports it (the
  // caller's InvokeComplete ErrorCode is error_type).
  void fail(const std::string& error_type, const std::string& message);
  bool finished() const { return finished_; }

  struct Impl;
  explicit ResponseWriter(Impl& impl) : impl_(impl) {}

 private:
  bool begin();
  Impl& impl_;
  std::string content_type_ = "application/octet-stream";
  std::string prelude_;  // set_http_response's, sent first
  bool started_ = false, finished_ = false, broken_ = false;
};

using StreamingHandler = std::function<void(const Invocation&, ResponseWriter&)>;

// Serves invocations until the process is stopped. Exceptions thrown by the
// handler become errors of type "Unhandled" (std::exception::what() as the message).
[[noreturn]] void run(const Handler& handler);

// Serves invocations with a streaming handler. An exception it throws ends
// the stream with an error of type "Unhandled" (what() as the message),
// after whatever it wrote.
[[noreturn]] void run_streaming(const StreamingHandler& handler);

// Reports a failed initialisation (POST /runtime/init/error) and exits.
[[noreturn]] void fail_init(const std::string& error_type, const std::string& message);

// JSON string escaping, for handlers that build small JSON replies by hand.
std::string json_escape(const std::string& s);

}  // namespace nimbus::runtime
