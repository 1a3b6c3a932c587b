// Publish and PublishBatch: each message is checked as SNS checks it,
// matched against every confirmed subscription's filter policy, rendered per
// subscription (the Lambda event, the envelope, or the raw message), signed,
// and queued for delivery in one durable write before the answer.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <regex>
#include <set>

#include "aws/fields.h"
#include "base/arn.h"
#include "base/crypto.h"
#include "base/decimal.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "http/offload.h"
#include "patterns/filter_policy.h"
#include "sns/errors.h"
#include "sns/service.h"
#include "topics/messages.h"

namespace nimbus::sns {

using boost::asio::awaitable;
namespace json = boost::json;

namespace {

constexpr size_t kMaxMessageBytes = 256 * 1024;
constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
constexpr size_t kMaxBatchEntries = 10;

// One message to publish, as read and checked from Publish's parameters or a batch entry's.
struct Entry {
  std::string id;  // batch entries
  std::string message;
  std::optional<std::string> subject;
  bool json_structure = false;
  json::object per_protocol;  // MessageStructure json
  topics::MessageAttributes attributes;
  std::string group, dedup;
  size_t bytes = 0;
};

struct Published {
  std::string id;  // the entry's
  std::string message_id, sequence_number;
};

base::Status read_attributes(const aws::QueryParams& p, Entry& e) {
  static const std::regex kName("[A-Za-z0-9_.-]{1,256}");
  for (const auto& m : p.list("MessageAttributes.entry")) {
    std::string name = m.get("Name"), type = m.get("Value.DataType");
    if (!std::regex_match(name, kName) || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string::npos || name.rfind("AWS.", 0) == 0 || name.rfind("Amazon.", 0) == 0)
      return invalid_parameter("MessageAttributes Reason: invalid message attribute name '" + name + "'");
    std::string base_type = type.substr(0, type.find('.'));
    if (type == "String.Array") base_type = type;
    topics::MessageAttribute a{type, ""};
    if (base_type == "Binary") {
      auto v = m.find("Value.BinaryValue");
      if (!v || v->empty())
        return invalid_value("The message attribute '" + name +
                             "' must contain non-empty message attribute value for message attribute type 'Binary'.");
      if (!base::base64_decode(*v)) return invalid_value("The message attribute '" + name + "' has an invalid binary value.");
      a.value = *v;
    } else if (base_type == "String" || base_type == "Number" || base_type == "String.Array") {
      a.value = m.get("Value.StringValue");
      if (a.value.empty())
        return invalid_value("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + base_type + "'.");
      if (base_type == "Number") {
        // The same rule as SQS's, so a raw delivery of what SNS accepted is never refused by the queue.
        if (!base::is_aws_decimal(a.value))
          return invalid_value("Could not cast message attribute '" + name + "' value to number.");
      } else if (base_type == "String.Array") {
        boost::system::error_code ec;
        auto v = json::parse(a.value, ec);
        if (ec || !v.is_array())
          return invalid_parameter("MessageAttributes Reason: the String.Array attribute '" + name + "' must be a JSON array");
      }
    } else {
      return invalid_value("The message attribute '" + name +
                           "' has an invalid message attribute type, the set of supported type prefixes is Binary, "
                           "Number, and String.");
    }
    e.bytes += name.size() + type.size() + a.value.size();
    e.attributes[name] = std::move(a);
  }
  return {};
}

// Publish's (or one batch entry's) message, checked.
base::Result<Entry> read_entry(const aws::QueryParams& p, const topics::Topic& topic) {
  Entry e;
  e.message = p.get("Message");
  if (e.message.empty()) return invalid_parameter("Empty message");
  if (!base::is_valid_utf8(e.message)) return invalid_parameter("Message Reason: must be valid UTF-8");
  e.bytes = e.message.size();
  if (auto s = p.find("Subject")) {
    bool ok = !s->empty() && s->size() <= 100;
    for (unsigned char c : *s) ok = ok && c >= 0x20 && c < 0x7f;
    if (!ok) return invalid_parameter("Subject");
    e.subject = *s;
  }
  if (auto st = p.find("MessageStructure")) {
    if (*st != "json") return invalid_parameter("MessageStructure");
    boost::system::error_code ec;
    auto v = json::parse(e.message, ec);
    if (ec || !v.is_object()) return invalid_parameter("Message Structure - JSON message body failed to parse");
    const auto& o = v.as_object();
    const json::value* d = o.if_contains("default");
    if (!d || !d->is_string()) return invalid_parameter("Message Structure - No default entry in JSON message body");
    for (const auto& [k, x] : o)
      if (!x.is_string()) return invalid_parameter("Message Structure - JSON message body failed to parse");
    e.json_structure = true;
    e.per_protocol = o;
  }
  if (auto s = read_attributes(p, e); !s) return s.error();
  if (e.bytes > kMaxMessageBytes) return invalid_parameter("Message too long");
  e.group = p.get("MessageGroupId");
  e.dedup = p.get("MessageDeduplicationId");
  static const std::regex kToken("[!-~]{1,128}");
  if (topic.fifo) {
    if (e.group.empty()) return invalid_parameter("The MessageGroupId parameter is required for FIFO topics");
    if (!std::regex_match(e.group, kToken)) return invalid_parameter("MessageGroupId");
    auto cbd = topic.attributes.find("ContentBasedDeduplication");
    bool content_based = cbd != topic.attributes.end() && cbd->second == "true";
    if (e.dedup.empty() && !content_based)
      return invalid_parameter(
          "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    if (!e.dedup.empty() && !std::regex_match(e.dedup, kToken)) return invalid_parameter("MessageDeduplicationId");
    if (e.dedup.empty()) e.dedup = base::sha256_hex(e.message);
  } else {
    if (!e.group.empty())
      return invalid_parameter(
          "MessageGroupId Reason: The request includes MessageGroupId parameter that is not valid for this topic type");
    if (!e.dedup.empty())
      return invalid_parameter(
          "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for "
          "this topic type");
  }
  return e;
}

// The message attributes as the document an attribute-scope filter policy reads.
json::value attribute_document(const topics::MessageAttributes& attributes) {
  json::object o;
  for (const auto& [name, a] : attributes) {
    if (a.type.rfind("Number", 0) == 0) {
      o[name] = std::strtod(a.value.c_str(), nullptr);
    } else if (a.type == "String.Array") {
      boost::system::error_code ec;
      auto v = json::parse(a.value, ec);
      if (!ec) o[name] = std::move(v);
    } else if (a.type.rfind("String", 0) == 0) {
      o[name] = a.value;
    }
  }
  return o;
}

bool passes_filter(const topics::Subscription& s, const std::string& message, const json::value& attributes_doc) {
  auto it = s.attributes.find("FilterPolicy");
  if (it == s.attributes.end() || it->second.empty()) return true;
  auto scope_it = s.attributes.find("FilterPolicyScope");
  bool body = scope_it != s.attributes.end() && scope_it->second == "MessageBody";
  auto policy = patterns::FilterPolicy::parse(it->second, body ? patterns::Scope::kMessageBody
                                                               : patterns::Scope::kMessageAttributes);
  if (!policy) return false;  // checked when set; a policy that no longer parses matches nothing
  if (!body) return policy->matches(attributes_doc);
  boost::system::error_code ec;
  auto doc = json::parse(message, ec);
  return !ec && policy->matches(doc);
}

bool raw_delivery(const topics::Subscription& s) {
  auto it = s.attributes.find("RawMessageDelivery");
  return it != s.attributes.end() && it->second == "true";
}

base::Error batch_error(const char* why, std::string message) {
  return with_reason(base::ErrorCode::kInvalidArgument, why, std::move(message));
}

}  // namespace

// Publishing's work on the blocking pool: deduplication, rendering, signing, the durable write.
struct Publisher {
  Service& service;
  const topics::Topic& topic;
  std::vector<topics::Delivery> deliveries;
  std::vector<std::pair<std::string, std::string>> reserved;  // dedup keys taken by this request

  Published add(const Entry& e) {
    Published out{e.id, base::uuid4(), ""};
    if (topic.fifo) {
      std::lock_guard l(service.dedup_mu_);
      int64_t now = service.options_.clock->now_ms();
      std::erase_if(service.dedup_, [now](const auto& kv) { return kv.second.expires_ms <= now; });
      auto key = std::pair{topic.arn, e.dedup};
      if (auto it = service.dedup_.find(key); it != service.dedup_.end()) {
        return {e.id, it->second.message_id, it->second.sequence_number};  // accepted, not delivered again
      }
      out.sequence_number = service.next_sequence_number();
      service.dedup_[key] = {out.message_id, out.sequence_number, now + kDedupWindowMs};
      reserved.push_back(key);
    }
    std::string timestamp = base::iso8601(service.options_.clock->now_ms());
    json::value attributes_doc = attribute_document(e.attributes);
    for (const auto& sub : service.store_.subscriptions_of(topic.arn)) {
      if (!sub.confirmed) continue;
      std::string message = e.message;
      if (e.json_structure) {
        const json::value* m = e.per_protocol.if_contains(sub.protocol);
        message = std::string((m ? *m : e.per_protocol.at("default")).as_string());
      }
      if (!passes_filter(sub, message, attributes_doc)) continue;
      topics::Notification n;
      n.message_id = out.message_id;
      n.topic_arn = topic.arn;
      n.subject = e.subject;
      n.message = message;
      n.timestamp = timestamp;
      n.unsubscribe_url = service.unsubscribe_url(sub.arn);
      n.sequence_number = out.sequence_number;
      n.attributes = e.attributes;
      service.sign(n, &topic);
      topics::Delivery d;
      d.id = out.message_id + "/" + sub.arn;
      d.subscription_arn = sub.arn;
      d.message_id = out.message_id;
      d.message_group_id = e.group;
      d.dedup_id = topic.fifo ? e.dedup : "";
      d.raw = sub.protocol != "lambda" && raw_delivery(sub);
      if (sub.protocol == "lambda") d.body = topics::lambda_event_json(n, sub.arn);
      else if (d.raw) d.body = message;
      else d.body = topics::envelope_json(n);
      if (d.raw && sub.protocol == "sqs") d.attributes = e.attributes;
      deliveries.push_back(std::move(d));
    }
    return out;
  }

  base::Status commit() {
    auto s = service.deliveries_.enqueue(std::move(deliveries), topic.fifo);
    std::vector<topics::Store::DedupRecord> records;
    {
      std::lock_guard l(service.dedup_mu_);
      for (const auto& k : reserved) {
        if (!s) {
          service.dedup_.erase(k);
          continue;
        }
        if (auto it = service.dedup_.find(k); it != service.dedup_.end())
          records.push_back({k.first, k.second, it->second.message_id, it->second.sequence_number,
                             it->second.expires_ms});
      }
    }
    // After the deliveries: a crash between the two may deliver a retried publish twice, never lose one.
    if (s && !records.empty())
      if (auto kept = service.store_.remember_dedup(records, service.options_.clock->now_ms()); !kept)
        spdlog::warn("sns: FIFO deduplication records not kept across a restart: {}", kept.error().message);
    return s;
  }
};

namespace {

// The topic a Publish names: TopicArn, or a TargetArn that is a topic.
base::Result<topics::Topic> target_topic(const aws::QueryParams& p, topics::Store& store) {
  if (p.has("PhoneNumber")) return invalid_parameter("PhoneNumber Reason: nimbus does not send SMS messages");
  std::string arn = p.get("TopicArn");
  if (std::string target = p.get("TargetArn"); !target.empty()) {
    if (!arn.empty()) return invalid_parameter("TopicArn or TargetArn Reason: Only one of them may be specified");
    auto a = base::Arn::parse(target);
    if (!a || a->service != "sns" || a->resource.find('/') != std::string::npos)
      return invalid_parameter("TargetArn Reason: nimbus publishes to topics only (no platform application endpoints)");
    arn = target;
  }
  if (arn.empty()) return invalid_parameter("TopicArn or TargetArn Reason: no value for required parameter");
  auto t = store.topic(arn);
  if (!t) return topic_not_found();
  return *t;
}

}  // namespace

awaitable<base::Result<std::string>> Service::publish(aws::Call& call) {
  auto topic = target_topic(call.params, store_);
  if (!topic) co_return topic.error();
  auto entry = read_entry(call.params, *topic);
  if (!entry) co_return entry.error();
  auto published = co_await http::offload(blocking_, [&]() -> base::Result<Published> {
    Publisher p{*this, *topic, {}, {}};
    Published out = p.add(*entry);
    if (auto s = p.commit(); !s) return s.error();
    return out;
  });
  if (!published) co_return published.error();
  aws::XmlWriter x;
  x.element("MessageId", published->message_id);
  if (!published->sequence_number.empty()) x.element("SequenceNumber", published->sequence_number);
  co_return x.str();
}

base::Result<std::string> Service::publish_from_nimbus(const std::string& topic_arn, const std::string& message,
                                                       const std::string& subject,
                                                       const topics::MessageAttributes& attributes) {
  auto topic = store_.topic(topic_arn);
  if (!topic) return base::make_error(base::ErrorCode::kNotFound, "Topic does not exist: " + topic_arn);
  if (topic->fifo)
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            topic_arn + " is a FIFO topic; nimbus's own messages go to standard topics");
  Entry e;
  e.message = message;
  if (!subject.empty()) e.subject = subject;
  e.attributes = attributes;
  e.bytes = message.size();
  for (const auto& [name, a] : attributes) e.bytes += name.size() + a.type.size() + a.value.size();
  if (e.bytes > kMaxMessageBytes)
    return base::make_error(base::ErrorCode::kTooLarge, "the message is over SNS's 256 KiB limit");
  Publisher p{*this, *topic, {}, {}};
  Published out = p.add(e);
  if (auto s = p.commit(); !s) return s.error();
  return out.message_id;
}

awaitable<base::Result<std::string>> Service::publish_batch(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("TopicArn", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  auto members = call.params.list("PublishBatchRequestEntries");
  if (members.empty())
    co_return batch_error(reason::kEmptyBatchRequest, "The batch request doesn't contain any entries");
  if (members.size() > kMaxBatchEntries)
    co_return batch_error(reason::kTooManyEntriesInBatchRequest,
                          "The batch request contains more entries than permissible.");
  auto topic = store_.topic(*arn);
  if (!topic) co_return topic_not_found();
  static const std::regex kId("[A-Za-z0-9_-]{1,80}");
  std::set<std::string> ids;
  size_t total = 0;
  for (const auto& m : members) {
    std::string id = m.get("Id");
    if (!std::regex_match(id, kId))
      co_return batch_error(reason::kInvalidBatchEntryId,
                            "The Id of a batch entry in a batch request doesn't abide by the specification.");
    if (!ids.insert(id).second)
      co_return batch_error(reason::kBatchEntryIdsNotDistinct, "Two or more batch entries in the request have the same Id.");
    total += m.get("Message").size();
  }
  if (total > kMaxMessageBytes)
    co_return batch_error(reason::kBatchRequestTooLong,
                          "The length of all the messages put together is more than the limit.");
  std::vector<Entry> entries;
  std::vector<std::pair<std::string, base::Error>> failed;
  for (const auto& m : members) {
    auto e = read_entry(m, *topic);
    if (!e) {
      failed.emplace_back(m.get("Id"), e.error());
      continue;
    }
    e->id = m.get("Id");
    entries.push_back(std::move(*e));
  }
  auto published = co_await http::offload(
      blocking_, [&]() -> base::Result<std::vector<Published>> {
        Publisher p{*this, *topic, {}, {}};
        std::vector<Published> out;
        for (const auto& e : entries) out.push_back(p.add(e));
        if (auto s = p.commit(); !s) return s.error();
        return out;
      });
  if (!published) co_return published.error();
  aws::XmlWriter x;
  x.open("Successful");
  for (const auto& p : *published) {
    x.open("member").element("Id", p.id).element("MessageId", p.message_id);
    if (!p.sequence_number.empty()) x.element("SequenceNumber", p.sequence_number);
    x.close("member");
  }
  x.close("Successful");
  x.open("Failed");
  for (const auto& [id, e] : failed) {
    auto wire = error_of(e);
    x.open("member")
        .element("Id", id)
        .element("Code", wire.code)
        .element("Message", wire.message)
        .element("SenderFault", wire.sender ? "true" : "false")
        .close("member");
  }
  x.close("Failed");
  co_return x.str();
}

}  // namespace nimbus::sns
