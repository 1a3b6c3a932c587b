// S3's error vocabulary: the one table from domain errors (base::ErrorCode)
// to S3 error codes and HTTP statuses, and the XML error response itself.
#pragma once

#include <string>

#include "base/result.h"
#include "http/message.h"

namespace nimbus::s3 {

struct S3Error {
  int status = 500;
  std::string code;
  std::string message;
};

S3Error to_s3_error(const base::Error& e);
S3Error s3_error(int status, std::string code, std::string message);

// Where the error happened, echoed in the XML body as S3 does.
struct ErrorContext {
  std::string bucket;
  std::string key;
  std::string resource;
  std::string request_id;
  bool head = false;  // HEAD answers carry no body
};

http::Response error_response(const S3Error& e, const ErrorContext& where);

}  // namespace nimbus::s3
