// The functions domain: what a function is (FunctionConfig), what an
// invocation carries, and what comes back. Protocol-neutral: lambda_api/
// maps these to and from Lambda's JSON.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nimbus::functions {

struct FunctionConfig {
  std::string name;
  std::string runtime;  // "provided", "provided.al2", "provided.al2023"
  std::string handler;
  std::string description;
  std::string role;
  int memory_mb = 128;
  int timeout_s = 3;
  int ephemeral_mb = 512;
  std::map<std::string, std::string> environment;
  std::string version = "$LATEST";
  std::string code_sha256;  // base64 of the SHA-256 of the zip, as Lambda reports it
  uint64_t code_size = 0;   // bytes of the zip
  std::string revision_id;  // changes with every update
  int64_t last_modified_ms = 0;
  std::optional<int> reserved_concurrency;
  std::string code_dir;     // where the unpacked code lives
  // Stored and reported as given; what each does (or that it has no effect) is in docs/functions.md.
  std::vector<std::string> architectures{"x86_64"};  // "x86_64" or "arm64"
  std::string tracing_mode = "PassThrough";          // or "Active"
  std::string dead_letter_target;                    // DeadLetterConfig.TargetArn; empty: none
  struct Vpc {
    std::vector<std::string> subnet_ids, security_group_ids;
    bool ipv6_dual_stack = false;
    bool operator==(const Vpc&) const = default;
  } vpc;                                             // no effect: functions run on the host's network
};

// A name that points at a version (Lambda aliases).
struct Alias {
  std::string function;
  std::string name;
  std::string version;
  std::string description;
  std::string revision_id;
  // RoutingConfig.AdditionalVersionWeights: another version and the share
  // (0..1) of invocations it gets; the rest go to `version`.
  std::map<std::string, double> weights;
};

// How asynchronous invocations of a function are retried and where the ones
// that fail for good go (Lambda's event invoke config).
struct EventInvokeConfig {
  std::optional<int> max_retry_attempts;   // 0..2; default: the server's retry schedule
  std::optional<int> max_event_age_s;      // 60..21600; default: the server's maximum
  // Destination ARNs (an SQS queue, an SNS topic, a function; OnFailure also an
  // S3 bucket), or empty: where a record of each finished event goes.
  std::string on_success;
  std::string on_failure;
  int64_t last_modified_ms = 0;
};

struct Invocation {
  int depth = 1;  // position in a chain of invocations caused by each other's writes
  std::string request_id;
  std::string payload;
  int64_t deadline_ms = 0;
  std::string function_arn;
  std::string trace_id;      // X-Amzn-Trace-Id the runtime gets: Root, Parent = span_id
  std::string trace_root;    // "1-..."
  std::string span_id;       // this invocation's span
  std::string parent_span;   // the span that caused it; empty: it began the trace
  std::string client_context;
  std::string cognito_identity;
};

struct InvokeResult {
  bool function_error = false;  // X-Amz-Function-Error: Unhandled
  std::string payload;          // the response, or the error JSON
  std::string log_tail;         // the invocation's log (last 4 KB), for LogType=Tail
  std::string executed_version = "$LATEST";
  // The error's type (a streamed invocation's InvokeComplete ErrorCode): the
  // runtime's Lambda-Runtime-Function-Error-Type, or the platform's
  // (Sandbox.Timedout, Runtime.ExitError, …). Empty: none, or not known.
  std::string error_type;
};

std::string function_arn(const std::string& region, const std::string& name, const std::string& qualifier = "");

}  // namespace nimbus::functions
