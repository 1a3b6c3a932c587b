// S3 bucket notification configuration: the <NotificationConfiguration> of
// PutBucketNotificationConfiguration (QueueConfiguration, TopicConfiguration
// and Cloud/LambdaFunctionConfiguration, each with events and prefix/suffix
// key filters), parsed with S3's validation, and rendered back as
// GetBucketNotificationConfiguration answers. Whether each destination
// exists is the operation's question (notification_ops.cc), not the
// parser's: S3 checks destinations by sending to them. EventBridge delivery
// is refused by name. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/notifications.h"
#include "s3/errors.h"

namespace nimbus::s3 {

// The rules, in document order; an empty body (or an empty configuration)
// clears them. Each rule's ARN is of its element's kind (Queue an SQS
// queue's, Topic an SNS topic's, CloudFunction a function's).
std::optional<std::vector<events::Rule>> parse_notification_configuration(std::string_view body, S3Error& err);

// The configuration as GetBucketNotificationConfiguration answers it:
// parses again to the same rules.
std::string render_notification_configuration(const std::vector<events::Rule>& rules);

}  // namespace nimbus::s3
