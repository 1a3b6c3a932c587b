#include "sns/render.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/arn.h"
#include "base/encoding.h"
#include "sns/errors.h"
#include "topics/delivery_policy.h"

namespace nimbus::sns {

void attributes_xml(aws::XmlWriter& x, const std::map<std::string, std::string>& attributes) {
  x.open("Attributes");
  for (const auto& [k, v] : attributes) x.open("entry").element("key", k).element("value", v).close("entry");
  x.close("Attributes");
}

base::Result<Page> page(const std::vector<std::string>& keys, const std::string& next_token) {
  Page p;
  if (!next_token.empty()) {
    auto after = base::base64_decode(next_token);
    if (!after) return invalid_parameter("NextToken");
    p.begin = static_cast<size_t>(std::upper_bound(keys.begin(), keys.end(), *after) - keys.begin());
  }
  p.end = std::min(keys.size(), p.begin + kPageSize);
  if (p.end < keys.size()) p.next = base::base64_encode(keys[p.end - 1]);
  return p;
}

base::Result<std::map<std::string, std::string>> read_tags(const aws::QueryParams& params, const char* name) {
  std::map<std::string, std::string> tags;
  for (const auto& m : params.list(name)) {
    std::string k = m.get("Key"), v = m.get("Value");
    if (k.empty() || k.size() > 128) return invalid_parameter("Tags Reason: a tag key must be 1 to 128 characters");
    if (v.size() > 256) return invalid_parameter("Tags Reason: a tag value must be at most 256 characters");
    if (k.rfind("aws:", 0) == 0) return invalid_parameter("Tags Reason: keys starting with aws: are reserved");
    tags[k] = v;
  }
  return tags;
}

namespace {

bool is_bool_text(const std::string& v) { return v == "true" || v == "false"; }

}  // namespace

base::Status check_topic_attribute(const std::string& name, const std::string& value, bool fifo, bool creating) {
  if (name == "DisplayName") {
    if (value.size() > 100) return invalid_parameter("DisplayName");
    return {};
  }
  if (name == "Policy") {
    boost::system::error_code ec;
    auto v = boost::json::parse(value, ec);
    if (ec || !v.is_object()) return invalid_parameter("Policy Error: null");
    return {};
  }
  if (name == "DeliveryPolicy") {
    auto p = topics::parse_topic_policy(value);
    if (!p) return invalid_parameter(p.error().message.substr(std::string("Invalid parameter: ").size()));
    return {};
  }
  if (name == "SignatureVersion") {
    if (value != "1" && value != "2") return invalid_parameter("Attributes Reason: SignatureVersion must be 1 or 2");
    return {};
  }
  // Accepting a key would promise encryption at rest that nimbus (no KMS) does not give.
  if (name == "KmsMasterKeyId")
    return invalid_parameter("Attributes Reason: KmsMasterKeyId: nimbus does not serve KMS; messages are not encrypted with a key");
  if (name == "TracingConfig") {
    if (value == "PassThrough") return {};
    if (value == "Active")
      return invalid_parameter("Attributes Reason: TracingConfig Active (X-Ray) is not supported by nimbus; use PassThrough");
    return invalid_parameter("Attributes Reason: TracingConfig must be PassThrough or Active");
  }
  if (name == "ContentBasedDeduplication") {
    if (!is_bool_text(value)) return invalid_parameter("Attributes Reason: ContentBasedDeduplication must be true or false");
    if (!fifo) return invalid_parameter("Attributes Reason: Content based deduplication can only be set for FIFO topics");
    return {};
  }
  if (name == "FifoTopic") {
    if (!creating) return invalid_parameter("AttributeName Reason: FifoTopic can only be set when the topic is created");
    if (!is_bool_text(value)) return invalid_parameter("Attributes Reason: FifoTopic must be true or false");
    return {};
  }
  if (name == "ArchivePolicy" || name == "BeginningArchiveTime" || name == "FifoThroughputScope" ||
      name == "DataProtectionPolicy" || name.find("Feedback") != std::string::npos)
    return invalid_parameter("AttributeName Reason: " + name + " is not supported by nimbus");
  return invalid_parameter("AttributeName");
}

std::map<std::string, std::string> topic_attributes(const topics::Topic& t, int confirmed, int pending) {
  std::map<std::string, std::string> a = t.attributes;
  a["TopicArn"] = t.arn;
  a["Owner"] = std::string(base::kAccountId);
  if (!a.count("Policy")) a["Policy"] = default_policy(t.arn);
  if (!a.count("DisplayName")) a["DisplayName"] = "";
  a["SubscriptionsConfirmed"] = std::to_string(confirmed);
  a["SubscriptionsPending"] = std::to_string(pending);
  a["SubscriptionsDeleted"] = std::to_string(t.subscriptions_deleted);
  auto it = t.attributes.find("DeliveryPolicy");
  auto p = topics::parse_topic_policy(it == t.attributes.end() ? "" : it->second);
  a["EffectiveDeliveryPolicy"] = topics::effective_topic_policy_json(p ? *p : topics::HttpDeliveryPolicy{});
  a["FifoTopic"] = t.fifo ? "true" : "false";
  if (t.fifo && !a.count("ContentBasedDeduplication")) a["ContentBasedDeduplication"] = "false";
  return a;
}

std::string default_policy(const std::string& topic_arn) {
  namespace json = boost::json;
  json::array actions{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                      "SNS:RemovePermission",   "SNS:DeleteTopic",        "SNS:Subscribe",
                      "SNS:ListSubscriptionsByTopic", "SNS:Publish"};
  json::object statement{
      {"Sid", "__default_statement_ID"},
      {"Effect", "Allow"},
      {"Principal", json::object{{"AWS", "*"}}},
      {"Action", std::move(actions)},
      {"Resource", topic_arn},
      {"Condition", json::object{{"StringEquals", json::object{{"AWS:SourceOwner", std::string(base::kAccountId)}}}}}};
  return json::serialize(json::object{{"Version", "2008-10-17"},
                                      {"Id", "__default_policy_ID"},
                                      {"Statement", json::array{std::move(statement)}}});
}

}  // namespace nimbus::sns
