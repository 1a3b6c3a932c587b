#include "s3/errors.h"

#include <spdlog/spdlog.h>

#include "s3/xml.h"

namespace nimbus::s3 {

using base::ErrorCode;

S3Error s3_error(int status, std::string code, std::string message) {
  return S3Error{status, std::move(code), std::move(message)};
}

S3Error to_s3_error(const base::Error& e) {
  struct Row {
    ErrorCode domain;
    int status;
    const char* code;
  };
  static constexpr Row kTable[] = {
      {ErrorCode::kInvalidArgument, 400, "InvalidArgument"},
      {ErrorCode::kNotFound, 404, "NoSuchKey"},
      {ErrorCode::kNoSuchBucket, 404, "NoSuchBucket"},
      {ErrorCode::kNoSuchKey, 404, "NoSuchKey"},
      {ErrorCode::kNoSuchUpload, 404, "NoSuchUpload"},
      {ErrorCode::kAlreadyExists, 409, "BucketAlreadyOwnedByYou"},
      {ErrorCode::kConflict, 409, "BucketNotEmpty"},
      {ErrorCode::kPreconditionFailed, 412, "PreconditionFailed"},
      {ErrorCode::kNotModified, 304, "NotModified"},
      {ErrorCode::kInvalidRange, 416, "InvalidRange"},
      {ErrorCode::kBadDigest, 400, "BadDigest"},
      {ErrorCode::kEntityTooSmall, 400, "EntityTooSmall"},
      {ErrorCode::kEntityTooLarge, 400, "EntityTooLarge"},
      {ErrorCode::kInvalidPart, 400, "InvalidPart"},
      {ErrorCode::kInvalidPartOrder, 400, "InvalidPartOrder"},
      {ErrorCode::kMalformed, 400, "MalformedXML"},
      {ErrorCode::kAccessDenied, 403, "AccessDenied"},
      {ErrorCode::kInvalidAccessKeyId, 403, "InvalidAccessKeyId"},
      {ErrorCode::kSignatureMismatch, 403, "SignatureDoesNotMatch"},
      {ErrorCode::kRequestTimeTooSkewed, 403, "RequestTimeTooSkewed"},
      {ErrorCode::kAuthorizationMalformed, 400, "AuthorizationHeaderMalformed"},
      {ErrorCode::kContentSha256Mismatch, 400, "XAmzContentSHA256Mismatch"},
      {ErrorCode::kIncompleteBody, 400, "IncompleteBody"},
      {ErrorCode::kStorageFull, 507, "XNimbusStorageFull"},  // not retried by SDKs, unlike 500 and 503
      {ErrorCode::kIo, 500, "InternalError"},
      {ErrorCode::kInternal, 500, "InternalError"},
  };
  for (const auto& row : kTable) {
    if (row.domain != e.code) continue;
    if (row.status < 500 || e.code == ErrorCode::kStorageFull) return S3Error{row.status, row.code, e.message};
    break;
  }
  // Internal detail (paths, SQLite's words) is for nimbus's log, not for clients.
  spdlog::error("s3: internal error: {}", e.message);
  return S3Error{500, "InternalError", "We encountered an internal error. Please try again."};
}

http::Response error_response(const S3Error& e, const ErrorContext& where) {
  http::Response r;
  r.status = e.status;
  r.set("x-amz-request-id", where.request_id);
  r.set("x-amz-id-2", where.request_id);
  if (where.head || e.status == 304) {
    r.omit_body = true;
    if (e.status != 304) r.set("Content-Length", "0");
    return r;
  }
  XmlDocument doc("Error", false);
  doc.root().text("Code", e.code).text("Message", e.message);
  if (!where.bucket.empty()) doc.root().text("BucketName", where.bucket);
  if (!where.key.empty()) doc.root().text("Key", where.key);
  doc.root().text("Resource", where.resource).text("RequestId", where.request_id).text("HostId", where.request_id);
  r.set("Content-Type", "application/xml");
  r.body = doc.str();
  return r;
}

}  // namespace nimbus::s3
