// The object store and S3, the edge's fallback.
#include <spdlog/spdlog.h>

#include "base/ids.h"
#include "base/time.h"
#include "events/notifications.h"
#include "functions/registry.h"
#include "s3/lifecycle_sweeper.h"
#include "s3/service.h"
#include "server/application.h"
#include "server/metrics_wiring.h"
#include "server/targets.h"
#include "server/wiring.h"
#include "storage/store.h"
#include "observability/span_store.h"

namespace nimbus::server {

base::Status open_storage(Application& app) {
  storage::StoreOptions options;
  options.reserve_bytes = app.config.min_free_mb << 20;
  auto store = storage::Store::open(app.config.data_dir, options);
  if (!store)
    return base::make_error(store.error().code,
                            "storage: cannot open " + app.config.data_dir + ": " + store.error().message);
  app.store = std::move(*store);
  return {};
}

aws::ServiceDescriptor wire_s3(Application& app) {
  s3::Options options;
  if (app.config.telemetry)
    options.on_request = [&app](const s3::RequestRecord& r) {
      record_s3_request(app.metrics, r);
      if (r.traced) app.spans->record(span_of(r));
    };
  options.region = app.config.region;
  options.notifications = app.notifications.get();
  options.check_destination = [&app](const std::string& arn) {
    // S3 takes standard queues and topics, functions (FIFO ones are refused by check_target) and,
    // for an EventBridgeConfiguration, the default bus.
    return check_target(app, arn, {TargetKind::kFunction, TargetKind::kQueue, TargetKind::kTopic, TargetKind::kEventBus});
  };
  options.send_test_event = [&app](const std::string& bucket, const std::string& arn) {
    TargetMessage m;
    m.id = "s3-test-event/" + base::uuid4();
    m.body = events::s3_test_event_json(bucket, base::now_ms(), base::random_hex(8));
    m.subject = "Amazon S3 Notification";
    if (auto s = deliver_to_target(app, arn, m); !s)
      spdlog::warn("s3: cannot send the s3:TestEvent of bucket {} to {}: {}", bucket, arn, s.error().message);
  };
  app.s3 = std::make_unique<s3::Service>(*app.store, app.credentials, app.blocking, options);
  aws::ServiceDescriptor d;
  d.name = "s3";
  d.title = "S3";
  d.protocol = aws::Protocol::kRestXml;
  d.signing_names = {"s3"};
  d.auth = aws::AuthMode::kOwn;  // presigned URLs, SigV2, aws-chunked bodies: S3 verifies itself
  d.records_itself = true;       // s3::Options::on_request, above
  d.raw_handler = [&app](http::Request& r) { return app.s3->handle(r); };
  return d;
}

void start_lifecycle(Application& app) {
  s3::SweeperOptions options;
  options.day_ms = app.config.lifecycle_day_seconds * 1000;
  options.interval_ms = app.config.lifecycle_interval_seconds * 1000;
  app.lifecycle = std::make_unique<s3::LifecycleSweeper>(*app.store, options);
  app.lifecycle->start();
}

}  // namespace nimbus::server
