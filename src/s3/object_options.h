// What a write request asks of an object besides its bytes and content
// headers: its storage class (x-amz-storage-class) and server-side
// encryption (x-amz-server-side-encryption, SSE-C, KMS). nimbus stores the
// class as an object attribute and reports it in HEAD, GET and listings;
// every object is stored the same way, so a class is a label (archive classes
// are readable at once, with no restore). Encryption: SSE-S3 (AES256) is what
// S3 applies to every object and what nimbus reports; KMS and customer keys
// are refused with a message that says so. Object Lock (retention, legal
// holds, a lock-enabled bucket) is not implemented and refused by header
// name with 501 NotImplemented. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "s3/errors.h"
#include "storage/types.h"

namespace nimbus::s3 {

inline constexpr std::string_view kStorageClassAttribute = "x-amz-storage-class";

// The error for a PutObject, CopyObject, CreateMultipartUpload or POST form
// that asks for an unknown storage class or an encryption nimbus does not
// offer, or Object Lock (object_lock_error); nullopt when the request can be
// served as asked. The second form takes the values directly (a POST form
// carries them as fields, and refuses unknown ones itself).
std::optional<S3Error> write_options_error(const http::Request& req);
std::optional<S3Error> write_options_error(std::string_view storage_class, std::string_view sse,
                                           bool customer_key, bool kms_key);

// 501 NotImplemented naming the first x-amz-object-lock-mode,
// -retain-until-date or -legal-hold header the request carries.
std::optional<S3Error> object_lock_error(const http::Request& req);

// CreateBucket's x-amz-bucket-object-lock-enabled: "false" is served (no
// lock is what every bucket has), "true" is 501 NotImplemented, anything
// else 400 InvalidArgument.
std::optional<S3Error> bucket_object_lock_error(const http::Request& req);

// Sets the storage-class attribute from the request (or removes a copied one:
// S3 copies an object into STANDARD unless the copy names a class).
void apply_storage_class(storage::Attributes& attributes, const http::Request& req);

// "STANDARD" unless the object was written with another class.
std::string storage_class(const storage::Attributes& attributes);

// x-amz-server-side-encryption: AES256, as S3 answers for every object write and read.
void add_encryption_header(http::Response& r);

}  // namespace nimbus::s3
