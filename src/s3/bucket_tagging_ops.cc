// Bucket tagging: Put/Get/DeleteBucketTagging. The tag set is kept as the
// document Get answers (s3/tag_set.h renders it), one bucket setting.
#include "http/offload.h"
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
  auto tags = parse_bucket_tagging(*body, err);
  if (!tags) co_return c.fail(err);
  auto s = co_await http::offload(d.blocking, [&] {
    // An empty set leaves the bucket without tags, as S3 does.
    return tags->empty() ? d.store.delete_bucket_setting(c.addr.bucket, kSetting)
                         : d.store.put_bucket_setting(c.addr.bucket, kSetting, render_tagging(*tags));
  });
  if (!s) co_return c.fail(s.error());
  co_return c.reply(204);
}

awaitable<http::Response> get_bucket_tagging(Deps& d, Call& c) {
  auto stored = co_await http::offload(d.blocking, [&] { return d.store.get_bucket_setting(c.addr.bucket, kSetting); });
  if (!stored) co_return c.fail(stored.error());
  if (!*stored) co_return c.fail(s3_error(404, "NoSuchTagSet", "The TagSet does not exist"));
  co_return c.xml(**stored);
}

awaitable<http::Response> delete_bucket_tagging(Deps& d, Call& c) {
  auto s = co_await http::offload(d.blocking, [&] { return d.store.delete_bucket_setting(c.addr.bucket, kSetting); });
  if (!s) co_return c.fail(s.error());
  co_return c.reply(204);
}

}  // namespace nimbus::s3
