// Bucket notifications: the outbox written in S3's commits, delivered as
// asynchronous invocations.
#include "base/arn.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "events/notifications.h"
#include "functions/async_queue.h"
#include "functions/invoker.h"
#include "server/application.h"
#include "server/wiring.h"
#include "storage/store.h"

namespace nimbus::server {

namespace {

// Bucket notifications are delivered as asynchronous invocations.
class AsyncQueueSink : public events::Sink {
 public:
  explicit AsyncQueueSink(functions::AsyncQueue& queue) : queue_(queue) {}
  base::Status deliver(const std::string& id, const std::string& arn, const std::string& payload, int depth,
                       const std::string& trace) override {
    auto parsed = base::parse_lambda_arn(arn);
    if (!parsed) return base::make_error(base::ErrorCode::kInvalidArgument, "not a function ARN: " + arn);
    std::string target = parsed->function + (parsed->qualifier.empty() ? "" : ":" + parsed->qualifier);
    // The invocation's request id is a UUID, as Lambda's are; derived from the
    // outbox row's id, so a relay retried after a crash still sends it once.
    auto queued = queue_.enqueue(target, payload, trace, base::uuid_from_hex(base::sha256_hex(id).substr(0, 32)), depth);
    if (!queued) return queued.error();
    return {};
  }

 private:
  functions::AsyncQueue& queue_;
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
  app.event_sink = std::make_unique<AsyncQueueSink>(*app.async_queue);
  app.notifications->start(*app.event_sink);
  app.admin.notifications = app.notifications.get();
}

}  // namespace nimbus::server
