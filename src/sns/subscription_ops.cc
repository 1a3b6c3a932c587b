// Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions,
// ListSubscriptionsByTopic, GetSubscriptionAttributes, SetSubscriptionAttributes.
#include <boost/json.hpp>
#include <set>

#include "aws/fields.h"
#include "base/arn.h"
#include "base/ids.h"
#include "http/offload.h"
#include "patterns/filter_policy.h"
#include "sns/errors.h"
#include "sns/render.h"
#include "sns/service.h"
#include "topics/delivery_policy.h"

namespace nimbus::sns {

using boost::asio::awaitable;

namespace {

// Attributes nimbus keeps about a subscription that clients cannot set.
constexpr std::string_view kConfirmedByApi = "ConfirmationWasAuthenticated";
constexpr std::string_view kAuthOnUnsubscribe = "AuthenticateOnUnsubscribe";

bool is_sqs_arn(const std::string& s) {
  auto a = base::Arn::parse(s);
  return a && a->service == "sqs" && !a->resource.empty() && a->resource.find(':') == std::string::npos &&
         a->resource.find('/') == std::string::npos;
}

base::Status check_protocol(const std::string& protocol, const std::string& endpoint, bool fifo, bool sqs_connected) {
  static const std::set<std::string> kOther = {"email", "email-json", "sms", "application", "firehose"};
  if (kOther.count(protocol))
    return invalid_parameter("Protocol Reason: nimbus does not deliver to " + protocol +
                             " endpoints (it delivers to lambda, sqs and http)");
  if (protocol == "https")
    return invalid_parameter("Protocol Reason: nimbus delivers to http:// endpoints only; https is not supported");
  if (protocol != "lambda" && protocol != "sqs" && protocol != "http")
    return invalid_parameter("Amazon SNS does not support this protocol string: " + protocol);
  if (fifo && protocol != "sqs")
    return invalid_parameter("Invalid protocol type: " + protocol + " (FIFO topics deliver to SQS queues only)");
  if (protocol == "lambda") {
    auto a = base::parse_lambda_arn(endpoint);
    if (!a || endpoint.rfind("arn:", 0) != 0) return invalid_parameter("Lambda endpoint ARN");
  } else if (protocol == "sqs") {
    if (!is_sqs_arn(endpoint)) return invalid_parameter("SQS endpoint ARN");
    if (!sqs_connected)
      return invalid_parameter(
          "Protocol Reason: nimbus's SQS service is not connected to SNS in this build; sqs subscriptions are refused "
          "rather than accepted and dropped");
  } else if (endpoint.rfind("http://", 0) != 0 || endpoint.size() <= 7) {
    return invalid_parameter("Endpoint must match the specified protocol");
  }
  return {};
}

std::string attribute_of(const std::map<std::string, std::string>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() ? std::string() : it->second;
}

// One subscription attribute as SNS checks it, given the subscription's
// other attributes (a FilterPolicy is read in its FilterPolicyScope).
base::Status check_subscription_attribute(const std::string& name, const std::string& value,
                                          const std::string& protocol, const std::map<std::string, std::string>& all,
                                          bool sqs_connected) {
  if (name == "RawMessageDelivery") {
    if (value != "true" && value != "false") return invalid_parameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
    if (protocol == "lambda")
      return invalid_parameter("Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.");
    return {};
  }
  if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody")
      return invalid_parameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value +
                               "]. Please use either MessageBody or MessageAttributes");
    std::string policy = attribute_of(all, "FilterPolicy");
    if (!policy.empty()) {
      auto p = patterns::FilterPolicy::parse(policy, value == "MessageBody" ? patterns::Scope::kMessageBody
                                                                             : patterns::Scope::kMessageAttributes);
      if (!p) return p.error();
    }
    return {};
  }
  if (name == "FilterPolicy") {
    if (value.empty()) return {};
    auto scope = attribute_of(all, "FilterPolicyScope") == "MessageBody" ? patterns::Scope::kMessageBody
                                                                          : patterns::Scope::kMessageAttributes;
    auto p = patterns::FilterPolicy::parse(value, scope);
    if (!p) return p.error();
    return {};
  }
  if (name == "DeliveryPolicy") {
    if (protocol != "http" && protocol != "https")
      return invalid_parameter("DeliveryPolicy: delivery protocol [" + protocol + "] does not support delivery policies");
    auto p = topics::parse_subscription_policy(value, {});
    if (!p) return invalid_parameter(p.error().message.substr(std::string("Invalid parameter: ").size()));
    return {};
  }
  if (name == "RedrivePolicy") {
    if (value.empty()) return {};
    boost::system::error_code ec;
    auto v = boost::json::parse(value, ec);
    const boost::json::value* target = !ec && v.is_object() ? v.as_object().if_contains("deadLetterTargetArn") : nullptr;
    if (!target || !target->is_string() || !is_sqs_arn(std::string(target->as_string())))
      return invalid_parameter("RedrivePolicy: deadLetterTargetArn is an invalid arn");
    if (!sqs_connected)
      return invalid_parameter(
          "RedrivePolicy Reason: nimbus's SQS service is not connected to SNS in this build, so there is no queue to "
          "dead-letter to");
    return {};
  }
  if (name == "SubscriptionRoleArn") return invalid_parameter("Attributes Reason: SubscriptionRoleArn applies to firehose subscriptions, which nimbus does not serve");
  if (name == "ReplayPolicy") return invalid_parameter("Attributes Reason: ReplayPolicy (message archiving) is not supported by nimbus");
  return invalid_parameter("AttributeName");
}

