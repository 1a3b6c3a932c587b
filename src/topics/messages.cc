#include "topics/messages.h"

#include <boost/json.hpp>

namespace nimbus::topics {

namespace json = boost::json;

namespace {

json::object attributes_json(const MessageAttributes& attributes) {
  json::object o;
  for (const auto& [name, a] : attributes) o[name] = json::object{{"Type", a.type}, {"Value", a.value}};
  return o;
}

}  // namespace

std::string canonical_string(const Notification& n) {
  std::string out;
  auto add = [&](std::string_view name, std::string_view value) {
    out.append(name).append("\n").append(value).append("\n");
  };
  if (n.type == "Notification") {
    add("Message", n.message);
    add("MessageId", n.message_id);
    if (n.subject) add("Subject", *n.subject);
    add("Timestamp", n.timestamp);
    add("TopicArn", n.topic_arn);
    add("Type", n.type);
  } else {
    add("Message", n.message);
    add("MessageId", n.message_id);
    add("SubscribeURL", n.subscribe_url);
    add("Timestamp", n.timestamp);
    add("Token", n.token);
    add("TopicArn", n.topic_arn);
    add("Type", n.type);
  }
  return out;
}

std::string envelope_json(const Notification& n) {
  json::object o;
  o["Type"] = n.type;
  o["MessageId"] = n.message_id;
  if (n.type != "Notification") o["Token"] = n.token;
  if (!n.sequence_number.empty()) o["SequenceNumber"] = n.sequence_number;
  o["TopicArn"] = n.topic_arn;
  if (n.subject) o["Subject"] = *n.subject;
  o["Message"] = n.message;
  if (n.type != "Notification") o["SubscribeURL"] = n.subscribe_url;
  o["Timestamp"] = n.timestamp;
  o["SignatureVersion"] = n.signature_version;
  o["Signature"] = n.signature;
  o["SigningCertURL"] = n.signing_cert_url;
  if (n.type == "Notification") {
    o["UnsubscribeURL"] = n.unsubscribe_url;
    if (!n.attributes.empty()) o["MessageAttributes"] = attributes_json(n.attributes);
  }
  return json::serialize(o);
}

std::string lambda_event_json(const Notification& n, const std::string& subscription_arn) {
  json::object sns;
  sns["Type"] = n.type;
  sns["MessageId"] = n.message_id;
  sns["TopicArn"] = n.topic_arn;
  sns["Subject"] = n.subject ? json::value(*n.subject) : json::value(nullptr);
  sns["Message"] = n.message;
  sns["Timestamp"] = n.timestamp;
  sns["SignatureVersion"] = n.signature_version;
  sns["Signature"] = n.signature;
  sns["SigningCertUrl"] = n.signing_cert_url;
  sns["UnsubscribeUrl"] = n.unsubscribe_url;
  sns["MessageAttributes"] = attributes_json(n.attributes);
  json::object record{{"EventSource", "aws:sns"},
                      {"EventVersion", "1.0"},
                      {"EventSubscriptionArn", subscription_arn},
                      {"Sns", std::move(sns)}};
  return json::serialize(json::object{{"Records", json::array{std::move(record)}}});
}

}  // namespace nimbus::topics
