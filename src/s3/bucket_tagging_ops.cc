// Bucket tagging: Put/Get/DeleteBucketTagging. The tag set is kept as the
// document Get answers (s3/tag_set.h renders it), one bucket setting.
#include "http/offload.h"
#include "s3/bucket_settings.h"
#include "s3/call.h"
#include "s3/tag_set.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {
constexpr const char* kSetting = "tagging";
}

awaitable<http::Response> put_bucket_tagging(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto tags = parse_tagging(*body, TagSetKind::kBucket, err);
  if (!tags) co_return c.fail(err);
  // An empty set leaves the bucket without tags, as S3 does.
  auto doc = tags->empty() ? std::nullopt : std::optional(render_tagging(*tags));
  co_return co_await write_bucket_setting(d, c, kSetting, std::move(doc), 204);
}

awaitable<http::Response> get_bucket_tagging(Deps& d, Call& c) {
  auto stored = co_await http::offload(d.blocking, [&] { return d.store.get_bucket_setting(c.addr.bucket, kSetting); });
  if (!stored) co_return c.fail(stored.error());
  if (!*stored) co_return c.fail(s3_error(404, "NoSuchTagSet", "The TagSet does not exist"));
  co_return c.xml(**stored);
}

awaitable<http::Response> delete_bucket_tagging(Deps& d, Call& c) { return delete_bucket_setting(d, c, kSetting); }

}  // namespace nimbus::s3