std::string listed_arn(const topics::Subscription& s) { return s.confirmed ? s.arn : "PendingConfirmation"; }

void subscription_members(aws::XmlWriter& x, const std::vector<topics::Subscription>& subs, const Page& p) {
  x.open("Subscriptions");
  for (size_t i = p.begin; i < p.end; ++i) {
    const auto& s = subs[i];
    x.open("member")
        .element("SubscriptionArn", listed_arn(s))
        .element("Owner", base::kAccountId)
        .element("Protocol", s.protocol)
        .element("Endpoint", s.endpoint)
        .element("TopicArn", s.topic_arn)
        .close("member");
  }
  x.close("Subscriptions");
  if (!p.next.empty()) x.element("NextToken", p.next);
}

base::Result<std::string> list_page(const std::vector<topics::Subscription>& subs, const std::string& token) {
  std::vector<std::string> arns;
  for (const auto& s : subs) arns.push_back(s.arn);
  auto p = page(arns, token);
  if (!p) return p.error();
  aws::XmlWriter x;
  subscription_members(x, subs, *p);
  return x.str();
}

}  // namespace

awaitable<base::Result<std::string>> Service::subscribe(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto topic_arn = f.string("TopicArn", {.required = true});
  auto protocol = f.string("Protocol", {.required = true});
  auto endpoint = f.string("Endpoint");
  auto return_arn = f.boolean("ReturnSubscriptionArn");
  if (auto s = f.status(); !s) co_return s.error();
  auto topic = store_.topic(*topic_arn);
  if (!topic) co_return topic_not_found();
  std::string ep = endpoint.value_or("");
  if (auto s = check_protocol(*protocol, ep, topic->fifo, options_.queues != nullptr); !s) co_return s.error();
  auto attributes = call.params.map("Attributes");
  for (const auto& [k, v] : attributes)
    if (auto s = check_subscription_attribute(k, v, *protocol, attributes, options_.queues != nullptr); !s)
      co_return s.error();
  for (auto it = attributes.begin(); it != attributes.end();)
    it = it->second.empty() ? attributes.erase(it) : std::next(it);

  topics::Subscription sub;
  sub.arn = topic->arn + ":" + base::uuid4();
  sub.topic_arn = topic->arn;
  sub.protocol = *protocol;
  sub.endpoint = ep;
  sub.attributes = attributes;
  sub.confirmed = *protocol != "http";
  if (!sub.confirmed) sub.token = base::random_hex(64);
  if (sub.confirmed) sub.attributes[std::string(kConfirmedByApi)] = "true";
  sub.created_ms = options_.clock->now_ms();
  auto made = co_await http::offload(blocking_, [&]() -> base::Result<std::pair<topics::Subscription, bool>> {
    auto r = store_.subscribe(sub);
    // A pending subscription subscribed again gets its confirmation again, as AWS sends it.
    if (r && !r->first.confirmed)
      if (auto c = send_confirmation(r->first); !c) return c.error();
    return r;
  });
  if (!made) co_return made.error();
  const topics::Subscription& s = made->first;
  if (!made->second)
    for (const auto& [k, v] : attributes)
      if (attribute_of(s.attributes, k) != v)
        co_return invalid_parameter("Attributes Reason: Subscription already exists with different attributes");
  aws::XmlWriter x;
  x.element("SubscriptionArn", s.confirmed || return_arn.value_or(false) ? s.arn : "pending confirmation");
  co_return x.str();
}

