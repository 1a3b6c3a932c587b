#include "buses/deliveries.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "queue/consumer.h"
#include "queue/retry_policy.h"
#include "queue/store.h"

namespace nimbus::buses {

namespace json = boost::json;

namespace {

std::string str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t num(const json::object& o, std::string_view k, int64_t otherwise) {
  const json::value* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : otherwise;
}

// What the consumer needs besides the body, in the queue message's attributes.
std::string attributes_json(const Delivery& d) {
  json::array dead_letter_attributes;
  for (const auto& a : d.dead_letter_attributes)
    dead_letter_attributes.push_back(json::array{json::string(a.name), json::string(a.type), json::string(a.value)});
  json::object o{{"rule", d.rule_arn},
                 {"target_id", d.target.id},
                 {"target_arn", d.target.arn},
                 {"retries", d.target.retry.maximum_retry_attempts},
                 {"max_age_s", d.target.retry.maximum_event_age_seconds},
                 {"dead_letter", d.target.dead_letter_arn},
                 {"event", d.event},
                 {"dead_letter_attributes", std::move(dead_letter_attributes)}};
  if (!d.attempt_marker.empty()) o["attempt_marker"] = d.attempt_marker;
  return json::serialize(o);
}

std::string with_attempt(std::string text, const std::string& marker, int attempt) {
  if (marker.empty()) return text;
  std::string number = std::to_string(attempt);
  for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + number.size()))
    text.replace(at, marker.size(), number);
  return text;
}

Delivery delivery_of(const queue::Message& m) {
  Delivery d;
  d.id = m.id;
  d.body = m.payload;
  boost::system::error_code ec;
  json::value v = json::parse(m.attributes, ec);
  if (ec || !v.is_object()) return d;
  const auto& o = v.as_object();
  d.rule_arn = str(o, "rule");
  d.target.id = str(o, "target_id");
  d.target.arn = str(o, "target_arn");
  d.target.retry.maximum_retry_attempts = static_cast<int>(num(o, "retries", 185));
  d.target.retry.maximum_event_age_seconds = static_cast<int>(num(o, "max_age_s", 86400));
  d.target.dead_letter_arn = str(o, "dead_letter");
  d.event = str(o, "event");
  d.attempt_marker = str(o, "attempt_marker");
  if (const json::value* a = o.if_contains("dead_letter_attributes"); a && a->is_array()) {
    for (const auto& e : a->as_array())
      if (e.is_array() && e.as_array().size() == 3 && e.as_array()[0].is_string() && e.as_array()[1].is_string() &&
          e.as_array()[2].is_string())
        d.dead_letter_attributes.push_back({std::string(e.as_array()[0].as_string()),
                                            std::string(e.as_array()[1].as_string()),
                                            std::string(e.as_array()[2].as_string())});
  } else {
    // Queued by a nimbus that named no attributes: a rule's.
    d.dead_letter_attributes = {{"RULE_ARN", "String", d.rule_arn}, {"TARGET_ARN", "String", d.target.arn}};
  }
  return d;
}

struct Attempt {
  queue::AttemptOutcome outcome = queue::AttemptOutcome::kSuccess;
  std::string code, error;
};

// A target that is gone, or refuses this message for what it is, refuses
// every retry too: dead-lettered at once, as AWS does not retry those.
Attempt from_status(const base::Status& s) {
  if (s) return {};
  auto code = s.error().code;
  if (code == base::ErrorCode::kNotFound) return {queue::AttemptOutcome::kGone, "ResourceNotFoundException", s.error().message};
  if (code == base::ErrorCode::kInvalidArgument || code == base::ErrorCode::kTooLarge)
    return {queue::AttemptOutcome::kGone, "InvalidParameterException", s.error().message};
  if (code == base::ErrorCode::kThrottled) return {queue::AttemptOutcome::kThrottled, "ThrottlingException", s.error().message};
  return {queue::AttemptOutcome::kFailed, "InternalException", s.error().message};
}

}  // namespace

struct Deliveries::Impl : queue::Handler {
  Impl(queue::Store& queues, DeliveryOptions options) : queues(queues), options(std::move(options)) {}
  queue::Store& queues;
  DeliveryOptions options;
  std::unique_ptr<queue::Consumer> consumer;  // last: stopped before the rest goes

  void run_blocking(std::function<void()> work) {
    if (options.blocking) options.blocking(std::move(work));
    else work();
  }

