// A bucket's CORS configuration as a value: <CORSConfiguration> validated as
// S3 does (MalformedXML, InvalidRequest), rendered back, and the rule that
// matches a request's Origin, method and headers. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/errors.h"

namespace nimbus::s3 {

struct CorsRule {
  std::string id;
  std::vector<std::string> allowed_origins;  // at most one * each
  std::vector<std::string> allowed_methods;  // GET, PUT, HEAD, POST, DELETE
  std::vector<std::string> allowed_headers;  // at most one * each; matched case-insensitively
  std::vector<std::string> expose_headers;
  std::optional<long> max_age_seconds;
};

struct CorsConfiguration {
  std::vector<CorsRule> rules;
};

std::optional<CorsConfiguration> parse_cors_configuration(std::string_view body, S3Error& err);
std::string render_cors_configuration(const CorsConfiguration& c);

// The first rule allowing this origin, method and every one of the request
// headers (a preflight's Access-Control-Request-Headers), or nullptr.
const CorsRule* match_cors_rule(const CorsConfiguration& c, std::string_view origin, std::string_view method,
                                const std::vector<std::string>& request_headers);

// Access-Control-Request-Headers split on commas, trimmed and lowercased.
std::vector<std::string> split_header_list(std::string_view v);

}  // namespace nimbus::s3
