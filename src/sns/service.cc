#include "sns/service.h"

#include <spdlog/spdlog.h>

#include <map>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "http/offload.h"
#include "sns/errors.h"
#include "topics/messages.h"

namespace nimbus::sns {

namespace {

const std::map<std::string, Service::Op, std::less<>>& operations() {
  static const std::map<std::string, Service::Op, std::less<>> ops = {
      {"CreateTopic", &Service::create_topic},
      {"DeleteTopic", &Service::delete_topic},
      {"ListTopics", &Service::list_topics},
      {"GetTopicAttributes", &Service::get_topic_attributes},
      {"SetTopicAttributes", &Service::set_topic_attributes},
      {"Subscribe", &Service::subscribe},
      {"ConfirmSubscription", &Service::confirm_subscription},
      {"Unsubscribe", &Service::unsubscribe},
      {"ListSubscriptions", &Service::list_subscriptions},
      {"ListSubscriptionsByTopic", &Service::list_subscriptions_by_topic},
      {"GetSubscriptionAttributes", &Service::get_subscription_attributes},
      {"SetSubscriptionAttributes", &Service::set_subscription_attributes},
      {"Publish", &Service::publish},
      {"PublishBatch", &Service::publish_batch},
      {"TagResource", &Service::tag_resource},
      {"UntagResource", &Service::untag_resource},
      {"ListTagsForResource", &Service::list_tags_for_resource},
  };
  return ops;
}

constexpr std::string_view kCertPrefix = "/_nimbus/sns/";

// The links in SNS's messages, which subscribers open without signing.
bool is_link(const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  if (req.target.rfind(kCertPrefix, 0) == 0) return true;
  if (!req.header("authorization").empty() || req.target.find("X-Amz-Credential") != std::string::npos) return false;
  return req.target.rfind("/?Action=ConfirmSubscription&", 0) == 0 || req.target.rfind("/?Action=Unsubscribe&", 0) == 0;
}

}  // namespace

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "sns";
  d.title = "SNS";
  d.protocol = aws::Protocol::kQuery;
  d.signing_names = {"sns"};
  d.xml_namespace = "http://sns.amazonaws.com/doc/2010-03-31/";
  d.api_version = "2010-03-31";
  for (const auto& [name, op] : operations()) d.operations.push_back(name);
  d.errors = &error_of;
  // Publish takes 256 KiB of message plus its attributes, form-encoded (up to 3x).
  d.max_body = 4 << 20;
  d.handler = [this](aws::Call& c) { return handle(c); };
  return d;
}

aws::ServiceDescriptor Service::links_descriptor() {
  aws::ServiceDescriptor d;
  d.name = "sns-links";
  d.title = "SNS subscription links";
  d.protocol = aws::Protocol::kQuery;
  d.xml_namespace = "http://sns.amazonaws.com/doc/2010-03-31/";
  d.auth = aws::AuthMode::kOwn;
  d.claims = &is_link;
  d.raw_handler = [this](http::Request& req) { return handle_link(req); };
  return d;
}

boost::asio::awaitable<http::Response> Service::handle(aws::Call& call) {
  auto it = operations().find(call.operation);
  if (it == operations().end()) co_return call.fail(invalid_parameter("Action " + call.operation));
  auto result = co_await (this->*(it->second))(call);
  if (!result) co_return call.fail(result.error());
  co_return call.reply_xml(*result);
}

boost::asio::awaitable<http::Response> Service::handle_link(http::Request& req) {
  std::string request_id = base::uuid4();
  constexpr std::string_view ns = "http://sns.amazonaws.com/doc/2010-03-31/";
  if (req.target.rfind(kCertPrefix, 0) == 0) {
    std::string name = req.target.substr(kCertPrefix.size());
    http::Response r;
    if (name != signer_.certificate_name()) {
      r.status = 404;
      r.body = "no such certificate\n";
      co_return r;
    }
    r.headers = {{"Content-Type", "application/x-x509-ca-cert"}};
    r.body = signer_.certificate_pem();
    r.omit_body = req.method == "HEAD";
    co_return r;
  }
  auto params = aws::QueryParams::of(req, "");
  std::string action = params.get("Action");
  base::Result<std::string> result = std::string();
  if (action == "ConfirmSubscription") {
    std::string topic = params.get("TopicArn"), token = params.get("Token");
    result = co_await http::offload(blocking_, [&] { return confirm(topic, token); });
  } else {
    std::string arn = params.get("SubscriptionArn");
    auto s = store_.subscription(arn);
    if (!s) {
      result = subscription_not_found();
    } else if (auto it = s->attributes.find("AuthenticateOnUnsubscribe");
               it != s->attributes.end() && it->second == "true") {
      // Confirmed with AuthenticateOnUnsubscribe: only a signed Unsubscribe may remove it.
      result = base::make_error(base::ErrorCode::kAccessDenied,
                                "This subscription requires an authenticated (signed) Unsubscribe call");
    } else {
      auto done = co_await http::offload(blocking_, [&] { return store_.unsubscribe(arn); });
      if (!done) result = done.error();
    }
  }
  if (!result) co_return aws::error_response(aws::Protocol::kQuery, error_of(result.error()), request_id, ns);
  co_return aws::query_response(action, ns, *result, request_id);
}

