// S3 bucket policy operations: Put/Get/DeleteBucketPolicy (the JSON stored as
// sent, validated as S3 does) and GetBucketPolicyStatus. Policies are
// evaluated for anonymous requests only (service.cc); IAM evaluation of
// signed requests is a later issue.
#include "s3/bucket_access.h"
#include "s3/bucket_settings.h"
#include "s3/call.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

S3Error no_such_bucket() { return s3_error(404, "NoSuchBucket", "The specified bucket does not exist"); }
S3Error no_such_policy() { return s3_error(404, "NoSuchBucketPolicy", "The bucket policy does not exist"); }

}  // namespace

awaitable<http::Response> get_bucket_policy(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(no_such_bucket());
  if (!access->policy) co_return c.fail(no_such_policy());
  http::Response r = c.reply();
  r.set("Content-Type", "application/json");
  r.body = access->policy_text;
  co_return r;
}

awaitable<http::Response> put_bucket_policy(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(no_such_bucket());
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto policy = parse_bucket_policy(*body, c.addr.bucket, err);
  if (!policy) co_return c.fail(err);
  if (access->block().block_public_policy && policy->is_public())
    co_return c.fail(s3_error(403, "AccessDenied", "Access Denied: the bucket's BlockPublicPolicy refuses a public policy"));
  co_return co_await write_bucket_setting(d, c, setting::kPolicy, std::move(*body), 204);
}

awaitable<http::Response> delete_bucket_policy(Deps& d, Call& c) { return delete_bucket_setting(d, c, setting::kPolicy); }

awaitable<http::Response> get_bucket_policy_status(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(no_such_bucket());
  if (!access->policy) co_return c.fail(no_such_policy());
  XmlDocument doc("PolicyStatus");
  doc.root().text("IsPublic", access->policy->is_public() ? "true" : "false");
  co_return c.xml(doc.str());
}

}  // namespace nimbus::s3
