// A function URL's configuration (Lambda's FunctionUrlConfig: AuthType,
// Cors, InvokeMode) as the management API validates it, the JSON text the
// registry stores for it, and what the serving side (function_urls/) reads
// back. Validation follows Lambda's: ValidationException messages
// ("1 validation error detected: ...") for enum values, list sizes and MaxAge.
// THREADING RULE: pure functions over values; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace nimbus::lambda_api {

struct UrlCors {
  bool allow_credentials = false;
  std::vector<std::string> allow_headers, allow_methods, allow_origins, expose_headers;
  int max_age = 0;
};

struct UrlConfig {
  std::string auth_type;  // NONE | AWS_IAM
  std::optional<UrlCors> cors;
  std::string invoke_mode = "BUFFERED";  // BUFFERED | RESPONSE_STREAM
};

// The error reason url_ops maps to Lambda's ValidationException (400).
inline constexpr const char* kValidationReason = "ValidationException";

// Applies a Create (create=true: AuthType required) or Update body onto c;
// members absent from an Update body keep their value.
base::Status apply_url_config(const boost::json::object& in, UrlConfig& c, bool create);
// Get/Update/Delete's ?Qualifier=: an alias name, never $LATEST or a version number.
base::Status check_url_qualifier(const std::string& qualifier);

std::string encode_url_config(const UrlConfig& c);
UrlConfig decode_url_config(std::string_view text);
// The AuthType, Cors (when set) and InvokeMode members of Lambda's answers.
boost::json::object url_config_json(const UrlConfig& c);

// The host part of a function URL: "<url-id>.lambda-url.<region>.<edge>".
std::string url_host(const std::string& url_id, const std::string& region, const std::string& edge);
// The url id a Host names ("<32 [0-9a-z]>.lambda-url.<region>.<anything>", any port), or "".
std::string url_id_of_host(std::string_view host);

}  // namespace nimbus::lambda_api