std::string Service::topic_arn(const std::string& name) const {
  return "arn:aws:sns:" + options_.region + ":" + std::string(base::kAccountId) + ":" + name;
}

std::string Service::unsubscribe_url(const std::string& subscription_arn) const {
  // ARNs of topics and subscriptions are URL-safe ([A-Za-z0-9_.:-]): written as they are, as AWS writes them.
  return options_.public_url + "/?Action=Unsubscribe&SubscriptionArn=" + subscription_arn;
}

std::string Service::subscribe_url(const std::string& topic_arn, const std::string& token) const {
  return options_.public_url + "/?Action=ConfirmSubscription&TopicArn=" + topic_arn + "&Token=" + token;
}

std::string Service::signing_cert_url() const {
  return options_.public_url + std::string(kCertPrefix) + signer_.certificate_name();
}

void Service::sign(topics::Notification& n, const topics::Topic* topic) const {
  auto it = topic ? topic->attributes.find("SignatureVersion") : std::map<std::string, std::string>::const_iterator();
  bool v2 = topic && it != topic->attributes.end() && it->second == "2";
  n.signature_version = v2 ? "2" : "1";
  n.signing_cert_url = signing_cert_url();
  n.signature = signer_.sign(topics::canonical_string(n), v2 ? 2 : 1);
}

Service::Service(topics::Store& store, topics::Deliveries& deliveries, const topics::Signer& signer,
                 boost::asio::thread_pool& blocking, Options options)
    : store_(store), deliveries_(deliveries), signer_(signer), blocking_(blocking), options_(std::move(options)) {
  for (auto& r : store_.dedup_records(options_.clock->now_ms()))
    dedup_[{r.topic_arn, r.dedup_id}] = {r.message_id, r.sequence_number, r.expires_ms};
}

std::string Service::next_sequence_number() {
  std::lock_guard l(sequence_mu_);
  // Increasing across restarts: it starts from the clock, in microseconds.
  uint64_t floor = static_cast<uint64_t>(options_.clock->now_ms()) * 1000;
  sequence_ = std::max(sequence_ + 1, floor);
  std::string s = std::to_string(sequence_);
  // 20 digits from 1 on, as AWS's look (10000000000000000001).
  return "1" + std::string(19 - std::min<size_t>(19, s.size()), '0') + s;
}

base::Status Service::send_confirmation(const topics::Subscription& s) {
  topics::Notification n;
  n.type = "SubscriptionConfirmation";
  n.message_id = base::uuid4();
  n.topic_arn = s.topic_arn;
  n.token = s.token;
  n.message = "You have chosen to subscribe to the topic " + s.topic_arn +
              ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
  n.subscribe_url = subscribe_url(s.topic_arn, s.token);
  n.timestamp = base::iso8601(options_.clock->now_ms());
  auto topic = store_.topic(s.topic_arn);
  sign(n, topic ? &*topic : nullptr);
  topics::Delivery d;
  d.id = "confirm/" + n.message_id;
  d.subscription_arn = s.arn;
  d.type = n.type;
  d.message_id = n.message_id;
  d.body = topics::envelope_json(n);
  return deliveries_.enqueue({std::move(d)}, false);
}

base::Result<std::string> Service::confirm(const std::string& topic_arn, const std::string& token) {
  if (!store_.topic(topic_arn)) return topic_not_found();
  auto s = store_.by_token(topic_arn, token);
  if (!s) return invalid_parameter("Token");
  if (auto c = store_.confirm(s->arn); !c) return c.error();
  spdlog::info("sns: subscription {} confirmed", s->arn);
  aws::XmlWriter x;
  x.element("SubscriptionArn", s->arn);
  return x.str();
}

}  // namespace nimbus::sns
