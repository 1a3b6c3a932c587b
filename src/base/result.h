// Result<T>: a value or a base::Error (a generic code, a message, and an optional reason).
// Used by every module for failures a caller is expected to handle; protocol
// modules map ErrorCode to their wire errors in one table each.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace nimbus::base {

// Generic codes: what kind of failure, in no one service's vocabulary. A
// reason (below) narrows it where a protocol has a more precise word; each
// service maps (code, reason) to its wire errors once, in its own table
// (s3/errors.cc, lambda_api's, the aws/ layer's for JSON and query services).
enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,     // a value is wrong (reasons: BadDigest, EntityTooSmall, InvalidPart, ...)
  kMalformed,           // the request's structure cannot be read (XML, JSON, form, a signature header)
  kNotFound,            // does not exist (reasons: NoSuchBucket, NoSuchKey, NoSuchUpload)
  kAlreadyExists,       // e.g. bucket already owned by you, function name taken
  kConflict,            // the resource's state forbids it (bucket not empty, in use)
  kPreconditionFailed,  // a condition the caller set does not hold (reasons: NotModified, InvalidRange)
  kTooLarge,            // over a size limit
  kUnauthenticated,     // who is calling cannot be established (reasons: InvalidAccessKeyId, SignatureDoesNotMatch, ...)
  kAccessDenied,        // known or anonymous caller not allowed; a presigned URL that expired
  kThrottled,           // over a concurrency or rate limit
  kUnavailable,         // not possible here or not yet; another way may work
  kNotImplemented,      // a feature or parameter value nimbus does not support
  kStorageFull,         // the disk (or nimbus's free-space reserve) is full
  kIo,
  kInternal,
};

// Reasons: the precise words a protocol may need, named once. Empty: none.
namespace reason {
inline constexpr const char* kNoSuchBucket = "NoSuchBucket";
inline constexpr const char* kNoSuchKey = "NoSuchKey";
inline constexpr const char* kNoSuchUpload = "NoSuchUpload";
inline constexpr const char* kConditionFailed = "ConditionFailed";  // a conditional write's check, at commit
inline constexpr const char* kNotModified = "NotModified";
inline constexpr const char* kInvalidRange = "InvalidRange";
inline constexpr const char* kBadDigest = "BadDigest";
inline constexpr const char* kEntityTooSmall = "EntityTooSmall";
inline constexpr const char* kInvalidPart = "InvalidPart";
inline constexpr const char* kInvalidPartOrder = "InvalidPartOrder";
inline constexpr const char* kInvalidAccessKeyId = "InvalidAccessKeyId";
inline constexpr const char* kSignatureDoesNotMatch = "SignatureDoesNotMatch";
inline constexpr const char* kRequestTimeTooSkewed = "RequestTimeTooSkewed";
inline constexpr const char* kMissingAuthentication = "MissingAuthentication";
inline constexpr const char* kExpiredToken = "ExpiredToken";
inline constexpr const char* kAuthorizationMalformed = "AuthorizationMalformed";
inline constexpr const char* kAuthorizationQueryParameters = "AuthorizationQueryParametersError";
inline constexpr const char* kContentSha256Mismatch = "ContentSha256Mismatch";
inline constexpr const char* kIncompleteBody = "IncompleteBody";
}  // namespace reason

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string reason;  // one of base::reason's, or empty
};

inline Error make_error(ErrorCode code, std::string message, std::string reason = {}) {
  return Error{code, std::move(message), std::move(reason)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}             // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace nimbus::base
