// Private to s3/: one S3 request in flight (Call), what operations need to
// serve it (Deps), and the operations themselves, one function each.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "auth/sigv4.h"
#include "http/message.h"
#include "s3/addressing.h"
#include "s3/errors.h"
#include "s3/owner.h"
#include "s3/request_parsing.h"
#include "s3/service.h"
#include "storage/store.h"

namespace nimbus::events {
class Notifications;
}

namespace nimbus::s3 {

class BucketAccessCache;

struct Deps {
  storage::Store& store;
  boost::asio::thread_pool& blocking;
  const Options& options;
  events::Notifications* notifications = nullptr;
  BucketAccessCache* access = nullptr;  // bucket ACLs, public access block, ownership, policy
  const auth::CredentialStore* credentials = nullptr;  // form uploads verify their own signatures
};

struct Call {
  http::Request& req;
  Address addr;
  auth::VerifiedRequest auth;
  ErrorContext where;
  storage::RequestContext context;
  bool anonymous = false;  // unsigned: allowed only by an ACL or a bucket policy (service.cc)

  http::Response fail(const S3Error& e) const { return error_response(e, where); }
  http::Response fail(const base::Error& e) const { return error_response(to_s3_error(e), where); }
  // An empty response with S3's request id headers.
  http::Response reply(int status = 200) const;
  http::Response xml(const std::string& body, int status = 200) const;
};

using Op = boost::asio::awaitable<http::Response> (*)(Deps&, Call&);

// Buckets (bucket_ops.cc)
boost::asio::awaitable<http::Response> list_buckets(Deps&, Call&);
boost::asio::awaitable<http::Response> create_bucket(Deps&, Call&);
boost::asio::awaitable<http::Response> head_bucket(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_bucket(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_location(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_versioning(Deps&, Call&);  // versioning_ops.cc
boost::asio::awaitable<http::Response> put_bucket_versioning(Deps&, Call&);
// Default encryption (encryption_ops.cc)
boost::asio::awaitable<http::Response> put_bucket_encryption(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_encryption(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_bucket_encryption(Deps&, Call&);
// Lifecycle (lifecycle_ops.cc)
boost::asio::awaitable<http::Response> put_bucket_lifecycle(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_lifecycle(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_bucket_lifecycle(Deps&, Call&);
// Bucket tagging (bucket_tagging_ops.cc)
boost::asio::awaitable<http::Response> put_bucket_tagging(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_tagging(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_bucket_tagging(Deps&, Call&);
// Listing (list_ops.cc)
boost::asio::awaitable<http::Response> list_objects(Deps&, Call&);
boost::asio::awaitable<http::Response> list_objects_v2(Deps&, Call&);
boost::asio::awaitable<http::Response> list_object_versions(Deps&, Call&);
// Objects (object_ops.cc, copy_ops.cc)
boost::asio::awaitable<http::Response> put_object(Deps&, Call&);
boost::asio::awaitable<http::Response> get_object(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_object(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_objects(Deps&, Call&);
boost::asio::awaitable<http::Response> copy_object(Deps&, Call&);
// Object tagging (tagging_ops.cc)
boost::asio::awaitable<http::Response> put_object_tagging(Deps&, Call&);
boost::asio::awaitable<http::Response> get_object_tagging(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_object_tagging(Deps&, Call&);
// Notifications (notification_ops.cc)
boost::asio::awaitable<http::Response> put_bucket_notification(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_notification(Deps&, Call&);
// Multipart (multipart_ops.cc)
boost::asio::awaitable<http::Response> create_multipart_upload(Deps&, Call&);
boost::asio::awaitable<http::Response> upload_part(Deps&, Call&);
boost::asio::awaitable<http::Response> upload_part_copy(Deps&, Call&);
boost::asio::awaitable<http::Response> complete_multipart_upload(Deps&, Call&);
boost::asio::awaitable<http::Response> abort_multipart_upload(Deps&, Call&);
boost::asio::awaitable<http::Response> list_parts(Deps&, Call&);
boost::asio::awaitable<http::Response> list_multipart_uploads(Deps&, Call&);

// ACLs and public access (acl_ops.cc)
boost::asio::awaitable<http::Response> get_bucket_acl(Deps&, Call&);
boost::asio::awaitable<http::Response> put_bucket_acl(Deps&, Call&);
boost::asio::awaitable<http::Response> get_object_acl(Deps&, Call&);
boost::asio::awaitable<http::Response> put_object_acl(Deps&, Call&);
boost::asio::awaitable<http::Response> get_public_access_block(Deps&, Call&);
boost::asio::awaitable<http::Response> put_public_access_block(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_public_access_block(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_ownership_controls(Deps&, Call&);
boost::asio::awaitable<http::Response> put_bucket_ownership_controls(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_bucket_ownership_controls(Deps&, Call&);
// The ACL a write asks for (x-amz-acl, x-amz-grant-*) on PutObject, CopyObject
// and CreateMultipartUpload: checked before the operation runs (invalid,
// BlockPublicAcls, BucketOwnerEnforced), applied after it succeeded.
std::optional<S3Error> check_write_acl(Deps&, Call&);
boost::asio::awaitable<void> apply_write_acl(Deps&, Call&, std::string_view operation, const http::Response& res);
// Whether an unsigned request may run the operation (public_access.cc): nullopt if it may.
std::optional<S3Error> authorize_anonymous(Deps&, Call&, std::string_view operation);
// CORS (cors_ops.cc): the configuration, preflight OPTIONS, and the
// Access-Control-* headers of every other answer to a request with an Origin.
boost::asio::awaitable<http::Response> get_bucket_cors(Deps&, Call&);
boost::asio::awaitable<http::Response> put_bucket_cors(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_bucket_cors(Deps&, Call&);
boost::asio::awaitable<http::Response> cors_preflight(Deps&, Call&);
void add_cors_headers(Deps&, const Call&, http::Response& res);
// Browser form uploads (post_upload.cc): POST Object, multipart/form-data to the bucket.
boost::asio::awaitable<http::Response> post_object(Deps&, Call&);
// Bucket policies (policy_ops.cc)
boost::asio::awaitable<http::Response> get_bucket_policy(Deps&, Call&);
boost::asio::awaitable<http::Response> put_bucket_policy(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_bucket_policy(Deps&, Call&);
boost::asio::awaitable<http::Response> get_bucket_policy_status(Deps&, Call&);

// Shared by operations
std::string quoted(const std::string& etag);   // "\"etag\""
// unquoted(): s3/request_parsing.h

}  // namespace nimbus::s3
