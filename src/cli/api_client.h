// The CLI's way into a running nimbus: plain HTTP requests to the edge port,
// SigV4-signed like any AWS client (the CLI has no private back door).
#pragma once

#include <map>
#include <string>

#include "base/result.h"

namespace nimbus::cli {

struct ApiResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

struct ApiTarget {
  std::string endpoint = "http://127.0.0.1:4566";  // NIMBUS_ENDPOINT or AWS_ENDPOINT_URL
  std::string access_key = "test";                 // AWS_ACCESS_KEY_ID
  std::string secret_key = "test";                 // AWS_SECRET_ACCESS_KEY
  std::string region = "us-east-1";                // AWS_REGION / AWS_DEFAULT_REGION

  static ApiTarget from_environment();
};

// path is already URI-encoded; service is the SigV4 service ("lambda", "s3").
base::Result<ApiResponse> call(const ApiTarget& target, const std::string& service, const std::string& method,
                               const std::string& path, const std::string& body = "",
                               const std::map<std::string, std::string>& headers = {});

}  // namespace nimbus::cli