awaitable<base::Result<std::string>> Service::confirm_subscription(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto topic_arn = f.string("TopicArn", {.required = true});
  auto token = f.string("Token", {.required = true});
  auto auth_unsubscribe = f.boolean("AuthenticateOnUnsubscribe");
  if (auto s = f.status(); !s) co_return s.error();
  std::string t = *topic_arn, k = *token;
  bool au = auth_unsubscribe.value_or(false);
  co_return co_await http::offload(blocking_, [&]() -> base::Result<std::string> {
    auto r = confirm(t, k);
    if (!r) return r;
    auto s = store_.by_token(t, k);
    if (!s) return r;
    if (auto w = store_.set_subscription_attribute(s->arn, std::string(kConfirmedByApi), "true"); !w) return w.error();
    if (au)
      if (auto w = store_.set_subscription_attribute(s->arn, std::string(kAuthOnUnsubscribe), "true"); !w)
        return w.error();
    return r;
  });
}

awaitable<base::Result<std::string>> Service::unsubscribe(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("SubscriptionArn", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  // A subscription that is gone (unsubscribed already, or its topic deleted) is no error: SNS
  // answers Unsubscribe so, though its reference lists NotFound. What is no subscription ARN
  // (arn:aws:sns:REGION:ACCOUNT:TOPIC:ID) at all is a bad parameter.
  if (!store_.subscription(*arn)) {
    auto a = base::Arn::parse(*arn);
    auto colon = a ? a->resource.find(':') : std::string::npos;
    if (!a || a->service != "sns" || colon == 0 || colon == std::string::npos || colon + 1 == a->resource.size())
      co_return invalid_parameter("SubscriptionArn");
    co_return std::string();
  }
  std::string a = *arn;
  auto s = co_await http::offload(blocking_, [&] { return store_.unsubscribe(a); });
  if (!s) co_return s.error();
  co_return std::string();
}

awaitable<base::Result<std::string>> Service::list_subscriptions(aws::Call& call) {
  co_return list_page(store_.subscriptions(), call.params.get("NextToken"));
}

awaitable<base::Result<std::string>> Service::list_subscriptions_by_topic(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("TopicArn", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  if (!store_.topic(*arn)) co_return topic_not_found();
  co_return list_page(store_.subscriptions_of(*arn), call.params.get("NextToken"));
}

awaitable<base::Result<std::string>> Service::get_subscription_attributes(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("SubscriptionArn", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  auto s = store_.subscription(*arn);
  if (!s) co_return subscription_not_found();
  auto a = s->attributes;
  a.erase(std::string(kAuthOnUnsubscribe));
  a["SubscriptionArn"] = s->arn;
  a["TopicArn"] = s->topic_arn;
  a["Owner"] = std::string(base::kAccountId);
  a["Protocol"] = s->protocol;
  a["Endpoint"] = s->endpoint;
  a["PendingConfirmation"] = s->confirmed ? "false" : "true";
  if (!a.count(std::string(kConfirmedByApi))) a[std::string(kConfirmedByApi)] = "false";
  if (!a.count("RawMessageDelivery")) a["RawMessageDelivery"] = "false";
  if (a.count("FilterPolicy") && !a.count("FilterPolicyScope")) a["FilterPolicyScope"] = "MessageAttributes";
  if (s->protocol == "http") {
    auto topic = store_.topic(s->topic_arn);
    auto tp = topics::parse_topic_policy(topic ? attribute_of(topic->attributes, "DeliveryPolicy") : "");
    auto sp = topics::parse_subscription_policy(attribute_of(s->attributes, "DeliveryPolicy"),
                                                tp ? *tp : topics::HttpDeliveryPolicy{});
    a["EffectiveDeliveryPolicy"] = topics::effective_subscription_policy_json(sp ? *sp : topics::HttpDeliveryPolicy{});
  }
  aws::XmlWriter x;
  attributes_xml(x, a);
  co_return x.str();
}

awaitable<base::Result<std::string>> Service::set_subscription_attributes(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("SubscriptionArn", {.required = true});
  auto name = f.string("AttributeName", {.required = true});
  if (auto st = f.status(); !st) co_return st.error();
  std::string value = call.params.get("AttributeValue");
  auto s = store_.subscription(*arn);
  if (!s) co_return subscription_not_found();
  auto all = s->attributes;
  all[*name] = value;
  if (auto st = check_subscription_attribute(*name, value, s->protocol, all, options_.queues != nullptr); !st)
    co_return st.error();
  std::string a = *arn, n = *name;
  auto st = co_await http::offload(blocking_, [&] { return store_.set_subscription_attribute(a, n, value); });
  if (!st) co_return st.error();
  co_return std::string();
}

}  // namespace nimbus::sns
