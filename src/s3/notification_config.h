// S3 bucket notification configuration: the <NotificationConfiguration> of
// PutBucketNotificationConfiguration (QueueConfiguration, TopicConfiguration
// and Cloud/LambdaFunctionConfiguration, each with events and prefix/suffix
// key filters; EventBridgeConfiguration, an empty element that sends every
// event of the bucket to the default event bus), parsed with S3's
// validation, and rendered back as GetBucketNotificationConfiguration
// answers. Whether each destination exists is the operation's question
// (notification_ops.cc), not the parser's: S3 checks destinations by
// sending to them. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/notifications.h"
#include "s3/errors.h"

namespace nimbus::s3 {

// The rules, in document order, then the EventBridge rule
// (events::event_bus_rule: region's default bus) when the configuration has
// an EventBridgeConfiguration; an empty body (or an empty configuration)
// clears them. Each rule's ARN is of its element's kind (Queue an SQS
// queue's, Topic an SNS topic's, CloudFunction a function's).
std::optional<std::vector<events::Rule>> parse_notification_configuration(std::string_view body,
                                                                          const std::string& region, S3Error& err);

// The configuration as GetBucketNotificationConfiguration answers it (the
// EventBridge rule as S3 writes it: <EventBridgeConfiguration></EventBridgeConfiguration>,
// last): parses again to the same rules.
std::string render_notification_configuration(const std::vector<events::Rule>& rules);

}  // namespace nimbus::s3
