#include "topics/delivery_policy.h"

#include <boost/json.hpp>
#include <cmath>

namespace nimbus::topics {

namespace json = boost::json;

namespace {

base::Error invalid(const std::string& why) {
  return base::make_error(base::ErrorCode::kInvalidArgument, "Invalid parameter: DeliveryPolicy: " + why);
}

base::Result<json::object> object_of(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return invalid("must be a JSON object");
  return v.as_object();
}

base::Status read_int(const json::object& o, const char* name, int& out) {
  const json::value* v = o.if_contains(name);
  if (!v) return {};
  if (!v->is_int64()) return invalid(std::string(name) + " must be an integer");
  out = static_cast<int>(std::clamp<int64_t>(v->as_int64(), -1, 1'000'000));
  return {};
}

base::Status read_retry(const json::value* v, HttpRetryPolicy& p) {
  if (!v || v->is_null()) return {};
  if (!v->is_object()) return invalid("healthyRetryPolicy must be an object");
  const auto& o = v->as_object();
  for (const auto& [k, x] : o)
    if (k != "minDelayTarget" && k != "maxDelayTarget" && k != "numRetries" && k != "numNoDelayRetries" &&
        k != "numMinDelayRetries" && k != "numMaxDelayRetries" && k != "backoffFunction")
      return invalid("Unrecognized field \"" + std::string(k) + "\" in healthyRetryPolicy");
  for (auto [name, field] : {std::pair{"minDelayTarget", &p.min_delay_s}, {"maxDelayTarget", &p.max_delay_s},
                             {"numRetries", &p.num_retries}, {"numNoDelayRetries", &p.num_no_delay},
                             {"numMinDelayRetries", &p.num_min_delay}, {"numMaxDelayRetries", &p.num_max_delay}})
    if (auto s = read_int(o, name, *field); !s) return s;
  if (const json::value* b = o.if_contains("backoffFunction")) {
    if (!b->is_string()) return invalid("backoffFunction must be a string");
    p.backoff = std::string(b->as_string());
  }
  if (p.backoff != "linear" && p.backoff != "arithmetic" && p.backoff != "geometric" && p.backoff != "exponential")
    return invalid("backoffFunction must be one of linear, arithmetic, geometric, exponential");
  if (p.num_retries < 0 || p.num_retries > 100) return invalid("numRetries must be between 0 and 100");
  if (p.min_delay_s < 1) return invalid("minDelayTarget must be at least 1");
  if (p.max_delay_s < p.min_delay_s) return invalid("maxDelayTarget must be greater than or equal to minDelayTarget");
  if (p.max_delay_s > 3600) return invalid("maxDelayTarget must be at most 3600");
  if (p.num_no_delay < 0 || p.num_min_delay < 0 || p.num_max_delay < 0)
    return invalid("retry counts must not be negative");
  if (p.num_no_delay + p.num_min_delay + p.num_max_delay > p.num_retries)
    return invalid("numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must not exceed numRetries");
  return {};
}

// Throttling of deliveries is not implemented: a policy asking for it is refused, not ignored.
base::Status refuse_throttle(const json::object& o, const char* name) {
  if (const json::value* v = o.if_contains(name); v && !v->is_null())
    return invalid(std::string(name) + " is not supported by nimbus (deliveries are not throttled)");
  return {};
}

base::Status read_request_policy(const json::value* v, HttpDeliveryPolicy& p) {
  if (!v || v->is_null()) return {};
  if (!v->is_object()) return invalid("requestPolicy must be an object");
  if (const json::value* c = v->as_object().if_contains("headerContentType")) {
    if (!c->is_string()) return invalid("headerContentType must be a string");
    p.content_type = std::string(c->as_string());
  }
  return {};
}

json::object retry_json(const HttpRetryPolicy& p) {
  return {{"minDelayTarget", p.min_delay_s},        {"maxDelayTarget", p.max_delay_s},
          {"numRetries", p.num_retries},            {"numMaxDelayRetries", p.num_max_delay},
          {"numNoDelayRetries", p.num_no_delay},    {"numMinDelayRetries", p.num_min_delay},
          {"backoffFunction", p.backoff}};
}

}  // namespace

base::Result<HttpDeliveryPolicy> parse_topic_policy(std::string_view text) {
  HttpDeliveryPolicy p;
  if (text.empty()) return p;
  auto o = object_of(text);
  if (!o) return o.error();
  for (const auto& [k, v] : *o) {
    if (k != "http" && k != "https")
      return invalid("nimbus delivers to http/https, lambda and sqs; the " + std::string(k) +
                     " delivery policy does not apply");
    if (!v.is_object()) return invalid(std::string(k) + " must be an object");
    const auto& h = v.as_object();
    if (auto s = read_retry(h.if_contains("defaultHealthyRetryPolicy"), p.retry); !s) return s.error();
    if (auto s = refuse_throttle(h, "defaultThrottlePolicy"); !s) return s.error();
    if (auto s = refuse_throttle(h, "defaultSicklyRetryPolicy"); !s) return s.error();
    if (auto s = read_request_policy(h.if_contains("defaultRequestPolicy"), p); !s) return s.error();
    if (const json::value* d = h.if_contains("disableSubscriptionOverrides")) {
      if (!d->is_bool()) return invalid("disableSubscriptionOverrides must be true or false");
      p.disable_subscription_overrides = d->as_bool();
    }
  }
  return p;
}

base::Result<HttpDeliveryPolicy> parse_subscription_policy(std::string_view text, const HttpDeliveryPolicy& topic) {
  HttpDeliveryPolicy p = topic;
  if (text.empty()) return p;
  auto o = object_of(text);
  if (!o) return o.error();
  for (const auto& [k, v] : *o)
    if (k != "healthyRetryPolicy" && k != "throttlePolicy" && k != "requestPolicy" && k != "sicklyRetryPolicy" &&
        k != "guaranteed")
      return invalid("Unrecognized field \"" + std::string(k) + "\"");
  if (auto s = refuse_throttle(*o, "throttlePolicy"); !s) return s.error();
  if (auto s = refuse_throttle(*o, "sicklyRetryPolicy"); !s) return s.error();
  if (topic.disable_subscription_overrides) return p;
  HttpRetryPolicy r = topic.retry;
  if (auto s = read_retry(o->if_contains("healthyRetryPolicy"), r); !s) return s.error();
  p.retry = r;
  if (auto s = read_request_policy(o->if_contains("requestPolicy"), p); !s) return s.error();
  return p;
}

std::string effective_topic_policy_json(const HttpDeliveryPolicy& p) {
  json::object http{{"defaultHealthyRetryPolicy", retry_json(p.retry)},
                    {"disableSubscriptionOverrides", p.disable_subscription_overrides},
                    {"defaultRequestPolicy", json::object{{"headerContentType", p.content_type}}}};
  return json::serialize(json::object{{"http", std::move(http)}});
}

std::string effective_subscription_policy_json(const HttpDeliveryPolicy& p) {
  return json::serialize(json::object{{"healthyRetryPolicy", retry_json(p.retry)},
                                      {"sicklyRetryPolicy", nullptr},
                                      {"throttlePolicy", nullptr},
                                      {"requestPolicy", json::object{{"headerContentType", p.content_type}}},
                                      {"guaranteed", false}});
}

std::vector<int64_t> http_delays_ms(const HttpRetryPolicy& p) {
  std::vector<int64_t> out;
  for (int i = 0; i < p.num_no_delay; ++i) out.push_back(0);
  for (int i = 0; i < p.num_min_delay; ++i) out.push_back(int64_t{p.min_delay_s} * 1000);
  int backoff = p.num_retries - p.num_no_delay - p.num_min_delay - p.num_max_delay;
  double lo = p.min_delay_s, hi = p.max_delay_s;
  for (int i = 1; i <= backoff; ++i) {
    double f = static_cast<double>(i) / backoff;  // 1/n .. 1: the last wait of the phase is maxDelayTarget
    double d;
    if (p.backoff == "linear") d = lo + (hi - lo) * f;
    else if (p.backoff == "arithmetic") d = lo + (hi - lo) * f * f;
    else if (p.backoff == "geometric") d = lo * std::pow(hi / lo, f);
    else d = lo + (hi - lo) * (std::pow(2.0, f * 10) - 1) / 1023.0;  // exponential: slow, then steep
    out.push_back(std::llround(d * 1000));
  }
  for (int i = 0; i < p.num_max_delay; ++i) out.push_back(int64_t{p.max_delay_s} * 1000);
  return out;
}

queue::RetryConfig retry_config(std::string_view protocol, const HttpDeliveryPolicy& http) {
  queue::RetryConfig rc;
  rc.throttle_delay_ms = 1000;
  if (protocol == "http" || protocol == "https") {
    rc.delays_ms = http_delays_ms(http.retry);
    rc.max_retries = http.retry.num_retries;
    rc.max_age_ms = 24LL * 3600 * 1000;
    if (rc.delays_ms.empty()) rc.delays_ms.push_back(0);
    return rc;
  }
  // AWS-managed endpoints (Lambda, SQS): 100,015 retries over 23 days.
  rc.delays_ms = {0, 0, 0, 1000, 1000};
  HttpRetryPolicy backoff{1, 20, 10, 0, 0, 0, "exponential"};
  for (auto d : http_delays_ms(backoff)) rc.delays_ms.push_back(d);
  rc.delays_ms.push_back(20'000);
  rc.max_retries = 100'015;
  rc.max_age_ms = 23LL * 24 * 3600 * 1000;
  return rc;
}

}  // namespace nimbus::topics
