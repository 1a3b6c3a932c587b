// SQS's wire errors, from domain errors: the one table. A domain error's
// reason is SQS's error shape name (QueueDoesNotExist, InvalidAttributeName,
// ...); each has its HTTP status and the code query clients know
// (AWS.SimpleQueueService.NonExistentQueue). JSON errors carry the shape as
// __type and the query code in x-amzn-query-error, so botocore raises the
// same exception class against nimbus as against AWS in both protocols.
//
// THREADING RULE: pure functions.
#pragma once

#include <string>

#include "aws/protocol.h"
#include "base/result.h"

namespace nimbus::sqs {

aws::ServiceError error_of(const base::Error& e);

// The code a batch entry's failure reports (BatchResultErrorEntry.Code):
// the query code, as AWS writes it in both protocols.
std::string batch_error_code(const base::Error& e);

}  // namespace nimbus::sqs
