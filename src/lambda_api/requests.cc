#include "lambda_api/requests.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <limits>
#include <regex>

#include "base/arn.h"
#include "functions/runtimes.h"

namespace nimbus::lambda_api {

namespace json = boost::json;

namespace {
base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

// JSON numbers are 64-bit; a plain cast would wrap 4294967424 to a valid 128,
// so values past int's range saturate and then fail the range checks.
int to_int(int64_t v) {
  return static_cast<int>(std::clamp<int64_t>(v, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}
}  // namespace

base::Result<json::object> parse_body(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body.empty() ? std::string_view("{}") : body, ec);
  if (ec || !v.is_object()) return base::make_error(base::ErrorCode::kMalformed, "Could not parse request body into json");
  return v.as_object();
}

base::Result<FunctionRef> parse_ref(const std::string& raw) {
  FunctionRef ref;
  if (auto arn = base::parse_lambda_arn(raw)) {
    ref = {arn->function, arn->qualifier};
  } else if (raw.rfind("arn:", 0) != 0) {
    // "NAME", "NAME:QUALIFIER" or the partial "ACCOUNT:function:NAME".
    size_t fn = raw.find(":function:");
    std::string rest = fn == std::string::npos ? raw : raw.substr(fn + 10);
    size_t colon = rest.find(':');
    ref.name = rest.substr(0, colon);
    if (colon != std::string::npos) ref.qualifier = rest.substr(colon + 1);
  }
  static const std::regex kName("[a-zA-Z0-9-_]{1,64}");
  if (!std::regex_match(ref.name, kName))
    return invalid("1 validation error detected: Value '" + raw +
                   "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                   "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
                   "([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  return ref;
}

base::Status apply_config(const json::object& in, functions::FunctionConfig& c) {
  // NUL separates fields where configurations are stored, and no AWS field may hold one.
  auto has_nul = [](std::string_view v) { return v.find('\0') != std::string_view::npos; };
  bool nul = false;
  auto str = [&](const char* k, std::string& out) {
    if (auto* v = in.if_contains(k); v && v->is_string()) {
      out = std::string(v->as_string());
      nul = nul || has_nul(out);
    }
  };
  str("Runtime", c.runtime);
  str("Handler", c.handler);
  str("Description", c.description);
  str("Role", c.role);
  if (auto* v = in.if_contains("MemorySize"); v && v->is_int64()) c.memory_mb = to_int(v->as_int64());
  if (auto* v = in.if_contains("Timeout"); v && v->is_int64()) c.timeout_s = to_int(v->as_int64());
  if (auto* e = in.if_contains("EphemeralStorage"); e && e->is_object())
    if (auto* s = e->as_object().if_contains("Size"); s && s->is_int64()) c.ephemeral_mb = to_int(s->as_int64());
  if (auto* e = in.if_contains("Environment"); e && e->is_object()) {
    c.environment.clear();
    if (auto* vars = e->as_object().if_contains("Variables"); vars && vars->is_object())
      for (const auto& [k, v] : vars->as_object()) {
        if (!v.is_string()) return invalid("Environment variable values must be strings");
        nul = nul || has_nul(k) || has_nul(v.as_string());
        c.environment[std::string(k)] = std::string(v.as_string());
      }
  }
  if (nul) return invalid("1 validation error detected: a string value contains a NUL character");
  if (!functions::is_supported_runtime(c.runtime)) {
    std::string names;
    for (const auto& n : functions::supported_runtimes()) names += (names.empty() ? "" : ", ") + n;
    return invalid("Value " + c.runtime + " at 'runtime' failed to satisfy constraint: Member must satisfy enum value "
                   "set: [" + names + "]");
  }
  if (c.memory_mb < 128 || c.memory_mb > 10240)
    return invalid("1 validation error detected: Value '" + std::to_string(c.memory_mb) +
                   "' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240");
  if (c.timeout_s < 1 || c.timeout_s > 900)
    return invalid("1 validation error detected: Value '" + std::to_string(c.timeout_s) +
                   "' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900");
  if (c.ephemeral_mb < 512 || c.ephemeral_mb > 10240)
    return invalid("EphemeralStorage Size must be between 512 and 10240 MB");
  return {};
}

base::Status apply_event_invoke_config(const json::object& in, functions::EventInvokeConfig& c) {
  if (auto* v = in.if_contains("MaximumRetryAttempts"); v && v->is_int64()) {
    if (v->as_int64() < 0 || v->as_int64() > 2) return invalid("MaximumRetryAttempts must be between 0 and 2");
    c.max_retry_attempts = static_cast<int>(v->as_int64());
  }
  if (auto* v = in.if_contains("MaximumEventAgeInSeconds"); v && v->is_int64()) {
    if (v->as_int64() < 60 || v->as_int64() > 21600)
      return invalid("MaximumEventAgeInSeconds must be between 60 and 21600");
    c.max_event_age_s = static_cast<int>(v->as_int64());
  }
  if (auto* d = in.if_contains("DestinationConfig"); d && d->is_object()) {
    if (auto* f = d->as_object().if_contains("OnFailure"); f && f->is_object()) {
      c.on_failure.clear();
      if (auto* dest = f->as_object().if_contains("Destination"); dest && dest->is_string())
        c.on_failure = std::string(dest->as_string());
      if (!c.on_failure.empty() && c.on_failure.rfind("arn:aws:s3:::", 0) != 0)
        return invalid("nimbus supports S3 bucket destinations (arn:aws:s3:::BUCKET) for failed asynchronous "
                       "invocations");
    }
  }
  return {};
}

base::Result<int> reserved_concurrency(const json::object& in) {
  auto* v = in.if_contains("ReservedConcurrentExecutions");
  if (!v || !v->is_int64() || v->as_int64() < 0)
    return invalid("ReservedConcurrentExecutions must be a non-negative integer");
  return to_int(v->as_int64());
}

base::Result<int> provisioned_concurrency(const json::object& in) {
  auto* v = in.if_contains("ProvisionedConcurrentExecutions");
  if (!v || !v->is_int64() || v->as_int64() < 1) return invalid("ProvisionedConcurrentExecutions must be at least 1");
  return to_int(v->as_int64());
}

}  // namespace nimbus::lambda_api
