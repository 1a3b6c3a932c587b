// Bucket notifications: the outbox written in S3's commits, delivered to
// functions, queues, topics and the default event bus.
#include "events/notifications.h"
#include "functions/invoker.h"
#include "server/application.h"
#include "server/targets.h"
#include "server/wiring.h"
#include "storage/store.h"

namespace nimbus::server {

namespace {

// Bucket notifications go where their rule says (server/targets.h): an
// asynchronous invocation, an SQS message, an SNS publication with S3's
// subject, or the EventBridge event routed on the default bus. At least
// once: a row handed over twice after a crash runs its function once (the
// request id is derived from the row) and queues the bus's deliveries once
// (their ids are derived from the row), but may reach a queue or topic
// twice, as S3's own deliveries may.
class TargetSink : public events::Sink {
 public:
  explicit TargetSink(Application& app) : app_(app) {}
  base::Status deliver(const std::string& id, const std::string& arn, const std::string& payload, int depth,
                       const std::string& trace) override {
    TargetMessage m;
    m.id = id;
    m.body = payload;
    m.subject = "Amazon S3 Notification";
    m.depth = depth;
    m.trace = trace;
    return deliver_to_target(app_, arn, m);
  }

 private:
  Application& app_;
};

}  // namespace

base::Status open_events(Application& app) {
  auto notifications = events::Notifications::open(app.config.data_dir, app.config.region);
  if (!notifications)
    return base::make_error(notifications.error().code,
                            "events: cannot open " + app.config.data_dir + ": " + notifications.error().message);
  app.notifications = std::move(*notifications);
  app.store->set_commit_hook(app.notifications.get());
  return {};
}

void start_events(Application& app) {
  app.notifications->set_depth_source(
      [&app](const std::string& principal) { return app.invoker->depth_of(principal); });
  app.event_sink = std::make_unique<TargetSink>(app);
  app.notifications->start(*app.event_sink);
  app.admin.notifications = app.notifications.get();
}

}  // namespace nimbus::server
