// SNS delivery policies as pure functions: the http/https DeliveryPolicy
// JSON of a topic ({"http": {"defaultHealthyRetryPolicy": ...}}) and of a
// subscription ({"healthyRetryPolicy": ..., "requestPolicy": ...}), read
// with AWS's limits, and the retry schedule each protocol gets:
//   http/https  the policy's phases (AWS's default: 3 retries 20 s apart)
//   lambda/sqs  AWS's fixed policy: 3 immediate, 2 at 1 s, 10 backing off
//               from 1 to 20 s, then 100,000 at 20 s (23 days)
// turned into the durable queue's RetryConfig (queue/retry_policy.h).
// Threading: pure functions of values.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "queue/retry_policy.h"

namespace nimbus::topics {

struct HttpRetryPolicy {
  int min_delay_s = 20;
  int max_delay_s = 20;
  int num_retries = 3;
  int num_no_delay = 0;
  int num_min_delay = 0;
  int num_max_delay = 0;
  std::string backoff = "linear";  // linear, arithmetic, geometric, exponential
};

struct HttpDeliveryPolicy {
  HttpRetryPolicy retry;
  std::string content_type = "text/plain; charset=UTF-8";
  bool disable_subscription_overrides = false;  // a topic's
};

// A topic's DeliveryPolicy ("" : the defaults). kInvalidArgument with AWS's
// message on a bad one.
base::Result<HttpDeliveryPolicy> parse_topic_policy(std::string_view text);
// A subscription's, over its topic's (which it overrides unless the topic disables that).
base::Result<HttpDeliveryPolicy> parse_subscription_policy(std::string_view text, const HttpDeliveryPolicy& topic);

// The JSON GetTopicAttributes / GetSubscriptionAttributes return as EffectiveDeliveryPolicy.
std::string effective_topic_policy_json(const HttpDeliveryPolicy& p);
std::string effective_subscription_policy_json(const HttpDeliveryPolicy& p);

// The waits before retry 1, 2, ... of an http policy, in ms.
std::vector<int64_t> http_delays_ms(const HttpRetryPolicy& p);
queue::RetryConfig retry_config(std::string_view protocol, const HttpDeliveryPolicy& http);

}  // namespace nimbus::topics
