// The JSON SNS delivers, exactly as AWS writes it: the envelope an HTTP
// endpoint or an SQS queue receives (Type, MessageId, TopicArn, Subject,
// Message, Timestamp, SignatureVersion, Signature, SigningCertURL,
// UnsubscribeURL, MessageAttributes; Token and SubscribeURL in a
// SubscriptionConfirmation), the Lambda event (Records[0].Sns, with
// SigningCertUrl / UnsubscribeUrl spelled as Lambda spells them), and the
// canonical string SignatureVersion 1 signs.
// Threading: pure functions of values.
#pragma once

#include <optional>
#include <string>

#include "topics/types.h"

namespace nimbus::topics {

struct Notification {
  std::string type = "Notification";  // or "SubscriptionConfirmation", "UnsubscribeConfirmation"
  std::string message_id;
  std::string topic_arn;
  std::optional<std::string> subject;
  std::string message;
  std::string timestamp;  // 2012-05-02T00:54:06.655Z
  std::string token;          // confirmations
  std::string subscribe_url;  // confirmations
  std::string unsubscribe_url;  // notifications
  std::string signing_cert_url;
  std::string signature;  // base64, over canonical_string()
  std::string signature_version = "1";  // "2": SHA256
  std::string sequence_number;  // FIFO topics
  MessageAttributes attributes;
};

// The string SignatureVersion 1 signs (SHA1withRSA): "Name\nvalue\n" for
// the fields AWS lists for the message's type, in its order.
std::string canonical_string(const Notification& n);
std::string envelope_json(const Notification& n);
std::string lambda_event_json(const Notification& n, const std::string& subscription_arn);

}  // namespace nimbus::topics
