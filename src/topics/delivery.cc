#include "topics/delivery.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "queue/consumer.h"
#include "queue/retry_policy.h"
#include "queue/store.h"
#include "topics/delivery_policy.h"
#include "topics/store.h"

namespace nimbus::topics {

namespace json = boost::json;

namespace {

std::string attributes_json(const Delivery& d) {
  json::object attrs;
  for (const auto& [k, a] : d.attributes) attrs[k] = json::object{{"Type", a.type}, {"Value", a.value}};
  return json::serialize(json::object{{"subscription", d.subscription_arn},
                                      {"type", d.type},
                                      {"message_id", d.message_id},
                                      {"raw", d.raw},
                                      {"attributes", std::move(attrs)},
                                      {"group", d.message_group_id},
                                      {"dedup", d.dedup_id}});
}

std::string str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Delivery delivery_of(const queue::Message& m) {
  Delivery d;
  d.id = m.id;
  d.body = m.payload;
  boost::system::error_code ec;
  json::value v = json::parse(m.attributes, ec);
  if (ec || !v.is_object()) return d;
  const auto& o = v.as_object();
  d.subscription_arn = str(o, "subscription");
  d.type = str(o, "type");
  d.message_id = str(o, "message_id");
  d.message_group_id = str(o, "group");
  d.dedup_id = str(o, "dedup");
  if (const json::value* r = o.if_contains("raw"); r && r->is_bool()) d.raw = r->as_bool();
  if (const json::value* a = o.if_contains("attributes"); a && a->is_object())
    for (const auto& [k, x] : a->as_object())
      if (x.is_object()) d.attributes[std::string(k)] = {str(x.as_object(), "Type"), str(x.as_object(), "Value")};
  return d;
}

// The outcome of one attempt, and what it said (for logs and last_error).
struct Attempt {
  queue::AttemptOutcome outcome = queue::AttemptOutcome::kSuccess;
  std::string error;
};

Attempt from_status(const base::Status& s) {
  if (s) return {};
  // A target that is gone, or one that refuses this message for what it is (a
  // FIFO queue without a group, a message over the queue's size), will refuse
  // every retry too: AWS's client-side errors, dead-lettered at once.
  auto code = s.error().code;
  auto outcome = code == base::ErrorCode::kNotFound || code == base::ErrorCode::kInvalidArgument ||
                         code == base::ErrorCode::kAlreadyExists
                     ? queue::AttemptOutcome::kGone
                 : code == base::ErrorCode::kThrottled ? queue::AttemptOutcome::kThrottled
                                                       : queue::AttemptOutcome::kFailed;
  return {outcome, s.error().message};
}

// AWS: 2xx delivered; 429 and 5xx (and no answer) retried; other codes are the client's failure, not retried.
Attempt from_http(const base::Result<int>& r) {
  if (!r) return {queue::AttemptOutcome::kFailed, r.error().message};
  int status = *r;
  if (status >= 200 && status < 300) return {};
  std::string why = "HTTP status " + std::to_string(status);
  if (status == 429 || status >= 500 || status < 200) return {queue::AttemptOutcome::kFailed, why};
  return {queue::AttemptOutcome::kGone, why};
}

// The queue ARN of a RedrivePolicy ({"deadLetterTargetArn": "arn:aws:sqs:..."}), "" without one.
std::string dead_letter_target(const Subscription& s) {
  auto it = s.attributes.find("RedrivePolicy");
  if (it == s.attributes.end()) return {};
  boost::system::error_code ec;
  json::value v = json::parse(it->second, ec);
  if (ec || !v.is_object()) return {};
  return str(v.as_object(), "deadLetterTargetArn");
}

}  // namespace

struct Deliveries::Impl : queue::Handler {
  Impl(queue::Store& queues, Store& topics, DeliveryOptions options)
      : queues(queues), topics(topics), options(std::move(options)) {}
  queue::Store& queues;
  Store& topics;
  DeliveryOptions options;
  std::unique_ptr<queue::Consumer> standard, fifo;  // last: stopped before the rest goes

  void run_blocking(std::function<void()> work) {
    if (options.blocking) options.blocking(std::move(work));
    else work();
  }

  HttpDeliveryPolicy policy_of(const Subscription& s) const {
    auto topic = topics.topic(s.topic_arn);
    auto tp = parse_topic_policy(topic ? topic->attributes["DeliveryPolicy"] : std::string());
    HttpDeliveryPolicy base = tp ? *tp : HttpDeliveryPolicy{};
    auto it = s.attributes.find("DeliveryPolicy");
    auto sp = parse_subscription_policy(it == s.attributes.end() ? "" : it->second, base);
    return sp ? *sp : base;
  }

