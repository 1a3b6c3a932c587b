// S3 bucket versioning: Put/GetBucketVersioning (Enabled, Suspended; MFA
// Delete is refused). What versioning does to objects is storage's
// (storage/versions.cc); the version ids on each operation are in its file.
#include "http/offload.h"
#include "s3/call.h"
#include "s3/request_parsing.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

awaitable<http::Response> put_bucket_versioning(Deps& d, Call& c) {
  if (!c.req.header("x-amz-mfa").empty())
    co_return c.fail(s3_error(501, "NotImplemented", "MFA Delete is not supported by nimbus (x-amz-mfa)"));
  if (auto b = d.store.get_bucket(c.addr.bucket); !b) co_return c.fail(b.error());
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto request = parse_versioning_configuration(*body, err);
  if (!request) co_return c.fail(err);
  if (request->status) {
    auto s = co_await http::offload(d.blocking, [&] { return d.store.set_versioning(c.addr.bucket, *request->status); });
    if (!s) co_return c.fail(s.error());
  }
  co_return c.reply();
}

awaitable<http::Response> get_bucket_versioning(Deps& d, Call& c) {
  auto state = d.store.get_versioning(c.addr.bucket);
  if (!state) co_return c.fail(state.error());
  XmlDocument doc("VersioningConfiguration");
  if (*state == storage::Versioning::kEnabled) doc.root().text("Status", "Enabled");
  if (*state == storage::Versioning::kSuspended) doc.root().text("Status", "Suspended");
  co_return c.xml(doc.str());
}

}  // namespace nimbus::s3
