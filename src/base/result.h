// Result<T>: a value or a base::Error (a code from ErrorCode plus a message).
// Used by every module for failures a caller is expected to handle; protocol
// modules map ErrorCode to their wire errors in one table each.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace nimbus::base {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,        // generic "does not exist"
  kNoSuchBucket,
  kNoSuchKey,
  kNoSuchUpload,
  kAlreadyExists,   // e.g. bucket already owned by you
  kConflict,        // e.g. bucket not empty
  kPreconditionFailed,
  kNotModified,
  kInvalidRange,
  kBadDigest,       // Content-MD5 or checksum mismatch
  kEntityTooSmall,
  kEntityTooLarge,
  kInvalidPart,
  kInvalidPartOrder,
  kMalformed,       // malformed XML or other structured input
  kAccessDenied,          // no credentials, or a presigned URL that expired
  kInvalidAccessKeyId,
  kSignatureMismatch,
  kRequestTimeTooSkewed,
  kAuthorizationMalformed,
  kContentSha256Mismatch,
  kIncompleteBody,
  kThrottled,             // over a concurrency limit
  kUnavailable,           // not possible here or not yet; another way may work
  kStorageFull,           // the disk (or nimbus's free-space reserve) is full
  kIo,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

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
