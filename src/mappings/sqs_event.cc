#include "mappings/sqs_event.h"

#include <boost/json.hpp>

#include "base/encoding.h"

namespace nimbus::mappings {

namespace json = boost::json;

namespace {

// The system attributes a Lambda SQS record carries (what ReceiveMessage's
// "All" gives, as Lambda passes it on).
constexpr const char* kRecordAttributes[] = {
    "ApproximateReceiveCount", "SentTimestamp",          "SenderId",       "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",          "MessageGroupId",         "MessageDeduplicationId", "AWSTraceHeader",
    "DeadLetterQueueSourceArn"};

json::object record(const sqs::ReceivedMessage& m, const std::string& queue_arn, const std::string& region) {
  json::object attributes;
  for (const char* name : kRecordAttributes)
    if (auto it = m.attributes.find(name); it != m.attributes.end()) attributes[name] = it->second;
  json::object message_attributes;
  for (const auto& [name, a] : m.message_attributes) {
    json::object v;
    if (a.binary()) v["binaryValue"] = base::base64_encode(a.binary_value);
    else v["stringValue"] = a.string_value;
    v["stringListValues"] = json::array();
    v["binaryListValues"] = json::array();
    v["dataType"] = a.data_type;
    message_attributes[name] = std::move(v);
  }
  json::object r{{"messageId", m.message_id},
                 {"receiptHandle", m.receipt_handle},
                 {"body", m.body},
                 {"attributes", std::move(attributes)},
                 {"messageAttributes", std::move(message_attributes)}};
  if (!m.md5_of_message_attributes.empty()) r["md5OfMessageAttributes"] = m.md5_of_message_attributes;
  r["md5OfBody"] = m.md5_of_body;
  r["eventSource"] = "aws:sqs";
  r["eventSourceARN"] = queue_arn;
  r["awsRegion"] = region;
  return r;
}

base::Error invalid(std::string why) {
  return base::make_error(base::ErrorCode::kInvalidArgument, "invalid partial batch response: " + std::move(why));
}

}  // namespace

std::string sqs_event_json(const std::vector<sqs::ReceivedMessage>& messages, const std::string& queue_arn,
                           const std::string& region) {
  json::array records;
  records.reserve(messages.size());
  for (const auto& m : messages) records.push_back(record(m, queue_arn, region));
  return json::serialize(json::object{{"Records", std::move(records)}});
}

base::Result<std::set<std::string>> read_batch_response(std::string_view payload,
                                                        const std::set<std::string>& batch_ids) {
  std::set<std::string> failed;
  size_t first = payload.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return failed;  // an empty answer
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec) return invalid("the answer is not JSON");
  if (v.is_null()) return failed;
  if (!v.is_object()) return failed;  // not an EventResponse: nothing reported as failed
  const json::value* items = v.as_object().if_contains("batchItemFailures");
  if (!items || items->is_null()) return failed;
  if (!items->is_array()) return invalid("batchItemFailures is not a list");
  for (const auto& item : items->as_array()) {
    const json::value* id = item.is_object() ? item.as_object().if_contains("itemIdentifier") : nullptr;
    if (!id || !id->is_string() || id->as_string().empty())
      return invalid("an item has no itemIdentifier");
    std::string s(id->as_string());
    if (!batch_ids.count(s)) return invalid("itemIdentifier " + s + " is not a message of the batch");
    failed.insert(std::move(s));
  }
  return failed;
}

}  // namespace nimbus::mappings
