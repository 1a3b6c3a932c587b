// SNS: topics and subscriptions (sns.db), the signing key, deliveries on
// the shared durable queue, and the SNS API with its unsigned links.
// Lambda subscriptions deliver as asynchronous invocations (the async queue,
// as bucket notifications do); http subscriptions through http::fetch on the
// io threads; sqs subscriptions and subscription dead-letter queues through
// the SQS service's own send (sqs::Queues), so a queue's rules and MD5s apply
// as to any SendMessage.
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "base/arn.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "functions/async_queue.h"
#include "functions/registry.h"
#include "http/client.h"
#include "server/application.h"
#include "server/wiring.h"
#include "sns/service.h"
#include "sqs/queues.h"
#include "topics/delivery.h"
#include "topics/signer.h"
#include "topics/store.h"

namespace nimbus::server {

namespace {

// SNS → Lambda: an asynchronous invocation, so the function's retries and
// destinations apply. A function that does not exist is SNS's client-side
// failure (kNotFound: no retries, the subscription's dead-letter queue).
class AsyncInvokeSink : public topics::FunctionSink {
 public:
  explicit AsyncInvokeSink(Application& app) : app_(app) {}
  base::Status invoke(const std::string& id, const std::string& arn, const std::string& event) override {
    auto parsed = base::parse_lambda_arn(arn);
    if (!parsed) return base::make_error(base::ErrorCode::kNotFound, "not a function ARN: " + arn);
    if (!app_.registry->resolve(parsed->function, parsed->qualifier))
      return base::make_error(base::ErrorCode::kNotFound, "Function not found: " + arn);
    std::string target = parsed->function + (parsed->qualifier.empty() ? "" : ":" + parsed->qualifier);
    // The delivery's id makes the invocation's request id: a delivery retried after a crash runs once.
    auto queued =
        app_.async_queue->enqueue(target, event, "", base::uuid_from_hex(base::sha256_hex("sns/" + id).substr(0, 32)));
    if (!queued) return queued.error();
    return {};
  }

 private:
  Application& app_;
};

// SNS → SQS. Message attributes reach the queue as SQS message attributes
// (raw delivery; the envelope carries its own); a Binary value arrives here as
// its base64 text. A queue that does not exist is kNotFound (sqs::Queues).
class SqsSink : public topics::QueueSink {
 public:
  explicit SqsSink(sqs::Queues& queues) : queues_(queues) {}
  base::Status send(const std::string& queue_arn, const std::string& body, const topics::MessageAttributes& attributes,
                    const std::string& message_group_id, const std::string& dedup_id) override {
    sqs::SendRequest m;
    m.body = body;
    for (const auto& [name, a] : attributes) {
      sqs::AttributeValue v;
      v.data_type = a.type;
      if (v.binary()) {
        auto raw = base::base64_decode(a.value);
        if (!raw) return base::make_error(base::ErrorCode::kInvalidArgument, "attribute " + name + " is not base64");
        v.binary_value = std::move(*raw);
      } else {
        v.string_value = a.value;
      }
      m.message_attributes.emplace(name, std::move(v));
    }
    m.message_group_id = message_group_id;
    m.deduplication_id = dedup_id;
    auto sent = queues_.send(queue_arn, m);
    if (!sent) return sent.error();
    return {};
  }

 private:
  sqs::Queues& queues_;
};

// SNS → http: a POST on the io threads, 15 s for the whole exchange.
void post_http(Application& app, topics::HttpPost post, std::function<void(base::Result<int>)> done) {
  http::ClientRequest req;
  req.method = "POST";
  req.url = std::move(post.url);
  req.headers = std::move(post.headers);
  req.body = std::move(post.body);
  req.timeout = std::chrono::seconds(15);
  req.body_limit = 64 * 1024;
  // The completion is called from the coroutine itself: Result is not default-constructible, as co_spawn's
  // completion value would need to be. A named task, not a temporary inside the spawn (GCC 12).
  auto task = [req = std::move(req), done = std::move(done)]() mutable -> boost::asio::awaitable<void> {
    auto r = co_await http::fetch(std::move(req));
    if (!r) done(r.error());
    else done(r->status);
  };
  boost::asio::co_spawn(app.io, std::move(task), boost::asio::detached);
}

}  // namespace

base::Status build_sns(Application& app) {
  const std::string& dir = app.config.data_dir;
  auto store = topics::Store::open(dir + "/sns.db");
  if (!store) return base::make_error(store.error().code, "sns: cannot open " + dir + "/sns.db: " + store.error().message);
  app.topics = std::move(*store);
  auto signer = topics::Signer::open(dir + "/sns");
  if (!signer) return base::make_error(signer.error().code, "sns: " + signer.error().message);
  app.sns_signer = std::move(*signer);
  app.sns_functions = std::make_unique<AsyncInvokeSink>(app);
  app.sns_queues = std::make_unique<SqsSink>(*app.sqs);
  topics::DeliveryOptions options;
  options.functions = app.sns_functions.get();
  options.queues = app.sns_queues.get();
  options.http = [&app](topics::HttpPost p, std::function<void(base::Result<int>)> done) {
    post_http(app, std::move(p), std::move(done));
  };
  options.blocking = [&app](std::function<void()> work) { boost::asio::post(app.blocking, std::move(work)); };
  auto deliveries = topics::Deliveries::open(*app.queues, *app.topics, std::move(options));
  if (!deliveries) return base::make_error(deliveries.error().code, "sns: " + deliveries.error().message);
  app.sns_deliveries = std::move(*deliveries);
  sns::Options so;
  so.region = app.config.region;
  so.public_url = app.public_url;
  so.queues = app.sns_queues.get();
  app.sns = std::make_unique<sns::Service>(*app.topics, *app.sns_deliveries, *app.sns_signer, app.blocking, so);
  return {};
}

base::Status start_sns(Application& app) {
  if (auto s = app.sns_deliveries->start(); !s)
    return base::make_error(s.error().code, "sns: cannot start deliveries: " + s.error().message);
  return {};
}

aws::ServiceDescriptor wire_sns(Application& app) { return app.sns->descriptor(); }
aws::ServiceDescriptor wire_sns_links(Application& app) { return app.sns->links_descriptor(); }

}  // namespace nimbus::server
