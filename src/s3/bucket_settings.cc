#include "s3/bucket_settings.h"

#include "http/offload.h"
#include "s3/bucket_access.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

awaitable<http::Response> write_bucket_setting(Deps& d, Call& c, std::string name, std::optional<std::string> document,
                                               int status) {
  auto s = co_await http::offload(d.blocking, [&] {
    return document ? d.store.put_bucket_setting(c.addr.bucket, name, *document)
                    : d.store.delete_bucket_setting(c.addr.bucket, name);
  });
  d.access->invalidate(c.addr.bucket);
  if (!s) co_return c.fail(s.error());
  co_return c.reply(status);
}

awaitable<http::Response> delete_bucket_setting(Deps& d, Call& c, std::string name) {
  co_return co_await write_bucket_setting(d, c, std::move(name), std::nullopt, 204);
}

}  // namespace nimbus::s3
