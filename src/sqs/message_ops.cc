// SendMessage, DeleteMessage, ChangeMessageVisibility.
#include "sqs/operations.h"

namespace nimbus::sqs {

namespace json = boost::json;

base::Result<SendRequest> read_send_request(Reader& in, const Request& r) {
  SendRequest m;
  m.body = in.string("MessageBody", true);
  m.delay_seconds = in.integer("DelaySeconds");
  m.deduplication_id = in.string("MessageDeduplicationId");
  m.message_group_id = in.string("MessageGroupId");
  m.sender_id = r.sender_id;
  if (auto s = in.status(); !s) return s.error();
  if (auto* v = in.value("MessageAttributes")) {
    auto a = attributes_from_json(*v);
    if (!a) return a.error();
    m.message_attributes = std::move(*a);
  }
  if (auto* v = in.value("MessageSystemAttributes")) {
    auto a = attributes_from_json(*v);
    if (!a) return a.error();
    m.system_attributes = std::move(*a);
  }
  return m;
}

json::object sent_json(const SendResult& s) {
  json::object out{{"MessageId", s.message_id}, {"MD5OfMessageBody", s.md5_of_body}};
  if (!s.md5_of_message_attributes.empty()) out["MD5OfMessageAttributes"] = s.md5_of_message_attributes;
  if (!s.md5_of_message_system_attributes.empty())
    out["MD5OfMessageSystemAttributes"] = s.md5_of_message_system_attributes;
  if (!s.sequence_number.empty()) out["SequenceNumber"] = s.sequence_number;
  return out;
}

Output send_message(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto m = read_send_request(in, r);
  if (!m) return m.error();
  auto sent = c.queues.send(*name, *m);
  if (!sent) return sent.error();
  return sent_json(*sent);
}

Output delete_message(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  std::string handle = in.string("ReceiptHandle", true);
  if (auto s = in.status(); !s) return s.error();
  if (auto s = c.queues.delete_message(*name, handle); !s) return s.error();
  return json::object{};
}

Output change_message_visibility(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  std::string handle = in.string("ReceiptHandle", true);
  auto timeout = in.integer("VisibilityTimeout");
  if (auto s = in.status(); !s) return s.error();
  if (!timeout)
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "The request must contain the parameter VisibilityTimeout.", "MissingParameter");
  if (auto s = c.queues.change_visibility(*name, handle, *timeout); !s) return s.error();
  return json::object{};
}

}  // namespace nimbus::sqs
