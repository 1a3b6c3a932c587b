// S3 ACL and public-access operations: Get/PutBucketAcl, Get/PutObjectAcl,
// Get/Put/DeletePublicAccessBlock, Get/Put/DeleteBucketOwnershipControls, and
// the ACL a write asks for (check_write_acl before it, apply_write_acl after).
// Bucket documents live in the bucket settings (names in bucket_access.h);
// object ACLs (one per version) in storage's object_acls. Every change invalidates the cache.
#include "base/encoding.h"
#include "http/offload.h"
#include "s3/acl.h"
#include "s3/bucket_access.h"
#include "s3/bucket_settings.h"
#include "s3/call.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

S3Error acls_not_supported() { return s3_error(400, "AccessControlListNotSupported", "The bucket does not allow ACLs"); }
S3Error blocked_public_acl() { return s3_error(403, "AccessDenied", "Access Denied"); }

// An ACL a bucket's settings allow to be set: BucketOwnerEnforced allows only
// the owner's full control; BlockPublicAcls refuses public grants.
std::optional<S3Error> refused_by_bucket(const BucketAccess& access, const Acl& acl) {
  if (access.acls_disabled() && !acl.owner_only()) return acls_not_supported();
  if (access.block().block_public_acls && acl.is_public()) return blocked_public_acl();
  return std::nullopt;
}

// The ACL a Put*Acl request sets: from its headers, or from its body.
awaitable<std::optional<Acl>> requested_acl(Call& c, S3Error& err) {
  auto from_headers = acl_from_headers(c.req.headers, err);
  if (!err.code.empty()) co_return std::nullopt;
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) {
    err = to_s3_error(body.error());
    co_return std::nullopt;
  }
  if (from_headers) {
    if (!body->empty()) {
      err = s3_error(400, "UnexpectedContent", "This request does not support content when ACL headers are sent");
      co_return std::nullopt;
    }
    co_return from_headers;
  }
  if (body->empty()) {
    err = s3_error(400, "MissingSecurityHeader", "Your request was missing a required header: x-amz-acl or an AccessControlPolicy body");
    co_return std::nullopt;
  }
  co_return parse_access_control_policy(*body, err);
}

std::string xml_element(std::string_view body, std::string_view name) {
  std::string open = "<" + std::string(name) + ">", close = "</" + std::string(name) + ">";
  size_t a = body.find(open);
  if (a == std::string_view::npos) return {};
  a += open.size();
  size_t b = body.find(close, a);
  return b == std::string_view::npos ? std::string() : std::string(body.substr(a, b - a));
}

std::string response_header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (base::iequals(k, name)) return v;
  return {};
}

// The version a successful write made: its x-amz-version-id, else the "null" version.
std::string written_version(const http::Response& r) {
  std::string v = response_header(r, "x-amz-version-id");
  return v.empty() ? "null" : v;
}

}  // namespace

awaitable<http::Response> get_bucket_acl(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(s3_error(404, "NoSuchBucket", "The specified bucket does not exist"));
  co_return c.xml(render_access_control_policy(access->acl.value_or(private_acl())));
}

awaitable<http::Response> put_bucket_acl(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(s3_error(404, "NoSuchBucket", "The specified bucket does not exist"));
  S3Error err;
  auto acl = co_await requested_acl(c, err);
  if (!acl) co_return c.fail(err);
  if (auto refused = refused_by_bucket(*access, *acl)) co_return c.fail(*refused);
  co_return co_await write_bucket_setting(d, c, setting::kAcl, render_access_control_policy(*acl));
}

awaitable<http::Response> get_object_acl(Deps& d, Call& c) {
  auto doc = d.store.get_object_acl(c.addr.bucket, c.addr.key, c.addr.param("versionId"));  // a point read
  if (!doc) co_return c.fail(doc.error());
  if (!*doc) co_return c.xml(render_access_control_policy(private_acl()));
  co_return c.xml(**doc);
}

awaitable<http::Response> put_object_acl(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(s3_error(404, "NoSuchBucket", "The specified bucket does not exist"));
  S3Error err;
  auto acl = co_await requested_acl(c, err);
  if (!acl) co_return c.fail(err);
  if (auto refused = refused_by_bucket(*access, *acl)) co_return c.fail(*refused);
  // The default ACL is the absence of a row.
  std::string doc = acl->owner_only() && !acl->grants.empty() ? "" : render_access_control_policy(*acl);
  auto s = co_await http::offload(d.blocking, [&] {
    return d.store.put_object_acl(c.addr.bucket, c.addr.key, c.addr.param("versionId"), doc);
  });
  if (!s) co_return c.fail(s.error());
  co_return c.reply();
}

