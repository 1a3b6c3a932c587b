// S3 bucket lifecycle: Put/Get/DeleteBucketLifecycleConfiguration. Rules are
// validated as S3 does (s3/lifecycle.h), kept in their rendered form, and
// applied by the lifecycle sweeper.
#include "http/offload.h"
#include "s3/bucket_settings.h"
#include "s3/call.h"
#include "s3/lifecycle.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {
constexpr const char* kSetting = "lifecycle";
}

awaitable<http::Response> put_bucket_lifecycle(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 1 << 20);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto rules = parse_lifecycle_configuration(*body, err);
  if (!rules) co_return c.fail(err);
  std::string doc = render_lifecycle_configuration(*rules);
  http::Response r = co_await write_bucket_setting(d, c, kSetting, std::move(doc));
  if (r.status == 200) r.set("x-amz-transition-default-minimum-object-size", "all_storage_classes_128K");
  co_return r;
}

awaitable<http::Response> get_bucket_lifecycle(Deps& d, Call& c) {
  auto stored = co_await http::offload(d.blocking, [&] { return d.store.get_bucket_setting(c.addr.bucket, kSetting); });
  if (!stored) co_return c.fail(stored.error());
  if (!*stored)
    co_return c.fail(s3_error(404, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"));
  http::Response r = c.xml(**stored);
  r.set("x-amz-transition-default-minimum-object-size", "all_storage_classes_128K");
  co_return r;
}

awaitable<http::Response> delete_bucket_lifecycle(Deps& d, Call& c) { return delete_bucket_setting(d, c, kSetting); }

}  // namespace nimbus::s3
