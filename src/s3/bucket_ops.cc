// S3 bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
// GetBucketLocation (versioning: versioning_ops.cc). CreateBucket takes x-amz-acl /
// x-amz-grant-* and x-amz-object-ownership (stored as bucket settings).

#include <algorithm>
#include <cstdlib>

#include "base/encoding.h"
#include "base/time.h"
#include "http/offload.h"
#include "s3/acl.h"
#include "s3/bucket_access.h"
#include "s3/call.h"
#include "s3/object_options.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

bool valid_bucket_name(const std::string& n) {
  if (n.size() < 3 || n.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    if (!alnum(c) && c != '-' && c != '.') return false;
    if (c == '.' && i + 1 < n.size() && (n[i + 1] == '.' || n[i + 1] == '-')) return false;
    if (c == '-' && i + 1 < n.size() && n[i + 1] == '.') return false;
  }
  int dots = 0;
  bool digits_only = true;
  for (char c : n) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') digits_only = false;
  }
  if (dots == 3 && digits_only) return false;  // looks like an IP address
  if (n.rfind("xn--", 0) == 0 || n.rfind("sthree-", 0) == 0) return false;
  if (n.size() >= 8 && n.compare(n.size() - 8, 8, "-s3alias") == 0) return false;
  return true;
}

}  // namespace

awaitable<http::Response> list_buckets(Deps& d, Call& c) {
  // max-buckets pages (1..10000); the continuation token is the last name sent, opaque to clients.
  int max_buckets = 10000;
  if (auto v = c.addr.param("max-buckets")) {
    char* end = nullptr;
    long n = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || *end || n < 1 || n > 10000)
      co_return c.fail(s3_error(400, "InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000."));
    max_buckets = static_cast<int>(n);
  }
  std::string after;
  auto token = c.addr.param("continuation-token");
  if (token && !token->empty()) {
    auto decoded = base::base64_decode(*token);
    if (!decoded || decoded->empty())
      co_return c.fail(s3_error(400, "InvalidArgument", "The continuation token provided is incorrect"));
    after = *decoded;
  }
  std::string prefix = c.addr.param("prefix").value_or("");
  auto region = c.addr.param("bucket-region");
  auto buckets = co_await http::offload(d.blocking, [&] { return d.store.list_buckets(); });
  std::sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  XmlDocument doc("ListAllMyBucketsResult");
  doc.root().child("Owner").text("ID", kOwnerId).text("DisplayName", kOwnerName);
  auto list = doc.root().child("Buckets");
  int sent = 0;
  std::string last;
  bool more = false;
  for (const auto& b : buckets) {
    if (!after.empty() && b.name <= after) continue;
    if (b.name.compare(0, prefix.size(), prefix) != 0) continue;
    if (region && b.region != *region) continue;
    if (sent == max_buckets) {
      more = true;
      break;
    }
    list.child("Bucket").text("Name", b.name).text("CreationDate", base::iso8601(b.created_ms)).text("BucketRegion", b.region);
    last = b.name;
    ++sent;
  }
  if (more) doc.root().text("ContinuationToken", base::base64_encode(last));
  if (!prefix.empty()) doc.root().text("Prefix", prefix);
  co_return c.xml(doc.str());
}

awaitable<http::Response> create_bucket(Deps& d, Call& c) {
  const std::string& name = c.addr.bucket;
  if (!valid_bucket_name(name))
    co_return c.fail(s3_error(400, "InvalidBucketName", "The specified bucket is not valid."));
  if (auto lock = bucket_object_lock_error(c.req)) co_return c.fail(*lock);
  std::string region = d.options.region;
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto constraint = parse_create_bucket_configuration(*body, err);
  if (!constraint) co_return c.fail(err);
  if (!constraint->empty()) region = *constraint;
  auto acl = acl_from_headers(c.req.headers, err);
  if (!err.code.empty()) co_return c.fail(err);
  std::string ownership = c.req.header("x-amz-object-ownership");
  if (!ownership.empty() && !valid_object_ownership(ownership))
    co_return c.fail(s3_error(400, "InvalidArgument", "Invalid x-amz-object-ownership header: " + ownership));
  if (ownership == "BucketOwnerEnforced" && acl && !acl->owner_only())
    co_return c.fail(s3_error(400, "InvalidBucketAclWithObjectOwnership",
                              "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"));
  auto status = co_await http::offload(d.blocking, [&] {
    auto s = d.store.create_bucket(name, region);
    // A new bucket's access settings; a crash before they are written leaves it private.
    if (s && acl && !(acl->owner_only() && !acl->grants.empty()))
      s = d.store.put_bucket_setting(name, setting::kAcl, render_access_control_policy(*acl));
    if (s && !ownership.empty()) s = d.store.put_bucket_setting(name, setting::kOwnership, ownership);
    return s;
  });
  d.access->invalidate(name);
  // Re-creating your own bucket succeeds, as it does in us-east-1 (its settings unchanged).
  if (!status && status.error().code != base::ErrorCode::kAlreadyExists) co_return c.fail(status.error());
  http::Response r = c.reply();
  r.set("Location", "/" + name);
  co_return r;
}

awaitable<http::Response> head_bucket(Deps& d, Call& c) {
  auto b = d.store.get_bucket(c.addr.bucket);
  if (!b) co_return c.fail(b.error());
  http::Response r = c.reply();
  r.set("x-amz-bucket-region", b->region);
  r.set("Content-Type", "application/xml");
  co_return r;
}

awaitable<http::Response> delete_bucket(Deps& d, Call& c) {
  auto status = co_await http::offload(d.blocking, [&] { return d.store.delete_bucket(c.addr.bucket); });
  d.access->invalidate(c.addr.bucket);
  if (!status) co_return c.fail(status.error());
  co_return c.reply(204);
}

awaitable<http::Response> get_bucket_location(Deps& d, Call& c) {
  auto b = d.store.get_bucket(c.addr.bucket);
  if (!b) co_return c.fail(b.error());
  XmlDocument doc("LocationConstraint");
  // us-east-1 is reported as an empty constraint, as S3 does.
  if (b->region != "us-east-1") doc.root().set_text(b->region);
  co_return c.xml(doc.str());
}

}  // namespace nimbus::s3
