// The topics domain's vocabulary: topics, subscriptions and message
// attributes as plain values (what sns.db keeps and the SNS API renders).
// Threading: values; copy them freely between threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace nimbus::topics {

// A message attribute as SNS carries it: DataType "String", "Number",
// "String.Array" or "Binary" (possibly with a custom suffix: "String.x");
// a Binary's value is its base64 text.
struct MessageAttribute {
  std::string type;
  std::string value;
  bool operator==(const MessageAttribute&) const = default;
};
using MessageAttributes = std::map<std::string, MessageAttribute>;

struct Topic {
  std::string arn;
  std::string name;
  bool fifo = false;
  // Settable attributes as the API names them (DisplayName, Policy,
  // DeliveryPolicy, KmsMasterKeyId, ContentBasedDeduplication, ...).
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> tags;
  int64_t subscriptions_deleted = 0;
  int64_t created_ms = 0;
};

struct Subscription {
  std::string arn;
  std::string topic_arn;
  std::string protocol;  // lambda, sqs, http, https
  std::string endpoint;
  // RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy.
  std::map<std::string, std::string> attributes;
  std::string token;       // the confirmation token (http/https)
  bool confirmed = false;
  int64_t created_ms = 0;
};

}  // namespace nimbus::topics
