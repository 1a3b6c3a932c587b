// S3 object tagging: Put/Get/DeleteObjectTagging, on the current version or
// the one ?versionId names. Tags given with PutObject / CopyObject
// (x-amz-tagging) are read by those operations through parse_tagging_header
// (s3/tag_set.h, which parses bucket tag sets too).
#include "http/offload.h"
#include "s3/call.h"
#include "s3/request_parsing.h"
#include "s3/tag_set.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

http::Response tagged(const Call& c, const storage::ObjectMeta& m, http::Response r) {
  if (m.version_id != "null" || c.addr.param("versionId")) r.set("x-amz-version-id", m.version_id);
  return r;
}

awaitable<http::Response> set(Deps& d, Call& c, const storage::Attributes& tags) {
  auto version = c.addr.param("versionId");
  auto meta = co_await http::offload(d.blocking, [&] { return d.store.set_tags(c.addr.bucket, c.addr.key, version, tags); });
  if (!meta) co_return c.fail(meta.error());
  co_return tagged(c, *meta, c.reply(tags.empty() && c.req.method == "DELETE" ? 204 : 200));
}

}  // namespace

awaitable<http::Response> put_object_tagging(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto tags = parse_tagging(*body, TagSetKind::kObject, err);
  if (!tags) co_return c.fail(err);
  co_return co_await set(d, c, *tags);
}

awaitable<http::Response> delete_object_tagging(Deps& d, Call& c) { co_return co_await set(d, c, {}); }

awaitable<http::Response> get_object_tagging(Deps& d, Call& c) {
  auto meta = d.store.head_object(c.addr.bucket, c.addr.key, c.addr.param("versionId"));
  if (!meta) co_return c.fail(meta.error());
  co_return tagged(c, *meta, c.xml(render_tagging(meta->tags)));
}

}  // namespace nimbus::s3
