#include "lambda_api/render.h"

#include <boost/json.hpp>

#include "base/time.h"

namespace nimbus::lambda_api {

namespace json = boost::json;

std::string lambda_time(int64_t ms) {
  std::string iso = base::iso8601(ms);  // 2024-01-01T00:00:00.000Z
  return iso.substr(0, iso.size() - 1) + "+0000";
}

json::object configuration_json(const functions::FunctionConfig& c, const std::string& region) {
  json::object o;
  o["FunctionName"] = c.name;
  o["FunctionArn"] = functions::function_arn(region, c.name, c.version == "$LATEST" ? "" : c.version);
  o["Runtime"] = c.runtime;
  o["Role"] = c.role;
  o["Handler"] = c.handler;
  o["CodeSize"] = c.code_size;
  o["Description"] = c.description;
  o["Timeout"] = c.timeout_s;
  o["MemorySize"] = c.memory_mb;
  o["LastModified"] = lambda_time(c.last_modified_ms);
  o["CodeSha256"] = c.code_sha256;
  o["Version"] = c.version;
  // Lambda leaves out Environment, DeadLetterConfig and VpcConfig when a function has none.
  if (!c.environment.empty()) {
    json::object vars;
    for (const auto& [k, v] : c.environment) vars[k] = v;
    o["Environment"] = json::object{{"Variables", vars}};
  }
  o["TracingConfig"] = json::object{{"Mode", c.tracing_mode}};
  if (!c.dead_letter_target.empty()) o["DeadLetterConfig"] = json::object{{"TargetArn", c.dead_letter_target}};
  if (!c.vpc.subnet_ids.empty() || !c.vpc.security_group_ids.empty()) {
    json::array subnets(c.vpc.subnet_ids.begin(), c.vpc.subnet_ids.end());
    json::array groups(c.vpc.security_group_ids.begin(), c.vpc.security_group_ids.end());
    o["VpcConfig"] = json::object{{"SubnetIds", subnets},
                                  {"SecurityGroupIds", groups},
                                  {"Ipv6AllowedForDualStack", c.vpc.ipv6_dual_stack},
                                  {"VpcId", ""}};
  }
  o["RevisionId"] = c.revision_id;
  o["State"] = "Active";
  o["LastUpdateStatus"] = "Successful";
  o["PackageType"] = "Zip";
  o["Architectures"] = json::array(c.architectures.begin(), c.architectures.end());
  o["EphemeralStorage"] = json::object{{"Size", c.ephemeral_mb}};
  // Where the function's logs go (the log store's group for it), in Lambda's plain-text format.
  o["LoggingConfig"] = json::object{{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + c.name}};
  o["SnapStart"] = json::object{{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
  return o;
}

json::object alias_json(const functions::Alias& a, const std::string& region) {
  json::object o{{"AliasArn", functions::function_arn(region, a.function, a.name)},
                 {"Name", a.name},
                 {"FunctionVersion", a.version},
                 {"Description", a.description},
                 {"RevisionId", a.revision_id}};
  if (!a.weights.empty()) {
    json::object w;
    for (const auto& [version, weight] : a.weights) w[version] = weight;
    o["RoutingConfig"] = json::object{{"AdditionalVersionWeights", w}};
  }
  return o;
}

json::object event_invoke_config_json(const std::string& function, const std::string& qualifier,
                                      const functions::EventInvokeConfig& c, const std::string& region) {
  // $LATEST's is answered under the unqualified ARN, as it was asked for (and as Terraform reads it back).
  json::object out{{"FunctionArn", functions::function_arn(region, function, qualifier == "$LATEST" ? "" : qualifier)},
                   {"LastModified", static_cast<double>(c.last_modified_ms) / 1000.0}};
  if (c.max_retry_attempts) out["MaximumRetryAttempts"] = *c.max_retry_attempts;
  if (c.max_event_age_s) out["MaximumEventAgeInSeconds"] = *c.max_event_age_s;
  json::object on_success, on_failure;
  if (!c.on_success.empty()) on_success["Destination"] = c.on_success;
  if (!c.on_failure.empty()) on_failure["Destination"] = c.on_failure;
  out["DestinationConfig"] = json::object{{"OnSuccess", on_success}, {"OnFailure", on_failure}};
  return out;
}

json::object provisioned_json(const functions::Registry::Provisioned& p) {
  return json::object{{"RequestedProvisionedConcurrentExecutions", p.count},
                      {"AvailableProvisionedConcurrentExecutions", p.count},
                      {"AllocatedProvisionedConcurrentExecutions", p.count},
                      {"Status", "READY"},
                      {"LastModified", lambda_time(p.last_modified_ms)}};
}

}  // namespace nimbus::lambda_api
