// nimbus C++ function runtime client: a small library a function links to
// speak the Lambda Runtime API (2018-06-01) at $AWS_LAMBDA_RUNTIME_API.
// A handler takes an Invocation and returns an Outcome; run() loops forever,
// keeping one keep-alive HTTP connection to the runtime endpoint. No
// dependencies beyond the C++ standard library and POSIX sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

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

// Serves invocations until the process is stopped. Exceptions thrown by the
// handler become errors of type "Unhandled" (std::exception::what() as the message).
[[noreturn]] void run(const Handler& handler);

// Reports a failed initialisation (POST /runtime/init/error) and exits.
[[noreturn]] void fail_init(const std::string& error_type, const std::string& message);

// JSON string escaping, for handlers that build small JSON replies by hand.
std::string json_escape(const std::string& s);

}  // namespace nimbus::runtime