  void start(const queue::Message& m, std::function<void(queue::Settle)> done) override {
    Delivery d = delivery_of(m);
    int attempt = static_cast<int>(m.receive_count);
    run_blocking([this, d = std::move(d), done = std::move(done), attempt]() mutable {
      base::Status s = options.sink
                           ? options.sink->deliver(d.id, d.target.arn, with_attempt(d.body, d.attempt_marker, attempt), {})
                           : base::make_error(base::ErrorCode::kUnavailable, "no target sink is connected");
      Attempt a = from_status(s);
      done([this, d, a](const queue::Message& m) { return settle(m, d, a); });
    });
  }

  // On the consumer's thread.
  queue::Settlement settle(const queue::Message& m, const Delivery& d, const Attempt& a) {
    using Kind = queue::RetryDecision::Kind;
    queue::Settlement s;
    if (a.outcome == queue::AttemptOutcome::kSuccess) return s;
    queue::RetryConfig config;
    config.delays_ms = options.retry_delays_ms;
    config.max_retries = d.target.retry.maximum_retry_attempts;
    config.max_age_ms = int64_t{d.target.retry.maximum_event_age_seconds} * 1000;
    auto decision = queue::decide_retry(m.receive_count - 1, queues.clock().now_ms() - m.sent_ms, a.outcome, config);
    switch (decision.kind) {
      case Kind::kDone: return s;
      case Kind::kRetry:
      case Kind::kRetryUnspent:
        spdlog::info("events: delivery {} to {} failed ({}), retry in {} ms", d.id, d.target.arn, a.error,
                     decision.delay_ms);
        s.kind = queue::Settlement::Kind::kRelease;
        s.release.delay_ms = decision.delay_ms;
        s.release.refund_receive = decision.kind == Kind::kRetryUnspent;
        s.release.error = a.error;
        return s;
      case Kind::kDeadLetter: break;
    }
    if (!d.target.dead_letter_arn.empty() && options.sink) {
      std::vector<SinkAttribute> attributes = d.dead_letter_attributes;
      attributes.push_back({"ERROR_CODE", "String", a.code});
      attributes.push_back({"ERROR_MESSAGE", "String", a.error.empty() ? a.code : a.error});
      auto sent = options.sink->deliver(d.id + "/dead-letter", d.target.dead_letter_arn,
                                        with_attempt(d.event, d.attempt_marker, static_cast<int>(m.receive_count)),
                                        attributes);
      if (sent) {
        spdlog::warn("events: delivery {} to {} failed for good ({}); sent to its dead-letter queue {}", d.id,
                     d.target.arn, a.error, d.target.dead_letter_arn);
        return s;
      }
      spdlog::warn("events: dead-letter queue {} refused delivery {}: {}", d.target.dead_letter_arn, d.id,
                   sent.error().message);
    }
    spdlog::warn("events: delivery {} to {} failed for good ({}); kept in {}", d.id, d.target.arn, a.error,
                 kDeadLetterQueue);
    s.kind = queue::Settlement::Kind::kDeadLetter;
    s.condition = decision.condition;
    s.error = a.error;
    return s;
  }
};

base::Result<std::unique_ptr<Deliveries>> Deliveries::open(queue::Store& queues, DeliveryOptions options) {
  if (auto s = queues.ensure_queue(kDeadLetterQueue); !s) return s.error();
  if (auto s = queues.ensure_queue(kQueue, {kDeadLetterQueue, 0}); !s) return s.error();
  auto impl = std::make_unique<Impl>(queues, std::move(options));
  queue::ConsumerOptions co;
  co.queue = kQueue;
  co.max_in_flight = impl->options.max_in_flight;
  co.per_key_limit = impl->options.per_target;
  co.visibility_ms = 5 * 60 * 1000;  // longer than any hand-over (a send, a publish, an enqueue)
  impl->consumer = std::make_unique<queue::Consumer>(queues, *impl, co);
  return std::unique_ptr<Deliveries>(new Deliveries(std::move(impl)));
}

Deliveries::Deliveries(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Deliveries::~Deliveries() { stop(); }

base::Status Deliveries::enqueue(std::vector<Delivery> deliveries) {
  if (deliveries.empty()) return {};
  std::vector<queue::OutgoingMessage> batch;
  batch.reserve(deliveries.size());
  for (auto& d : deliveries) {
    queue::OutgoingMessage m;
    m.id = d.id;
    m.key = d.rule_arn + "|" + d.target.id;
    m.attributes = attributes_json(d);
    m.payload = std::move(d.body);
    batch.push_back(std::move(m));
  }
  auto sent = impl_->queues.send_batch(kQueue, std::move(batch));
  if (!sent) return sent.error();
  return {};
}

base::Status Deliveries::start() { return impl_->consumer->start(); }
void Deliveries::stop() { impl_->consumer->stop(); }
void Deliveries::run_once() { impl_->consumer->run_once(); }

}  // namespace nimbus::buses
