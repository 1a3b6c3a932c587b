#include "lambda_api/requests.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
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

namespace {

// Lambda's reserved names (docs: "Defined runtime environment variables"):
// the runtime sets them, so a function may not.
constexpr const char* kReservedEnv[] = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR"};
constexpr size_t kMaxEnvironmentBytes = 4096;

base::Status check_environment(const std::map<std::string, std::string>& env) {
  std::string reserved;
  for (const char* name : kReservedEnv)
    if (env.count(name)) reserved += (reserved.empty() ? "" : ", ") + std::string(name);
  if (!reserved.empty())
    return invalid("Lambda was unable to configure your environment variables because the environment variables you "
                   "have provided contains reserved keys that are currently not supported for modification. Reserved "
                   "keys used in this request: " + reserved);
  // Lambda measures the variables as the JSON object it stores.
  json::object vars;
  for (const auto& [k, v] : env) vars[k] = v;
  std::string measured = json::serialize(vars);
  if (measured.size() > kMaxEnvironmentBytes)
    return invalid("Lambda was unable to configure your environment variables because the environment variables you "
                   "have provided exceeded the 4KB limit. String measured: " + measured);
  return {};
}

base::Result<std::vector<std::string>> strings_of(const json::value& v, const char* field) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return invalid(std::string(field) + " must be a list of strings");
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) return invalid(std::string(field) + " must be a list of strings");
    out.emplace_back(item.as_string());
  }
  return out;
}

// A field nimbus cannot honour: refused by name when it asks for anything, never dropped.
bool asks_for_something(const json::value* v) {
  if (!v || v->is_null()) return false;
  if (v->is_string()) return !v->as_string().empty();
  if (v->is_array()) return !v->as_array().empty();
  if (v->is_object()) return !v->as_object().empty();
  return true;
}

base::Status refuse_unsupported(const json::object& in, const std::string& function) {
  struct Unsupported {
    const char* field;
    const char* why;
  };
  static constexpr Unsupported kFields[] = {
      {"Layers", "layers are not supported by nimbus yet; put the layer's files in the function's zip"},
      {"FileSystemConfigs", "EFS file systems are not supported by nimbus"},
      {"KMSKeyArn", "nimbus does not encrypt environment variables with KMS keys"},
      {"ImageConfig", "container images are not supported by nimbus (PackageType Zip only)"},
      {"CodeSigningConfigArn", "code signing is not supported by nimbus"},
  };
  for (const auto& u : kFields)
    if (asks_for_something(in.if_contains(u.field)))
      return invalid(std::string(u.field) + " is not supported: " + u.why);
  if (auto* v = in.if_contains("PackageType"); v && v->is_string() && v->as_string() != "Zip")
    return invalid("PackageType " + std::string(v->as_string()) + " is not supported: nimbus runs Zip packages only");
  if (auto* v = in.if_contains("SnapStart"); v && v->is_object())
    if (auto* a = v->as_object().if_contains("ApplyOn"); a && a->is_string() && a->as_string() != "None")
      return invalid("SnapStart ApplyOn " + std::string(a->as_string()) + " is not supported by nimbus (None only)");
  if (auto* v = in.if_contains("LoggingConfig"); v && v->is_object()) {
    const auto& l = v->as_object();
    auto text = [&](const char* k) {
      auto* f = l.if_contains(k);
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    if (!text("LogFormat").empty() && text("LogFormat") != "Text")
      return invalid("LoggingConfig LogFormat " + text("LogFormat") + " is not supported: nimbus logs in Text format");
    if (!text("LogGroup").empty() && text("LogGroup") != "/aws/lambda/" + function)
      return invalid("LoggingConfig LogGroup " + text("LogGroup") + " is not supported: nimbus logs to /aws/lambda/" +
                     function);
    if (!text("ApplicationLogLevel").empty() || !text("SystemLogLevel").empty())
      return invalid("LoggingConfig log levels need the JSON log format, which nimbus does not support");
  }
  return {};
}

}  // namespace

base::Status apply_architectures(const json::object& in, functions::FunctionConfig& c) {
  auto* v = in.if_contains("Architectures");
  if (!v || v->is_null()) return {};
  auto archs = strings_of(*v, "Architectures");
  if (!archs) return archs.error();
  std::string shown;
  for (const auto& a : *archs) shown += (shown.empty() ? "" : ", ") + a;
  if (archs->size() != 1 || ((*archs)[0] != "x86_64" && (*archs)[0] != "arm64"))
    return invalid("1 validation error detected: Value '[" + shown +
                   "]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must "
                   "satisfy enum value set: [x86_64, arm64]] and Member must have length less than or equal to 1");
  c.architectures = *archs;
  return {};
}

