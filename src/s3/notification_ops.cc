// S3 bucket notification configuration: Put/GetBucketNotificationConfiguration
// with LambdaFunctionConfigurations (events, prefix/suffix filters).
#include "events/notifications.h"
#include "http/offload.h"
#include "s3/call.h"
#include "s3/request_parsing.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

awaitable<http::Response> put_bucket_notification(Deps& d, Call& c) {
  if (!d.notifications) co_return c.fail(s3_error(501, "NotImplemented", "bucket notifications are not enabled"));
  if (auto b = d.store.get_bucket(c.addr.bucket); !b) co_return c.fail(b.error());
  auto body = co_await http::read_body(c.req, 1 << 20);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto rules = parse_notification_configuration(*body, d.function_exists, err);
  if (!rules) co_return c.fail(err);
  auto s = co_await http::offload(d.blocking, [&] { return d.notifications->set(c.addr.bucket, std::move(*rules)); });
  if (!s) co_return c.fail(s.error());
  co_return c.reply();
}

awaitable<http::Response> get_bucket_notification(Deps& d, Call& c) {
  if (auto b = d.store.get_bucket(c.addr.bucket); !b) co_return c.fail(b.error());
  XmlDocument out("NotificationConfiguration");
  if (d.notifications)
    for (const auto& r : d.notifications->get(c.addr.bucket)) {
      auto n = out.root().child("CloudFunctionConfiguration");
      n.text("Id", r.id).text("CloudFunction", r.function_arn);
      for (const auto& e : r.events) n.text("Event", e);
      if (!r.prefix.empty() || !r.suffix.empty()) {
        auto key = n.child("Filter").child("S3Key");
        if (!r.prefix.empty()) key.child("FilterRule").text("Name", "Prefix").text("Value", r.prefix);
        if (!r.suffix.empty()) key.child("FilterRule").text("Name", "Suffix").text("Value", r.suffix);
      }
    }
  co_return c.xml(out.str());
}

}  // namespace nimbus::s3
