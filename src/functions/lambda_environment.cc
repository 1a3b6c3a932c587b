#include "functions/lambda_environment.h"

#include <algorithm>
#include <cctype>

#include "base/ids.h"
#include "base/time.h"

namespace nimbus::functions {

std::map<std::string, std::string> lambda_environment(const FunctionConfig& cfg, const Launch& launch,
                                                      const InstanceContext& context) {
  std::map<std::string, std::string> env = cfg.environment;
  auto set = [&](const std::string& k, const std::string& v) { env[k] = v; };
  set("AWS_LAMBDA_FUNCTION_NAME", cfg.name);
  set("AWS_LAMBDA_FUNCTION_VERSION", cfg.version);
  set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(cfg.memory_mb));
  set("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + cfg.name);
  set("AWS_LAMBDA_LOG_STREAM_NAME", context.log_stream);
  set("AWS_LAMBDA_RUNTIME_API", context.runtime_api);
  set("_HANDLER", cfg.handler);
  set("LAMBDA_TASK_ROOT", cfg.code_dir);
  set("LAMBDA_RUNTIME_DIR", cfg.code_dir);
  set("AWS_REGION", context.region);
  set("AWS_DEFAULT_REGION", context.region);
  set("AWS_ACCESS_KEY_ID", context.access_key);
  set("AWS_SECRET_ACCESS_KEY", context.secret_key);
  if (!context.endpoint_url.empty()) set("AWS_ENDPOINT_URL", context.endpoint_url);
  set("TZ", ":UTC");
  set("LANG", "en_US.UTF-8");
  set("PATH", "/usr/local/bin:/usr/bin:/bin");
  set("LD_LIBRARY_PATH", cfg.code_dir + "/lib:/usr/local/lib:/usr/lib");
  for (const auto& [k, v] : launch.env) set(k, v);
  return env;
}

std::string log_stream_name(const FunctionConfig& cfg, int64_t now_ms) {
  std::string day = base::iso8601(now_ms).substr(0, 10);
  std::replace(day.begin(), day.end(), '-', '/');
  return day + "/[" + cfg.version + "]" + base::random_hex(16);
}

std::string new_instance_access_key() {
  std::string key = "NIMBUS" + base::random_hex(7);
  for (auto& ch : key) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return key;
}

}  // namespace nimbus::functions
