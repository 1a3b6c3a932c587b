// S3 bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
// GetBucketLocation (versioning: versioning_ops.cc).

#include "base/time.h"
#include "http/offload.h"
#include "s3/call.h"
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
  auto buckets = co_await http::offload(d.blocking, [&] { return d.store.list_buckets(); });
  XmlDocument doc("ListAllMyBucketsResult");
  doc.root().child("Owner").text("ID", kOwnerId).text("DisplayName", kOwnerName);
  auto list = doc.root().child("Buckets");
  for (const auto& b : buckets) list.child("Bucket").text("Name", b.name).text("CreationDate", base::iso8601(b.created_ms));
  co_return c.xml(doc.str());
}

awaitable<http::Response> create_bucket(Deps& d, Call& c) {
  const std::string& name = c.addr.bucket;
  if (!valid_bucket_name(name))
    co_return c.fail(s3_error(400, "InvalidBucketName", "The specified bucket is not valid."));
  std::string region = d.options.region;
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto constraint = parse_create_bucket_configuration(*body, err);
  if (!constraint) co_return c.fail(err);
  if (!constraint->empty()) region = *constraint;
  auto status = co_await http::offload(d.blocking, [&] { return d.store.create_bucket(name, region); });
  // Re-creating your own bucket succeeds, as it does in us-east-1.
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
