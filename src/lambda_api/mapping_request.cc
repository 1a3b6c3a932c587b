#include "lambda_api/mapping_request.h"

#include <boost/json.hpp>

#include "lambda_api/url_config.h"
#include "mappings/filters.h"

namespace nimbus::lambda_api {

namespace json = boost::json;

namespace {

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

// A model constraint, as Lambda's front end words it (ValidationException).
base::Error constraint(const std::string& value, const std::string& field, const std::string& rule) {
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "1 validation error detected: Value '" + value + "' at '" + field +
                              "' failed to satisfy constraint: " + rule,
                          kValidationReason);
}

// Settings of the other event sources: meaningless for a queue, refused as Lambda refuses them.
constexpr const char* kNotForQueues[] = {
    "StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "DestinationConfig",
    "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "TumblingWindowInSeconds",
    "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig"};

// What Lambda offers for SQS that nimbus does not do.
struct Unsupported {
  const char* field;
  const char* why;
};
constexpr Unsupported kNotInNimbus[] = {
    {"KMSKeyArn", "nimbus does not encrypt filter criteria with a KMS key"},
    {"MetricsConfig", "nimbus does not publish event source mapping metrics to CloudWatch (see /metrics)"},
    {"ProvisionedPollerConfig", "nimbus has no provisioned pollers: its pollers are driven by arrivals"},
    {"LoggingConfig", "nimbus does not configure event source mapping logs"}};

bool present(const json::object& in, const char* field) {
  const json::value* v = in.if_contains(field);
  return v && !v->is_null();
}

base::Result<std::optional<int64_t>> integer(const json::object& in, const char* field) {
  const json::value* v = in.if_contains(field);
  if (!v || v->is_null()) return std::optional<int64_t>{};
  if (!v->is_int64() && !v->is_uint64()) return invalid(std::string(field) + " must be an integer");
  return std::optional<int64_t>(v->to_number<int64_t>());
}

base::Status apply_filters(const json::value& fc, mappings::Mapping& m) {
  if (fc.is_null()) {
    m.filters.clear();
    return {};
  }
  if (!fc.is_object()) return invalid("FilterCriteria must be an object");
  std::vector<std::string> patterns;
  if (const json::value* fs = fc.as_object().if_contains("Filters"); fs && !fs->is_null()) {
    if (!fs->is_array()) return invalid("FilterCriteria.Filters must be a list");
    for (const auto& f : fs->as_array()) {
      const json::value* p = f.is_object() ? f.as_object().if_contains("Pattern") : nullptr;
      if (!p || !p->is_string()) return invalid("Invalid filter pattern definition: each filter needs a Pattern string");
      patterns.emplace_back(p->as_string());
    }
  }
  if (auto parsed = mappings::Filters::parse(patterns); !parsed) return parsed.error();
  m.filters = std::move(patterns);
  return {};
}

base::Status apply_response_types(const json::value& v, mappings::Mapping& m) {
  if (v.is_null()) {
    m.report_batch_item_failures = false;
    return {};
  }
  if (!v.is_array() || v.as_array().size() > 1) return invalid("FunctionResponseTypes must be a list of at most 1");
  bool report = false;
  for (const auto& t : v.as_array()) {
    if (!t.is_string() || t.as_string() != "ReportBatchItemFailures")
      return constraint(t.is_string() ? std::string(t.as_string()) : json::serialize(t), "functionResponseTypes",
                        "Member must satisfy enum value set: [ReportBatchItemFailures]");
    report = true;
  }
  m.report_batch_item_failures = report;
  return {};
}

base::Status apply_scaling(const json::value& v, mappings::Mapping& m) {
  if (v.is_null()) {
    m.maximum_concurrency = 0;
    return {};
  }
  if (!v.is_object()) return invalid("ScalingConfig must be an object");
  auto c = integer(v.as_object(), "MaximumConcurrency");
  if (!c) return c.error();
  if (!*c) {
    m.maximum_concurrency = 0;
    return {};
  }
  if (**c < 2 || **c > 1000)
    return constraint(std::to_string(**c), "scalingConfig.maximumConcurrency",
                      **c < 2 ? "Member must have value greater than or equal to 2"
                              : "Member must have value less than or equal to 1000");
  m.maximum_concurrency = static_cast<int>(**c);
  return {};
}

base::Status apply_tags(const json::value& v, mappings::Mapping& m) {
  if (v.is_null()) return {};
  if (!v.is_object()) return invalid("Tags must be a map of strings");
  for (const auto& [k, t] : v.as_object()) {
    if (!t.is_string()) return invalid("Tag values must be strings");
    if (k.empty() || k.size() > 128) return invalid("Tag keys must be 1 to 128 characters long");
    if (t.as_string().size() > 256) return invalid("Tag values must be at most 256 characters long");
    if (std::string_view(k).rfind("aws:", 0) == 0) return invalid("Tag keys must not begin with aws: (reserved for AWS use)");
    m.tags[std::string(k)] = std::string(t.as_string());
  }
  if (m.tags.size() > 50) return invalid("An event source mapping may have at most 50 tags");
  return {};
}

}  // namespace

base::Status apply_mapping_request(const json::object& in, bool create, const QueueFacts& queue, mappings::Mapping& m) {
  for (const char* field : kNotForQueues)
    if (present(in, field)) return invalid("Unsupported " + std::string(field) + " parameter for given event source mapping type.");
  for (const auto& u : kNotInNimbus)
    if (present(in, u.field)) return invalid(std::string(u.field) + ": " + u.why + ".");
  if (const json::value* v = in.if_contains("Enabled"); v && !v->is_null()) {
    if (!v->is_bool()) return invalid("Enabled must be a boolean");
    m.enabled = v->as_bool();
  }
  auto batch = integer(in, "BatchSize");
  if (!batch) return batch.error();
  if (*batch) {
    if (**batch < 1) return constraint(std::to_string(**batch), "batchSize", "Member must have value greater than or equal to 1");
    if (**batch > 10000)
      return constraint(std::to_string(**batch), "batchSize", "Member must have value less than or equal to 10000");
    m.batch_size = static_cast<int>(**batch);
  }
  auto window = integer(in, "MaximumBatchingWindowInSeconds");
  if (!window) return window.error();
  if (*window) {
    if (**window < 0 || **window > 300)
      return constraint(std::to_string(**window), "maximumBatchingWindowInSeconds",
                        **window < 0 ? "Member must have value greater than or equal to 0"
                                     : "Member must have value less than or equal to 300");
    m.batching_window_s = static_cast<int>(**window);
  }
  if (const json::value* v = in.if_contains("FilterCriteria"))
    if (auto s = apply_filters(*v, m); !s) return s;
  if (const json::value* v = in.if_contains("FunctionResponseTypes"))
    if (auto s = apply_response_types(*v, m); !s) return s;
  if (const json::value* v = in.if_contains("ScalingConfig"))
    if (auto s = apply_scaling(*v, m); !s) return s;
  if (const json::value* v = in.if_contains("Tags")) {
    if (!create) return invalid("Tags: use TagResource to tag an existing event source mapping");
    if (auto s = apply_tags(*v, m); !s) return s;
  }
  // The whole against its queue.
  if (queue.fifo) {
    if (m.batch_size > 10) return invalid("Batch size for FIFO queues must be between 1 and 10.");
    if (m.batching_window_s > 0) return invalid("Batching window is not supported for FIFO queues.");
  } else if (m.batch_size > 10 && m.batching_window_s == 0) {
    return invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
  }
  return {};
}

}  // namespace nimbus::lambda_api