base::Status apply_config(const json::object& in, functions::FunctionConfig& c) {
  if (auto s = refuse_unsupported(in, c.name); !s) return s;
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
  if (in.if_contains("Environment"))
    if (auto s = check_environment(c.environment); !s) return s;
  if (auto s = apply_architectures(in, c); !s) return s;
  if (auto* t = in.if_contains("TracingConfig"); t && t->is_object())
    if (auto* m = t->as_object().if_contains("Mode"); m && m->is_string()) {
      if (m->as_string() != "Active" && m->as_string() != "PassThrough")
        return invalid("1 validation error detected: Value '" + std::string(m->as_string()) +
                       "' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: "
                       "[Active, PassThrough]");
      c.tracing_mode = std::string(m->as_string());
    }
  if (auto* dl = in.if_contains("DeadLetterConfig"); dl && dl->is_object()) {
    std::string target;
    if (auto* t = dl->as_object().if_contains("TargetArn"); t && t->is_string()) target = std::string(t->as_string());
    // Lambda's dead-letter targets are SQS queues and SNS topics (server/targets.h
    // delivers to both); whether one exists is the operation's check (Options::check_target).
    if (target.rfind("arn:aws:sqs:", 0) == 0 || target.rfind("arn:aws:sns:", 0) == 0) {
      c.dead_letter_target = target;
    } else if (!target.empty()) {
      return invalid("The provided target ARN " + target + " is invalid: a dead-letter target is an SQS queue or "
                     "SNS topic ARN");
    } else {
      c.dead_letter_target.clear();
    }
  }
  if (auto* vpc = in.if_contains("VpcConfig"); vpc && vpc->is_object()) {
    const auto& o = vpc->as_object();
    functions::FunctionConfig::Vpc next;
    if (auto* v = o.if_contains("SubnetIds")) {
      auto ids = strings_of(*v, "VpcConfig.SubnetIds");
      if (!ids) return ids.error();
      next.subnet_ids = *ids;
    }
    if (auto* v = o.if_contains("SecurityGroupIds")) {
      auto ids = strings_of(*v, "VpcConfig.SecurityGroupIds");
      if (!ids) return ids.error();
      next.security_group_ids = *ids;
    }
    if (auto* v = o.if_contains("Ipv6AllowedForDualStack"); v && v->is_bool()) next.ipv6_dual_stack = v->as_bool();
    for (const auto& id : next.subnet_ids)
      if (id.empty() || id.find(',') != std::string::npos) return invalid("Invalid subnet id: " + id);
    for (const auto& id : next.security_group_ids)
      if (id.empty() || id.find(',') != std::string::npos) return invalid("Invalid security group id: " + id);
    // Lambda keeps no VPC settings once both lists are empty.
    if (next.subnet_ids.empty() && next.security_group_ids.empty()) next = {};
    c.vpc = next;
  }
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
    for (auto [member, on_failure] : {std::pair{"OnSuccess", false}, std::pair{"OnFailure", true}}) {
      auto* side = d->as_object().if_contains(member);
      if (!side || !side->is_object()) continue;
      std::string& slot = on_failure ? c.on_failure : c.on_success;
      slot.clear();
      if (auto* dest = side->as_object().if_contains("Destination"); dest && dest->is_string())
        slot = std::string(dest->as_string());
      if (auto s = check_destination_arn(member, slot, on_failure); !s) return s;
    }
  }
  return {};
}

base::Status check_destination_arn(const char* member, const std::string& arn, bool on_failure) {
  if (arn.empty()) return {};
  for (const char* prefix : {"arn:aws:sqs:", "arn:aws:sns:", "arn:aws:lambda:"})
    if (arn.rfind(prefix, 0) == 0) return {};
  if (arn.rfind("arn:aws:s3:::", 0) == 0) {
    if (on_failure) return {};
    return invalid(std::string(member) + " destination " + arn +
                   ": an S3 bucket is a destination for failed invocations only (OnFailure)");
  }
  if (arn.rfind("arn:aws:events:", 0) == 0)
    return invalid(std::string(member) + " destination " + arn +
                   ": nimbus does not deliver invocation records to EventBridge yet; use an SQS queue, an SNS topic, "
                   "a function or (OnFailure) an S3 bucket");
  return invalid("The destination ARN " + arn + " is invalid: a destination is an SQS queue, SNS topic, Lambda "
                 "function or S3 bucket ARN");
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

base::Result<size_t> max_items(const std::string& raw, size_t cap) {
  if (raw.empty()) return cap;
  bool digits = raw.size() <= 6 && std::all_of(raw.begin(), raw.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  long n = digits ? std::strtol(raw.c_str(), nullptr, 10) : -1;
  if (n < 1 || n > 10000)
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "1 validation error detected: Value '" + raw +
                                "' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
                            "ValidationException");
  return std::min(static_cast<size_t>(n), cap);
}

std::optional<int64_t> version_rank(std::string_view version) {
  if (version == "$LATEST") return 0;
  if (version.empty() || version.size() > 12 || version[0] == '0') return std::nullopt;
  int64_t n = 0;
  for (char ch : version) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  return n;
}

}  // namespace nimbus::lambda_api
