// S3 bucket notification configuration: Put/GetBucketNotificationConfiguration
// with queue, topic and function configurations and EventBridge
// (s3/notification_config.h). Put checks every destination (it must exist
// and take S3's events), stores the rules, then sends S3's s3:TestEvent to
// each queue and topic named, as S3 does when a configuration is saved (the
// event bus gets none).
#include <set>

#include "events/notifications.h"
#include "http/offload.h"
#include "s3/call.h"
#include "s3/notification_config.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

awaitable<http::Response> put_bucket_notification(Deps& d, Call& c) {
  if (!d.notifications) co_return c.fail(s3_error(501, "NotImplemented", "bucket notifications are not enabled"));
  if (auto b = d.store.get_bucket(c.addr.bucket); !b) co_return c.fail(b.error());
  auto body = co_await http::read_body(c.req, 1 << 20);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto rules = parse_notification_configuration(*body, d.options.region, err);
  if (!rules) co_return c.fail(err);
  std::set<std::string> destinations;
  for (const auto& r : *rules) destinations.insert(r.destination_arn);
  auto refused = co_await http::offload(d.blocking, [&]() -> std::optional<S3Error> {
    // In document order, as S3 checks them; the first that cannot take events is named.
    for (const auto& r : *rules) {
      auto s = d.options.check_destination ? d.options.check_destination(r.destination_arn)
                                           : base::make_error(base::ErrorCode::kUnavailable, "no destinations served");
      if (!s)
        return s3_error(400, "InvalidArgument",
                        "Unable to validate the following destination configurations: " + r.destination_arn + " (" +
                            s.error().message + ")");
    }
    if (auto s = d.notifications->set(c.addr.bucket, std::move(*rules)); !s) return to_s3_error(s.error());
    if (d.options.send_test_event)
      for (const auto& arn : destinations)
        if (auto kind = events::destination_kind(arn);
            kind == events::DestinationKind::kQueue || kind == events::DestinationKind::kTopic)
          d.options.send_test_event(c.addr.bucket, arn);
    return std::nullopt;
  });
  if (refused) co_return c.fail(*refused);
  co_return c.reply();
}

awaitable<http::Response> get_bucket_notification(Deps& d, Call& c) {
  if (auto b = d.store.get_bucket(c.addr.bucket); !b) co_return c.fail(b.error());
  std::vector<events::Rule> rules;
  if (d.notifications) rules = d.notifications->get(c.addr.bucket);
  co_return c.xml(render_notification_configuration(rules));
}

}  // namespace nimbus::s3
