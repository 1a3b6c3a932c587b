#include "sqs/errors.h"

#include <string_view>

namespace nimbus::sqs {

namespace {

struct Entry {
  std::string_view shape;       // the reason, and the JSON __type after "com.amazonaws.sqs#"
  int status;
  std::string_view query_code;  // what query clients (and x-amzn-query-error) name it
};

constexpr Entry kTable[] = {
    {"QueueDoesNotExist", 400, "AWS.SimpleQueueService.NonExistentQueue"},
    {"QueueNameExists", 400, "QueueAlreadyExists"},
    {"QueueDeletedRecently", 400, "AWS.SimpleQueueService.QueueDeletedRecently"},
    {"InvalidAttributeName", 400, "InvalidAttributeName"},
    {"InvalidAttributeValue", 400, "InvalidAttributeValue"},
    {"InvalidParameterValue", 400, "InvalidParameterValue"},
    {"MissingParameter", 400, "MissingParameter"},
    {"InvalidAddress", 404, "InvalidAddress"},
    {"ReceiptHandleIsInvalid", 400, "ReceiptHandleIsInvalid"},
    {"MessageNotInflight", 400, "AWS.SimpleQueueService.MessageNotInflight"},
    {"InvalidMessageContents", 400, "InvalidMessageContents"},
    {"InvalidIdFormat", 400, "InvalidIdFormat"},
    {"InvalidBatchEntryId", 400, "AWS.SimpleQueueService.InvalidBatchEntryId"},
    {"BatchEntryIdsNotDistinct", 400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"},
    {"TooManyEntriesInBatchRequest", 400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"},
    {"EmptyBatchRequest", 400, "AWS.SimpleQueueService.EmptyBatchRequest"},
    {"BatchRequestTooLong", 400, "AWS.SimpleQueueService.BatchRequestTooLong"},
    {"PurgeQueueInProgress", 403, "AWS.SimpleQueueService.PurgeQueueInProgress"},
    {"UnsupportedOperation", 400, "AWS.SimpleQueueService.UnsupportedOperation"},
    {"OverLimit", 403, "OverLimit"},
    {"ResourceNotFoundException", 404, "ResourceNotFoundException"},
    {"RequestThrottled", 403, "RequestThrottled"},
    {"InvalidSecurity", 403, "AWS.SimpleQueueService.InvalidSecurity"},
};

std::string_view default_shape(base::ErrorCode c) {
  using base::ErrorCode;
  switch (c) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kMalformed:
    case ErrorCode::kTooLarge:
    case ErrorCode::kNotImplemented: return "InvalidParameterValue";
    case ErrorCode::kNotFound: return "QueueDoesNotExist";
    case ErrorCode::kAlreadyExists: return "QueueNameExists";
    case ErrorCode::kConflict: return "UnsupportedOperation";
    case ErrorCode::kThrottled: return "RequestThrottled";
    default: return "";
  }
}

const Entry* find(const base::Error& e) {
  std::string_view shape = e.reason.empty() ? default_shape(e.code) : std::string_view(e.reason);
  for (const auto& entry : kTable)
    if (entry.shape == shape) return &entry;
  return nullptr;
}

}  // namespace

aws::ServiceError error_of(const base::Error& e) {
  const Entry* entry = find(e);
  if (!entry) {
    aws::ServiceError s{500, "com.amazonaws.sqs#InternalError", e.message, "", false};
    s.query_code = "InternalError";
    return s;
  }
  aws::ServiceError s{entry->status, "com.amazonaws.sqs#" + std::string(entry->shape), e.message};
  s.query_code = std::string(entry->query_code);
  return s;
}

std::string batch_error_code(const base::Error& e) {
  const Entry* entry = find(e);
  return entry ? std::string(entry->query_code) : "InternalError";
}

}  // namespace nimbus::sqs
