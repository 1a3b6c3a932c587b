#include "s3/service.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "auth/sigv2.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "base/trace_context.h"
#include "s3/bucket_access.h"
#include "s3/call.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

S3Error not_implemented(const std::string& what) {
  return s3_error(501, "NotImplemented", "A header or query you provided implies functionality that is not implemented: " + what);
}

// Subresources nimbus does not serve yet; answering NotImplemented beats
// silently treating ?acl as a plain object or bucket request.
constexpr std::string_view kUnsupported[] = {"lifecycle", "tagging", "website",
                                             "logging", "replication", "encryption",
                                             "object-lock", "retention", "legal-hold", "torrent", "restore",
                                             "select", "accelerate", "requestPayment", "analytics", "inventory",
                                             "metrics", "intelligent-tiering",
                                             "attributes"};

// The handler of a request, and the S3 operation's name (for metrics).
struct Route {
  Op op = nullptr;
  std::string_view name;
};

S3Error method_not_allowed() {
  return s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

// Bucket access and configuration: ?acl, ?policy, ?policyStatus, ?publicAccessBlock,
// ?ownershipControls, ?encryption, ?lifecycle, ?tagging (and an object's ?acl).
std::optional<Route> access_route(const std::string& m, const Address& a, S3Error& err) {
  if (a.bucket.empty()) return std::nullopt;
  // Browsers never sign a preflight; it is answered from the bucket's CORS rules.
  if (m == "OPTIONS") return Route{cors_preflight, "PreflightRequest"};
  auto pick = [&](std::initializer_list<std::pair<std::string_view, Route>> by_method) -> std::optional<Route> {
    for (const auto& [method, r] : by_method)
      if (m == method) return r;
    err = method_not_allowed();
    return Route{};
  };
  if (a.key.empty() && a.has("cors"))
    return pick({{"GET", {get_bucket_cors, "GetBucketCors"}},
                 {"PUT", {put_bucket_cors, "PutBucketCors"}},
                 {"DELETE", {delete_bucket_cors, "DeleteBucketCors"}}});
  if (!a.key.empty()) {
    if (a.has("acl")) return pick({{"GET", {get_object_acl, "GetObjectAcl"}}, {"PUT", {put_object_acl, "PutObjectAcl"}}});
    return std::nullopt;
  }
  if (a.has("acl")) return pick({{"GET", {get_bucket_acl, "GetBucketAcl"}}, {"PUT", {put_bucket_acl, "PutBucketAcl"}}});
  if (a.has("policyStatus")) return pick({{"GET", {get_bucket_policy_status, "GetBucketPolicyStatus"}}});
  if (a.has("policy"))
    return pick({{"GET", {get_bucket_policy, "GetBucketPolicy"}},
                 {"PUT", {put_bucket_policy, "PutBucketPolicy"}},
                 {"DELETE", {delete_bucket_policy, "DeleteBucketPolicy"}}});
  if (a.has("publicAccessBlock"))
    return pick({{"GET", {get_public_access_block, "GetPublicAccessBlock"}},
                 {"PUT", {put_public_access_block, "PutPublicAccessBlock"}},
                 {"DELETE", {delete_public_access_block, "DeletePublicAccessBlock"}}});
  if (a.has("ownershipControls"))
    return pick({{"GET", {get_bucket_ownership_controls, "GetBucketOwnershipControls"}},
                 {"PUT", {put_bucket_ownership_controls, "PutBucketOwnershipControls"}},
                 {"DELETE", {delete_bucket_ownership_controls, "DeleteBucketOwnershipControls"}}});
  if (a.has("encryption"))
    return pick({{"GET", {get_bucket_encryption, "GetBucketEncryption"}},
                 {"PUT", {put_bucket_encryption, "PutBucketEncryption"}},
                 {"DELETE", {delete_bucket_encryption, "DeleteBucketEncryption"}}});
  if (a.has("lifecycle"))
    return pick({{"GET", {get_bucket_lifecycle, "GetBucketLifecycleConfiguration"}},
                 {"PUT", {put_bucket_lifecycle, "PutBucketLifecycleConfiguration"}},
                 {"DELETE", {delete_bucket_lifecycle, "DeleteBucketLifecycle"}}});
  if (a.has("tagging"))
    return pick({{"GET", {get_bucket_tagging, "GetBucketTagging"}},
                 {"PUT", {put_bucket_tagging, "PutBucketTagging"}},
                 {"DELETE", {delete_bucket_tagging, "DeleteBucketTagging"}}});
  return std::nullopt;
}

Route route(const std::string& m, const Address& a, const http::Request& req, S3Error& err) {
  if (m == "POST" && !a.bucket.empty() && a.key.empty() && a.query.empty() &&
      base::to_lower(req.header("content-type")).rfind("multipart/form-data", 0) == 0)
    return {post_object, "PostObject"};
  if (auto r = access_route(m, a, err)) return *r;
  for (auto sub : kUnsupported)
    if (a.has(sub) && !(sub == "tagging" && !a.key.empty())) {  // object tagging is served; bucket tagging not yet
      err = not_implemented("?" + std::string(sub));
      return {};
    }
  if (a.bucket.empty()) {
    if (m == "GET") return {list_buckets, "ListBuckets"};
  } else if (a.key.empty()) {
    if (a.has("notification")) {
      if (m == "PUT") return {put_bucket_notification, "PutBucketNotificationConfiguration"};
      if (m == "GET") return {get_bucket_notification, "GetBucketNotificationConfiguration"};
    }
    if (m == "PUT") {
      if (a.has("versioning")) return {put_bucket_versioning, "PutBucketVersioning"};
      return {create_bucket, "CreateBucket"};
    }
    if (m == "HEAD") return {head_bucket, "HeadBucket"};
    if (m == "DELETE") return {delete_bucket, "DeleteBucket"};
    if (m == "POST" && a.has("delete")) return {delete_objects, "DeleteObjects"};
    if (m == "GET") {
      if (a.has("location")) return {get_bucket_location, "GetBucketLocation"};
      if (a.has("versioning")) return {get_bucket_versioning, "GetBucketVersioning"};
      if (a.has("versions")) return {list_object_versions, "ListObjectVersions"};
      if (a.has("uploads")) return {list_multipart_uploads, "ListMultipartUploads"};
      if (a.param("list-type") == "2") return {list_objects_v2, "ListObjectsV2"};
      return {list_objects, "ListObjects"};
    }
  } else {
    if (a.has("tagging")) {
      if (m == "PUT") return {put_object_tagging, "PutObjectTagging"};
      if (m == "GET") return {get_object_tagging, "GetObjectTagging"};
      if (m == "DELETE") return {delete_object_tagging, "DeleteObjectTagging"};
    }
    bool copy = !req.header("x-amz-copy-source").empty();
    if (m == "PUT") {
      if (a.has("uploadId")) return copy ? Route{upload_part_copy, "UploadPartCopy"} : Route{upload_part, "UploadPart"};
      return copy ? Route{copy_object, "CopyObject"} : Route{put_object, "PutObject"};
    }
    if (m == "GET") return a.has("uploadId") ? Route{list_parts, "ListParts"} : Route{get_object, "GetObject"};
    if (m == "HEAD") return {get_object, "HeadObject"};
    if (m == "DELETE") return a.has("uploadId") ? Route{abort_multipart_upload, "AbortMultipartUpload"} : Route{delete_object, "DeleteObject"};
    if (m == "POST") {
      if (a.has("uploads")) return {create_multipart_upload, "CreateMultipartUpload"};
      if (a.has("uploadId")) return {complete_multipart_upload, "CompleteMultipartUpload"};
    }
  }
  err = method_not_allowed();
  return {};
}

// Operations whose request may carry an ACL for the object it writes.
bool writes_object_acl(std::string_view op) {
  return op == "PutObject" || op == "CopyObject" || op == "CreateMultipartUpload";
}

}  // namespace

