// Receipt handles: what ReceiveMessage hands out and DeleteMessage /
// ChangeMessageVisibility take back. Opaque to clients (base64 of a version,
// the queue, the message id and the receive's lease); each receive gives a
// new one. Parsing never trusts the input: anything else is nullopt
// (ReceiptHandleIsInvalid on the wire).
//
// THREADING RULE: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nimbus::sqs {

struct Receipt {
  std::string queue;       // the SQS queue name
  std::string message_id;
  std::string lease;       // the receive's lease in queue::Store
};

std::string encode_receipt(const Receipt& r);
std::optional<Receipt> decode_receipt(std::string_view handle);

}  // namespace nimbus::sqs
