#include "s3/errors.h"

#include <spdlog/spdlog.h>

#include "s3/xml.h"
#include "storage/types.h"

namespace nimbus::s3 {

using base::ErrorCode;

S3Error s3_error(int status, std::string code, std::string message) {
  return S3Error{status, std::move(code), std::move(message)};
}

S3Error to_s3_error(const base::Error& e) {
  struct Row {
    ErrorCode domain;
    const char* reason;  // nullptr: any reason of this code without a row of its own
    int status;
    const char* code;
  };
  namespace r = base::reason;
  static constexpr Row kTable[] = {
      {ErrorCode::kInvalidArgument, r::kBadDigest, 400, "BadDigest"},
      {ErrorCode::kInvalidArgument, r::kEntityTooSmall, 400, "EntityTooSmall"},
      {ErrorCode::kInvalidArgument, r::kInvalidPart, 400, "InvalidPart"},
      {ErrorCode::kInvalidArgument, r::kInvalidPartOrder, 400, "InvalidPartOrder"},
      {ErrorCode::kInvalidArgument, r::kContentSha256Mismatch, 400, "XAmzContentSHA256Mismatch"},
      {ErrorCode::kInvalidArgument, nullptr, 400, "InvalidArgument"},
      {ErrorCode::kNotFound, r::kNoSuchBucket, 404, "NoSuchBucket"},
      {ErrorCode::kNotFound, r::kNoSuchUpload, 404, "NoSuchUpload"},
      {ErrorCode::kNotFound, storage::reason::kNoSuchVersion, 404, "NoSuchVersion"},
      {ErrorCode::kNotFound, storage::reason::kDeleteMarker, 405, "MethodNotAllowed"},
      {ErrorCode::kNotFound, nullptr, 404, "NoSuchKey"},
      {ErrorCode::kAlreadyExists, nullptr, 409, "BucketAlreadyOwnedByYou"},
      {ErrorCode::kConflict, nullptr, 409, "BucketNotEmpty"},
      {ErrorCode::kPreconditionFailed, r::kNotModified, 304, "NotModified"},
      {ErrorCode::kPreconditionFailed, r::kInvalidRange, 416, "InvalidRange"},
      {ErrorCode::kPreconditionFailed, nullptr, 412, "PreconditionFailed"},
      {ErrorCode::kTooLarge, nullptr, 400, "EntityTooLarge"},
      {ErrorCode::kMalformed, r::kAuthorizationMalformed, 400, "AuthorizationHeaderMalformed"},
      {ErrorCode::kMalformed, r::kAuthorizationQueryParameters, 400, "AuthorizationQueryParametersError"},
      {ErrorCode::kMalformed, r::kIncompleteBody, 400, "IncompleteBody"},
      {ErrorCode::kMalformed, nullptr, 400, "MalformedXML"},
      {ErrorCode::kAccessDenied, nullptr, 403, "AccessDenied"},
      {ErrorCode::kUnauthenticated, r::kInvalidAccessKeyId, 403, "InvalidAccessKeyId"},
      {ErrorCode::kUnauthenticated, r::kRequestTimeTooSkewed, 403, "RequestTimeTooSkewed"},
      {ErrorCode::kUnauthenticated, r::kExpiredToken, 400, "ExpiredToken"},
      {ErrorCode::kUnauthenticated, r::kMissingAuthentication, 403, "AccessDenied"},
      {ErrorCode::kUnauthenticated, nullptr, 403, "SignatureDoesNotMatch"},
      {ErrorCode::kNotImplemented, nullptr, 501, "NotImplemented"},
      {ErrorCode::kStorageFull, nullptr, 507, "XNimbusStorageFull"},  // not retried by SDKs, unlike 500 and 503
      {ErrorCode::kIo, nullptr, 500, "InternalError"},
      {ErrorCode::kInternal, nullptr, 500, "InternalError"},
  };
  for (const auto& row : kTable) {
    if (row.domain != e.code || (row.reason && e.reason != row.reason)) continue;
    if (row.status < 500 || e.code == ErrorCode::kStorageFull || e.code == ErrorCode::kNotImplemented)
      return S3Error{row.status, row.code, e.message};
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