http::Response Call::reply(int status) const {
  http::Response r;
  r.status = status;
  r.set("x-amz-request-id", where.request_id);
  r.set("x-amz-id-2", where.request_id);
  return r;
}

http::Response Call::xml(const std::string& body, int status) const {
  http::Response r = reply(status);
  r.set("Content-Type", "application/xml");
  r.body = body;
  return r;
}

std::string quoted(const std::string& etag) { return "\"" + etag + "\""; }


struct Service::Impl {
  Impl(storage::Store& s, const auth::CredentialStore& c, boost::asio::thread_pool& b, Options o)
      : store(s), credentials(c), blocking(b), options(std::move(o)), access(s) {}
  storage::Store& store;
  const auth::CredentialStore& credentials;
  boost::asio::thread_pool& blocking;
  Options options;
  auth::SigningKeyCache signing_keys;
  BucketAccessCache access;
  boost::asio::awaitable<http::Response> serve(http::Request& req, Call& call);
};

Service::Service(storage::Store& store, const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking,
                 Options options)
    : impl_(std::make_unique<Impl>(store, credentials, blocking, std::move(options))) {
  if (impl_->options.virtual_host_suffixes.empty())
    impl_->options.virtual_host_suffixes = default_virtual_host_suffixes();
}

Service::~Service() = default;

