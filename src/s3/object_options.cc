#include "s3/object_options.h"

#include <algorithm>

#include "base/encoding.h"
#include "base/headers.h"

namespace nimbus::s3 {

namespace {

// S3's storage classes (PutObject's x-amz-storage-class values).
constexpr std::string_view kStorageClasses[] = {"STANDARD",    "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                                                "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS",
                                                "GLACIER_IR",  "SNOW", "EXPRESS_ONEZONE"};

std::string header(const http::Request& req, std::string_view name) {
  const std::string* v = base::find_header(req.headers, name);
  return v ? *v : std::string();
}

S3Error object_lock_not_implemented(std::string_view header_name) {
  return s3_error(501, "NotImplemented",
                  "A header or query you provided implies functionality that is not implemented: " +
                      std::string(header_name) + " (nimbus does not implement S3 Object Lock)");
}

}  // namespace

std::optional<S3Error> object_lock_error(const http::Request& req) {
  // Retention and legal holds are promises never to delete; storing the
  // object without keeping them would be worse than refusing the write.
  for (std::string_view h : {"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                             "x-amz-object-lock-legal-hold"})
    if (base::find_header(req.headers, h)) return object_lock_not_implemented(h);
  return std::nullopt;
}

std::optional<S3Error> bucket_object_lock_error(const http::Request& req) {
  const std::string* v = base::find_header(req.headers, "x-amz-bucket-object-lock-enabled");
  if (!v) return std::nullopt;
  std::string value = base::to_lower(*v);
  if (value == "false") return std::nullopt;
  if (value == "true") return object_lock_not_implemented("x-amz-bucket-object-lock-enabled");
  return s3_error(400, "InvalidArgument", "Invalid x-amz-bucket-object-lock-enabled header: " + *v);
}

std::optional<S3Error> write_options_error(std::string_view storage_class, std::string_view sse, bool customer_key,
                                           bool kms_key) {
  if (!storage_class.empty() &&
      std::find(std::begin(kStorageClasses), std::end(kStorageClasses), storage_class) == std::end(kStorageClasses))
    return s3_error(400, "InvalidStorageClass", "The storage class you specified is not valid");
  if (customer_key)
    return s3_error(400, "InvalidArgument",
                    "Server-side encryption with customer-provided keys (SSE-C) is not supported by nimbus; objects "
                    "are stored with SSE-S3 (AES256)");
  if (sse == "aws:kms" || sse == "aws:kms:dsse" || kms_key)
    return s3_error(400, "InvalidArgument",
                    "Server-side encryption with AWS KMS keys (aws:kms) is not supported by nimbus, which has no key "
                    "service; use AES256 (SSE-S3), which every object gets");
  if (!sse.empty() && sse != "AES256")
    return s3_error(400, "InvalidArgument", "The encryption method specified is not supported");
  return std::nullopt;
}

std::optional<S3Error> write_options_error(const http::Request& req) {
  if (auto lock = object_lock_error(req)) return lock;
  return write_options_error(header(req, "x-amz-storage-class"), header(req, "x-amz-server-side-encryption"),
                             base::find_header(req.headers, "x-amz-server-side-encryption-customer-algorithm") ||
                                 base::find_header(req.headers, "x-amz-server-side-encryption-customer-key"),
                             base::find_header(req.headers, "x-amz-server-side-encryption-aws-kms-key-id") ||
                                 base::find_header(req.headers, "x-amz-server-side-encryption-context"));
}

void apply_storage_class(storage::Attributes& attributes, const http::Request& req) {
  std::erase_if(attributes, [](const auto& a) { return a.first == kStorageClassAttribute; });
  std::string cls = header(req, "x-amz-storage-class");
  if (!cls.empty() && cls != "STANDARD") attributes.emplace_back(kStorageClassAttribute, cls);
}

std::string storage_class(const storage::Attributes& attributes) {
  for (const auto& [k, v] : attributes)
    if (k == kStorageClassAttribute) return v;
  return "STANDARD";
}

void add_encryption_header(http::Response& r) { r.set("x-amz-server-side-encryption", "AES256"); }

}  // namespace nimbus::s3
