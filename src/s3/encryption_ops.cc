// S3 default bucket encryption: Put/Get/DeleteBucketEncryption. Every object
// is reported as SSE-S3 (AES256), which is what S3 applies when a bucket has no
// configuration of its own; a configuration asking for KMS is refused (nimbus
// has no key service). BucketKeyEnabled is kept and returned as given.
#include "http/offload.h"
#include "s3/bucket_settings.h"
#include "s3/call.h"
#include "s3/request_parsing.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {
constexpr const char* kSetting = "encryption";
}

awaitable<http::Response> put_bucket_encryption(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto key = parse_bucket_encryption(*body, err);
  if (!key) co_return c.fail(err);
  co_return co_await write_bucket_setting(d, c, kSetting, std::move(*key));
}

awaitable<http::Response> get_bucket_encryption(Deps& d, Call& c) {
  auto stored = co_await http::offload(d.blocking, [&] { return d.store.get_bucket_setting(c.addr.bucket, kSetting); });
  if (!stored) co_return c.fail(stored.error());
  XmlDocument doc("ServerSideEncryptionConfiguration");
  auto rule = doc.root().child("Rule");
  rule.child("ApplyServerSideEncryptionByDefault").text("SSEAlgorithm", "AES256");
  rule.text("BucketKeyEnabled", stored->value_or("false"));
  co_return c.xml(doc.str());
}

// As on S3: the bucket goes back to the default, SSE-S3.
awaitable<http::Response> delete_bucket_encryption(Deps& d, Call& c) { return delete_bucket_setting(d, c, kSetting); }

}  // namespace nimbus::s3
