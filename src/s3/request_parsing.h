// Parsers for what an S3 request carries in its body and in
// x-amz-copy-source: the XML documents of DeleteObjects,
// CompleteMultipartUpload and CreateBucket, with S3's MalformedXML / InvalidArgument answers. Pure functions (no store, no I/O),
// so the operations and the fuzz targets (fuzz/s3_xml_fuzz.cc) call the same code.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/errors.h"
#include "storage/types.h"

namespace nimbus::s3 {

// An ETag as clients send it back, without its quotes.
std::string unquoted(std::string_view etag);

// <Delete>: up to 1000 <Object> (<Key>, optional <VersionId> and <ETag>,
// the latter a condition as If-Match is), and <Quiet>.
struct DeleteTarget {
  std::string key;
  std::optional<std::string> version_id;
  std::optional<std::string> etag;  // unquoted
};
struct DeleteRequest {
  bool quiet = false;
  std::vector<DeleteTarget> objects;
};
std::optional<DeleteRequest> parse_delete_request(std::string_view body, S3Error& err);

// <CompleteMultipartUpload>: the parts, numbers 1..10000, ETags unquoted.
std::optional<std::vector<storage::CompletedPart>> parse_complete_multipart(std::string_view body, S3Error& err);

// <VersioningConfiguration>: Status Enabled or Suspended (absent: no
// change); MfaDelete Enabled is refused (501), as nimbus has no MFA.
struct VersioningRequest {
  std::optional<storage::Versioning> status;
};
std::optional<VersioningRequest> parse_versioning_configuration(std::string_view body, S3Error& err);


// <CreateBucketConfiguration><LocationConstraint>; "" when absent.
std::optional<std::string> parse_create_bucket_configuration(std::string_view body, S3Error& err);

// <ServerSideEncryptionConfiguration>: one Rule, SSEAlgorithm AES256 (aws:kms
// refused: nimbus has no key service); returns BucketKeyEnabled, "true" or "false".
std::optional<std::string> parse_bucket_encryption(std::string_view body, S3Error& err);

// Why a key may not name a new object, if it may not: longer than 1,024
// bytes (KeyTooLongError), or not text that a listing's XML 1.0 can carry
// (invalid UTF-8, NUL and other control characters but TAB, LF and CR), so
// that no listing ever becomes unparseable.
std::optional<S3Error> new_key_error(std::string_view key);

// x-amz-copy-source: "[/]bucket/key[?versionId=id]", percent-encoded.
struct CopySourceName {
  std::string bucket;
  std::string key;
  std::optional<std::string> version_id;
};
std::optional<CopySourceName> parse_copy_source(std::string_view header, S3Error& err);

}  // namespace nimbus::s3