boost::asio::awaitable<http::Response> Service::handle(http::Request& req) {
  Call call{req, parse_address(req, impl_->options.virtual_host_suffixes), {}, {}, {}};
  http::Response res = co_await impl_->serve(req, call);
  // CORS headers go on every answer about a bucket with a CORS configuration, errors included.
  if (!call.addr.bucket.empty() && !req.header("origin").empty() && req.method != "OPTIONS") {
    Deps deps{impl_->store,         impl_->blocking, impl_->options, impl_->options.notifications,
              &impl_->access,       &impl_->credentials};
    add_cors_headers(deps, call, res);
  }
  co_return res;
}

boost::asio::awaitable<http::Response> Service::Impl::serve(http::Request& req, Call& call) {
  call.where.request_id = base::request_id();
  call.where.bucket = call.addr.bucket;
  call.where.key = call.addr.key;
  call.where.resource = call.addr.resource();
  call.where.head = req.method == "HEAD";
  call.context.request_id = call.where.request_id;
  call.context.source_ip = req.remote_ip;
  // Every request belongs to a trace: the caller's (X-Ray or W3C header) or a
  // new one. Events it causes carry this request's span as their parent.
  auto incoming = base::parse_trace_context(req.header("x-amzn-trace-id"), req.header("traceparent"));
  bool caller_traced = incoming.valid();
  base::TraceContext trace = caller_traced ? incoming : base::new_trace();
  std::string span_id = base::new_span_id();
  call.context.trace_id = base::TraceContext{trace.root, span_id, trace.sampled}.header();
  call.context.caused_events = std::make_shared<std::atomic<bool>>(false);

  auth::RequestView view{req.method, req.target, &req.headers, {}};
  base::Result<auth::VerifiedRequest> verified = base::make_error(base::ErrorCode::kAccessDenied, "Access Denied");
  // No signature at all: an anonymous request, which only ACLs and bucket policies let through.
  bool anonymous = req.header("authorization").empty() && !auth::is_sigv4(view) && !auth::is_sigv2(view);
  if (anonymous) {
    verified = auth::VerifiedRequest{};
  } else if (auth::is_sigv4(view)) {
    auth::VerifyOptions opts;
    opts.key_cache = &signing_keys;
    verified = auth::verify(view, credentials, base::now_ms(), opts);
  } else if (auth::is_sigv2(view)) {
    // boto3 still presigns with V2 by default; V2 puts a virtual host's bucket in front of the path.
    verified = auth::verify_v2(view, credentials, base::now_ms(),
                               call.addr.virtual_hosted ? std::string_view(call.addr.bucket) : std::string_view());
  }
  if (!verified) co_return call.fail(verified.error());
  call.auth = std::move(*verified);
  call.context.principal = call.auth.access_key;
  call.anonymous = anonymous;

  S3Error err;
  Route r = route(req.method, call.addr, req, err);
  if (!r.op) co_return call.fail(err);
  Deps deps{store, blocking, options, options.notifications, &access, &credentials};
  // The caller's guard against writing to or reading from someone else's bucket.
  if (!call.addr.bucket.empty())
    if (auto denied = expected_owner_error(req.headers)) co_return call.fail(*denied);
  // A preflight is never signed; a form upload carries its signature in its fields.
  if (anonymous && r.name != "PreflightRequest" && r.name != "PostObject")
    if (auto denied = authorize_anonymous(deps, call, r.name)) co_return call.fail(*denied);
  if (writes_object_acl(r.name))
    if (auto refused = check_write_acl(deps, call)) co_return call.fail(*refused);
  auto started = std::chrono::steady_clock::now();
  int64_t started_us = base::now_us();
  http::Response res = co_await r.op(deps, call);
  if (writes_object_acl(r.name) || r.name == "CompleteMultipartUpload" || r.name == "AbortMultipartUpload")
    co_await apply_write_acl(deps, call, r.name, res);
  spdlog::debug("s3 {} {} -> {} ({})", req.method, req.target, res.status, call.where.request_id);
  if (options.on_request) {
    RequestRecord record;
    record.operation = r.name;
    record.status = res.status;
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    record.request_id = call.where.request_id;
    record.trace_root = trace.root;
    record.span_id = span_id;
    record.parent_span = incoming.parent;
    std::string resource = call.addr.bucket.empty() ? "" : call.addr.bucket + (call.addr.key.empty() ? "" : "/" + call.addr.key);
    record.resource = resource;
    record.start_us = started_us;
    record.traced = caller_traced || *call.context.caused_events;
    auto length = [](const base::HeaderList& headers, std::string_view name) -> uint64_t {
      std::string v = auth::header_value(headers, name);
      return v.empty() ? 0 : std::strtoull(v.c_str(), nullptr, 10);
    };
    record.bytes_in = length(req.headers, "x-amz-decoded-content-length");
    if (!record.bytes_in) record.bytes_in = length(req.headers, "content-length");
    if (!res.omit_body) record.bytes_out = res.stream ? res.stream->size() : res.body.size();
    options.on_request(record);
  }
  co_return res;
}

}  // namespace nimbus::s3
