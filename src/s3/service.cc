#include "s3/service.h"

#include <spdlog/spdlog.h>

#include "auth/sigv2.h"
#include "base/ids.h"
#include "base/time.h"
#include "s3/call.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

S3Error not_implemented(const std::string& what) {
  return s3_error(501, "NotImplemented", "A header or query you provided implies functionality that is not implemented: " + what);
}

// Subresources nimbus does not serve yet; answering NotImplemented beats
// silently treating ?acl as a plain object or bucket request.
constexpr std::string_view kUnsupported[] = {"acl", "policy", "cors", "lifecycle", "tagging", "website",
                                             "logging", "replication", "encryption",
                                             "object-lock", "retention", "legal-hold", "torrent", "restore",
                                             "select", "accelerate", "requestPayment", "analytics", "inventory",
                                             "metrics", "ownershipControls", "publicAccessBlock", "intelligent-tiering",
                                             "attributes"};

Op route(const std::string& m, const Address& a, const http::Request& req, S3Error& err) {
  for (auto sub : kUnsupported)
    if (a.has(sub)) {
      err = not_implemented("?" + std::string(sub));
      return nullptr;
    }
  if (a.bucket.empty()) {
    if (m == "GET") return list_buckets;
  } else if (a.key.empty()) {
    if (a.has("notification")) {
      if (m == "PUT") return put_bucket_notification;
      if (m == "GET") return get_bucket_notification;
    }
    if (m == "PUT") {
      if (a.has("versioning")) {
        err = not_implemented("bucket versioning");
        return nullptr;
      }
      return create_bucket;
    }
    if (m == "HEAD") return head_bucket;
    if (m == "DELETE") return delete_bucket;
    if (m == "POST" && a.has("delete")) return delete_objects;
    if (m == "GET") {
      if (a.has("location")) return get_bucket_location;
      if (a.has("versioning")) return get_bucket_versioning;
      if (a.has("versions")) return list_object_versions;
      if (a.has("uploads")) return list_multipart_uploads;
      if (a.param("list-type") == "2") return list_objects_v2;
      return list_objects;
    }
  } else {
    bool copy = !req.header("x-amz-copy-source").empty();
    if (m == "PUT") {
      if (a.has("uploadId")) return copy ? upload_part_copy : upload_part;
      return copy ? copy_object : put_object;
    }
    if (m == "GET") return a.has("uploadId") ? list_parts : get_object;
    if (m == "HEAD") return get_object;
    if (m == "DELETE") return a.has("uploadId") ? abort_multipart_upload : delete_object;
    if (m == "POST") {
      if (a.has("uploads")) return create_multipart_upload;
      if (a.has("uploadId")) return complete_multipart_upload;
    }
  }
  err = s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  return nullptr;
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

std::string unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

struct Service::Impl {
  Impl(storage::Store& s, const auth::CredentialStore& c, boost::asio::thread_pool& b, Options o)
      : store(s), credentials(c), blocking(b), options(std::move(o)) {}
  storage::Store& store;
  const auth::CredentialStore& credentials;
  boost::asio::thread_pool& blocking;
  Options options;
  auth::SigningKeyCache signing_keys;
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
  call.where.request_id = base::request_id();
  call.where.bucket = call.addr.bucket;
  call.where.key = call.addr.key;
  call.where.resource = call.addr.resource();
  call.where.head = req.method == "HEAD";
  call.context.request_id = call.where.request_id;
  call.context.source_ip = req.remote_ip;
  call.context.trace_id = req.header("x-amzn-trace-id");

  auth::RequestView view{req.method, req.target, &req.headers, {}};
  base::Result<auth::VerifiedRequest> verified = base::make_error(base::ErrorCode::kAccessDenied, "Access Denied");
  if (auth::is_sigv4(view)) {
    auth::VerifyOptions opts;
    opts.key_cache = &impl_->signing_keys;
    verified = auth::verify(view, impl_->credentials, base::now_ms(), opts);
  } else if (auth::is_sigv2(view)) {
    // boto3 still presigns with V2 by default; V2 puts a virtual host's bucket in front of the path.
    verified = auth::verify_v2(view, impl_->credentials, base::now_ms(),
                               call.addr.virtual_hosted ? std::string_view(call.addr.bucket) : std::string_view());
  }
  if (!verified) co_return call.fail(verified.error());
  call.auth = std::move(*verified);
  call.context.principal = call.auth.access_key;

  S3Error err;
  Op op = route(req.method, call.addr, req, err);
  if (!op) co_return call.fail(err);
  Deps deps{impl_->store, impl_->blocking, impl_->options, impl_->options.notifications, impl_->options.function_exists};
  http::Response res = co_await op(deps, call);
  spdlog::debug("s3 {} {} -> {} ({})", req.method, req.target, res.status, call.where.request_id);
  co_return res;
}

}  // namespace nimbus::s3
