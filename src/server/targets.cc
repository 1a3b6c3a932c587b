#include "server/targets.h"

#include "base/arn.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "buses/router.h"
#include "buses/store.h"
#include "functions/async_queue.h"
#include "functions/registry.h"
#include "server/application.h"
#include "sns/service.h"
#include "sqs/queues.h"
#include "topics/store.h"

namespace nimbus::server {

namespace {

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

const char* kind_name(TargetKind k) {
  switch (k) {
    case TargetKind::kFunction: return "a Lambda function";
    case TargetKind::kQueue: return "an SQS queue";
    case TargetKind::kTopic: return "an SNS topic";
    case TargetKind::kEventBus: return "an EventBridge event bus";
  }
  return "";
}

}  // namespace

base::Result<TargetKind> target_kind(const std::string& arn) {
  if (auto kind = events::destination_kind(arn)) return *kind;
  return invalid(arn + " is not the ARN of a Lambda function, an SQS queue, an SNS topic or an event bus");
}

base::Status check_target(Application& app, const std::string& arn, const std::vector<TargetKind>& allowed) {
  auto kind = target_kind(arn);
  if (!kind) return kind.error();
  bool listed = false;
  for (auto k : allowed) listed = listed || k == *kind;
  if (!listed) return invalid(arn + ": " + kind_name(*kind) + " cannot be this destination");
  switch (*kind) {
    case TargetKind::kFunction: {
      auto fn = base::parse_lambda_arn(arn);
      if (!app.registry->resolve(fn->function, fn->qualifier)) {
        return base::make_error(base::ErrorCode::kNotFound, "Function not found: " + arn);
      }
      return {};
    }
    case TargetKind::kQueue: {
      if (!app.sqs) return base::make_error(base::ErrorCode::kUnavailable, "SQS is not served");
      auto name = app.sqs->name_of(arn);
      if (!name) return base::make_error(base::ErrorCode::kNotFound, "The queue " + arn + " does not exist");
      auto settings = app.sqs->settings(*name);
      if (!settings) return settings.error();
      if (settings->fifo()) return invalid(arn + " is a FIFO queue; only standard queues take these messages");
      return {};
    }
    case TargetKind::kTopic: {
      if (!app.topics) return base::make_error(base::ErrorCode::kUnavailable, "SNS is not served");
      auto topic = app.topics->topic(arn);
      if (!topic) return base::make_error(base::ErrorCode::kNotFound, "The topic " + arn + " does not exist");
      if (topic->fifo) return invalid(arn + " is a FIFO topic; only standard topics take these messages");
      return {};
    }
    case TargetKind::kEventBus: {
      if (!app.buses) return base::make_error(base::ErrorCode::kUnavailable, "EventBridge is not served");
      std::string name = buses::Router::bus_name_of(arn);
      if (!app.buses->bus(name))
        return base::make_error(base::ErrorCode::kNotFound, "Event bus " + name + " does not exist.");
      return {};
    }
  }
  return {};
}

base::Status deliver_to_target(Application& app, const std::string& arn, const TargetMessage& m) {
  auto kind = target_kind(arn);
  if (!kind) return kind.error();
  switch (*kind) {
    case TargetKind::kFunction: {
      auto fn = base::parse_lambda_arn(arn);
      std::string target = fn->function + (fn->qualifier.empty() ? "" : ":" + fn->qualifier);
      // The invocation's request id is a UUID, as Lambda's are, derived from the delivery's id.
      auto queued = app.async_queue->enqueue(target, m.body, m.trace,
                                             base::uuid_from_hex(base::sha256_hex(m.id).substr(0, 32)), m.depth);
      if (!queued) return queued.error();
      return {};
    }
    case TargetKind::kQueue: {
      if (!app.sqs) return base::make_error(base::ErrorCode::kUnavailable, "SQS is not served");
      sqs::SendRequest r;
      r.body = m.body;
      for (const auto& a : m.attributes) r.message_attributes[a.name] = {a.type, a.value, ""};
      auto sent = app.sqs->send(arn, r);
      if (!sent) return sent.error();
      return {};
    }
    case TargetKind::kTopic: {
      if (!app.sns) return base::make_error(base::ErrorCode::kUnavailable, "SNS is not served");
      topics::MessageAttributes attributes;
      for (const auto& a : m.attributes) attributes[a.name] = {a.type, a.value};
      auto published = app.sns->publish_from_nimbus(arn, m.body, m.subject, attributes);
      if (!published) return published.error();
      return {};
    }
    case TargetKind::kEventBus:
      if (!app.bus_router) return base::make_error(base::ErrorCode::kUnavailable, "EventBridge is not served");
      // The deliveries' ids derive from the message's: routed again after a crash, it queues once.
      return app.bus_router->route(arn, m.body, m.id);
  }
  return {};
}

}  // namespace nimbus::server
