// SQS queue names, URLs and ARNs. A queue is named on the wire by its URL
// (http://HOST/000000000000/NAME, any host: the request's own, LocalStack's
// sqs.REGION.localhost.localstack.cloud:4566/…, or AWS's
// sqs.REGION.amazonaws.com/…), and by its ARN in redrive policies and move
// tasks; every form comes down to the name here.
//
// THREADING RULE: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nimbus::sqs {

// 1-80 characters of [A-Za-z0-9_-], ".fifo" at the end exactly when it is a
// FIFO queue (counted in the 80). InvalidParameterValue otherwise.
base::Status check_queue_name(std::string_view name, bool fifo);
bool is_fifo_name(std::string_view name);

// The queue's name in queue::Store (SQS's own namespace there: "sqs/NAME").
std::string store_name(std::string_view name);

std::string queue_arn(std::string_view region, std::string_view name);
// http://HOST/000000000000/NAME; host as the client addressed nimbus ("localhost:4566").
std::string queue_url(std::string_view host, std::string_view name);

// The name in a queue URL (any scheme and host; the path must be
// /ACCOUNT/NAME with nimbus's account), an ARN (arn:aws:sqs:REGION:ACCOUNT:NAME)
// or a bare name. nullopt when it is none of these.
std::optional<std::string> name_from_url(std::string_view url);
std::optional<std::string> name_from_arn(std::string_view arn);
std::optional<std::string> name_from_any(std::string_view url_arn_or_name);

}  // namespace nimbus::sqs