std::optional<S3Error> check_write_acl(Deps& d, Call& c) {
  if (!has_acl_headers(c.req.headers)) return std::nullopt;
  S3Error err;
  auto acl = acl_from_headers(c.req.headers, err);
  if (!acl) return err;
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) return std::nullopt;  // the operation answers NoSuchBucket itself
  // Writes to a BucketOwnerEnforced bucket may only name bucket-owner-full-control, as S3.
  if (access->acls_disabled() && canned_name(c.req.headers) != "bucket-owner-full-control") return acls_not_supported();
  if (access->block().block_public_acls && acl->is_public()) return blocked_public_acl();
  return std::nullopt;
}

awaitable<void> apply_write_acl(Deps& d, Call& c, std::string_view op, const http::Response& res) {
  if (res.status != (op == "AbortMultipartUpload" ? 204 : 200)) co_return;
  const std::string& bucket = c.addr.bucket;
  if (op == "CompleteMultipartUpload" || op == "AbortMultipartUpload") {
    auto upload = c.addr.param("uploadId");
    if (!upload) co_return;
    std::string name = setting::kUploadAclPrefix + *upload;
    auto pending = d.store.get_bucket_setting(bucket, name);
    if (!pending || !*pending) co_return;
    std::string etag = op == "CompleteMultipartUpload" ? unquoted(xml_element(res.body, "ETag")) : "";
    co_await http::offload(d.blocking, [&] {
      if (op == "CompleteMultipartUpload")
        (void)d.store.put_object_acl(bucket, c.addr.key, written_version(res), **pending, etag);
      return d.store.delete_bucket_setting(bucket, name);
    });
    co_return;
  }
  if (!has_acl_headers(c.req.headers)) co_return;
  S3Error err;
  auto acl = acl_from_headers(c.req.headers, err);
  if (!acl || (acl->owner_only() && !acl->grants.empty())) co_return;  // private: the default, no row
  std::string doc = render_access_control_policy(*acl);
  if (op == "CreateMultipartUpload") {
    std::string upload = xml_element(res.body, "UploadId");
    if (upload.empty()) co_return;
    co_await http::offload(d.blocking, [&] {
      return d.store.put_bucket_setting(bucket, setting::kUploadAclPrefix + upload, doc);
    });
    co_return;
  }
  // PutObject answers the ETag in a header, CopyObject in its XML.
  std::string etag = unquoted(op == "PutObject" ? response_header(res, "ETag") : xml_element(res.body, "ETag"));
  co_await http::offload(d.blocking, [&] {
    return d.store.put_object_acl(bucket, c.addr.key, written_version(res), doc, etag);
  });
}

awaitable<http::Response> get_public_access_block(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(s3_error(404, "NoSuchBucket", "The specified bucket does not exist"));
  if (!access->public_access_block)
    co_return c.fail(s3_error(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"));
  co_return c.xml(render_public_access_block(*access->public_access_block));
}

awaitable<http::Response> put_public_access_block(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto pab = parse_public_access_block(*body, err);
  if (!pab) co_return c.fail(err);
  co_return co_await write_bucket_setting(d, c, setting::kPublicAccessBlock, render_public_access_block(*pab));
}

awaitable<http::Response> delete_public_access_block(Deps& d, Call& c) {
  return delete_bucket_setting(d, c, setting::kPublicAccessBlock);
}

awaitable<http::Response> get_bucket_ownership_controls(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(s3_error(404, "NoSuchBucket", "The specified bucket does not exist"));
  if (access->ownership.empty())
    co_return c.fail(s3_error(404, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found"));
  co_return c.xml(render_ownership_controls(access->ownership));
}

awaitable<http::Response> put_bucket_ownership_controls(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto ownership = parse_ownership_controls(*body, err);
  if (!ownership) co_return c.fail(err);
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(s3_error(404, "NoSuchBucket", "The specified bucket does not exist"));
  // Disabling ACLs while the bucket's own ACL grants more than the owner would silently drop those grants.
  if (*ownership == "BucketOwnerEnforced" && access->acl && !access->acl->owner_only())
    co_return c.fail(s3_error(400, "InvalidBucketAclWithObjectOwnership",
                              "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"));
  co_return co_await write_bucket_setting(d, c, setting::kOwnership, std::move(*ownership));
}

awaitable<http::Response> delete_bucket_ownership_controls(Deps& d, Call& c) {
  return delete_bucket_setting(d, c, setting::kOwnership);
}

}  // namespace nimbus::s3
