// The CLI's way into a running nimbus: plain HTTP requests to the edge port,
// SigV4-signed like any AWS client (the CLI has no private back door).
// THREADING RULE: call() may run on any thread; set_endpoint_flag() only
// from main() before the commands run.
#pragma once

#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>
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
  std::string endpoint = "http://127.0.0.1:4566";  // --endpoint, else NIMBUS_ENDPOINT, else AWS_ENDPOINT_URL
  std::string access_key = "test";                 // AWS_ACCESS_KEY_ID
  std::string secret_key = "test";                 // AWS_SECRET_ACCESS_KEY
  std::string region = "us-east-1";                // AWS_REGION / AWS_DEFAULT_REGION

  static ApiTarget from_environment();
  // The global --endpoint flag: wins over the environment (main() sets it once, before any command runs).
  static void set_endpoint_flag(std::string endpoint);
};

// A failure to reach nimbus, in plain words: "cannot connect to nimbus at
// http://127.0.0.1:4566: connection refused — is `nimbus serve` running?".
std::string connection_error(const std::string& endpoint, const boost::system::error_code& ec, bool connecting);

// path is already URI-encoded; service is the SigV4 service ("lambda", "s3").
base::Result<ApiResponse> call(const ApiTarget& target, const std::string& service, const std::string& method,
                               const std::string& path, const std::string& body = "",
                               const std::map<std::string, std::string>& headers = {});

// Prints a call that failed (nimbus's answer, or why it could not be
// reached) to stderr; the command's exit status: 1 for an answer, 255 when
// nimbus could not be reached.
int report_failure(const base::Result<ApiResponse>& r);

// Members of an admin API answer for printing: a string ("" when absent or
// not a string), a number (0 when absent).
std::string text_of(const boost::json::object& o, const char* key);
long long number_of(const boost::json::object& o, const char* key);

}  // namespace nimbus::cli