  void start(const queue::Message& m, std::function<void(queue::Settle)> done) override {
    Delivery d = delivery_of(m);
    auto sub = topics.subscription(d.subscription_arn);
    if (!sub) {
      spdlog::info("sns: delivery {} dropped: subscription {} no longer exists", d.id, d.subscription_arn);
      done([](const queue::Message&) { return queue::Settlement{}; });
      return;
    }
    auto finish = [this, done = std::move(done), sub = *sub, d](Attempt a) {
      done([this, sub, d, a](const queue::Message& m) { return settle(m, sub, d, a); });
    };
    if (sub->protocol == "lambda") {
      run_blocking([this, d, endpoint = sub->endpoint, finish]() mutable {
        base::Status s = options.functions ? options.functions->invoke(d.id, endpoint, d.body)
                                           : base::make_error(base::ErrorCode::kUnavailable, "no function sink");
        finish(from_status(s));
      });
    } else if (sub->protocol == "sqs") {
      run_blocking([this, d, endpoint = sub->endpoint, finish]() mutable {
        base::Status s = options.queues ? options.queues->send(endpoint, d.body, d.attributes, d.message_group_id, d.dedup_id)
                                        : base::make_error(base::ErrorCode::kUnavailable, "no SQS service is connected");
        finish(from_status(s));
      });
    } else {
      HttpPost post;
      post.url = sub->endpoint;
      auto p = policy_of(*sub);
      post.headers = {{"x-amz-sns-message-type", d.type},
                      {"x-amz-sns-message-id", d.message_id},
                      {"x-amz-sns-topic-arn", sub->topic_arn},
                      {"content-type", p.content_type},
                      {"user-agent", "Amazon Simple Notification Service Agent"}};
      if (d.type == "Notification") post.headers.push_back({"x-amz-sns-subscription-arn", sub->arn});
      if (d.raw) post.headers.push_back({"x-amz-sns-rawdelivery", "true"});
      post.body = d.body;
      if (!options.http) {
        finish({queue::AttemptOutcome::kFailed, "no HTTP client"});
        return;
      }
      options.http(std::move(post), [finish](base::Result<int> r) mutable { finish(from_http(r)); });
    }
  }

  // On the consumer's thread.
  queue::Settlement settle(const queue::Message& m, const Subscription& sub, const Delivery& d, const Attempt& a) {
    using Kind = queue::RetryDecision::Kind;
    queue::Settlement s;
    if (a.outcome == queue::AttemptOutcome::kSuccess) return s;
    auto decision = queue::decide_retry(m.receive_count - 1, queues.clock().now_ms() - m.sent_ms, a.outcome,
                                        retry_config(sub.protocol, policy_of(sub)));
    switch (decision.kind) {
      case Kind::kDone: return s;
      case Kind::kRetry:
      case Kind::kRetryUnspent:
        spdlog::info("sns: delivery of {} to {} failed ({}), retry in {} ms", d.message_id, sub.arn, a.error,
                     decision.delay_ms);
        s.kind = queue::Settlement::Kind::kRelease;
        s.release.delay_ms = decision.delay_ms;
        s.release.refund_receive = decision.kind == Kind::kRetryUnspent;
        s.release.error = a.error;
        return s;
      case Kind::kDeadLetter: break;
    }
    std::string target = dead_letter_target(sub);
    if (!target.empty() && options.queues) {
      auto sent = options.queues->send(target, d.body, d.attributes, d.message_group_id, d.dedup_id);
      if (sent) {
        spdlog::warn("sns: delivery of {} to {} failed for good ({}); sent to its dead-letter queue {}", d.message_id,
                     sub.arn, a.error, target);
        return s;  // acknowledged: it is in the dead-letter queue now
      }
      spdlog::warn("sns: dead-letter queue {} of {} refused delivery {}: {}", target, sub.arn, d.message_id,
                   sent.error().message);
    }
    spdlog::warn("sns: delivery of {} to {} failed for good ({}); kept in {}", d.message_id, sub.arn, a.error,
                 kDeadLetterQueue);
    s.kind = queue::Settlement::Kind::kDeadLetter;
    s.condition = decision.condition;
    s.error = a.error;
    return s;
  }
};

base::Result<std::unique_ptr<Deliveries>> Deliveries::open(queue::Store& queues, Store& topics, DeliveryOptions options) {
  if (auto s = queues.ensure_queue(kDeadLetterQueue); !s) return s.error();
  if (auto s = queues.ensure_queue(kQueue, {kDeadLetterQueue, 0}); !s) return s.error();
  // The store's FIFO mode keeps each key (subscription and message group) in
  // send order even while a retry waits: a released message holds its group.
  queue::QueueConfig fifo;
  fifo.dead_letter_queue = kDeadLetterQueue;
  fifo.fifo = true;
  if (auto s = queues.ensure_queue(kFifoQueue, fifo); !s) return s.error();
  auto impl = std::make_unique<Impl>(queues, topics, std::move(options));
  queue::ConsumerOptions co;
  co.queue = kQueue;
  co.max_in_flight = impl->options.max_in_flight;
  co.per_key_limit = impl->options.per_subscription;
  co.visibility_ms = 5 * 60 * 1000;  // longer than any attempt (an HTTP POST has 15 s)
  impl->standard = std::make_unique<queue::Consumer>(queues, *impl, co);
  co.queue = kFifoQueue;
  co.per_key_limit = 1;
  impl->fifo = std::make_unique<queue::Consumer>(queues, *impl, co);
  return std::unique_ptr<Deliveries>(new Deliveries(std::move(impl)));
}

Deliveries::Deliveries(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Deliveries::~Deliveries() { stop(); }

base::Status Deliveries::enqueue(std::vector<Delivery> deliveries, bool fifo) {
  if (deliveries.empty()) return {};
  std::vector<queue::OutgoingMessage> batch;
  for (auto& d : deliveries) {
    queue::OutgoingMessage m;
    m.id = d.id;
    m.key = fifo ? d.subscription_arn + "|" + d.message_group_id : d.subscription_arn;
    m.attributes = attributes_json(d);
    m.payload = std::move(d.body);
    batch.push_back(std::move(m));
  }
  auto sent = impl_->queues.send_batch(fifo ? kFifoQueue : kQueue, std::move(batch));
  if (!sent) return sent.error();
  return {};
}

base::Status Deliveries::start() {
  if (auto s = impl_->standard->start(); !s) return s;
  return impl_->fifo->start();
}

void Deliveries::stop() {
  impl_->standard->stop();
  impl_->fifo->stop();
}

void Deliveries::run_once() {
  impl_->standard->run_once();
  impl_->fifo->run_once();
}

}  // namespace nimbus::topics
