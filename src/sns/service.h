// SNS (query protocol, signing name sns, 2010-03-31) on aws/: topics
// (standard and FIFO), subscriptions (lambda, sqs, http; others refused),
// Publish and PublishBatch with filter policies, attributes and tags. One
// file per family of operations: topic_ops.cc, subscription_ops.cc,
// publish_ops.cc, tag_ops.cc; errors.cc is the one error table; render.cc
// what they share. service.cc also serves what SNS's messages point at,
// unsigned (links_descriptor): the SubscribeURL
// (GET /?Action=ConfirmSubscription&TopicArn=..&Token=..), the UnsubscribeURL
// and the SigningCertURL (/_nimbus/sns/<name>.pem).
// Topics and subscriptions live in topics::Store (sns.db); deliveries in
// the durable queue through topics::Deliveries.
//
// THREADING RULE: handlers run on io threads and never block: reads come
// from the store's memory; writes, publishing (signing, the queue's fsync)
// go to the blocking pool with http::offload.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <mutex>
#include <string>

#include "aws/service.h"
#include "base/clock.h"
#include "base/result.h"
#include "topics/delivery.h"
#include "topics/messages.h"
#include "topics/signer.h"
#include "topics/store.h"

namespace nimbus::sns {

// SNS's wire errors, from domain errors: the one table.
aws::ServiceError error_of(const base::Error& e);

struct Options {
  std::string region = "us-east-1";
  // Where clients reach nimbus ("http://127.0.0.1:4566"): the base of the
  // SubscribeURL, UnsubscribeURL and SigningCertURL in messages.
  std::string public_url;
  // The SQS service, when connected: sqs subscriptions and RedrivePolicy
  // dead-letter queues are refused without it (nothing accepted and dropped).
  topics::QueueSink* queues = nullptr;
  const base::Clock* clock = &base::system_clock();
};

class Service {
 public:
  // Reads the FIFO deduplication records still in their window (sns.db).
  Service(topics::Store& store, topics::Deliveries& deliveries, const topics::Signer& signer,
          boost::asio::thread_pool& blocking, Options options);

  aws::ServiceDescriptor descriptor();
  // The unsigned links of messages (SubscribeURL, UnsubscribeURL, SigningCertURL): registered before the admin API.
  aws::ServiceDescriptor links_descriptor();
  boost::asio::awaitable<http::Response> handle(aws::Call& call);

  using Op = boost::asio::awaitable<base::Result<std::string>> (Service::*)(aws::Call&);

  // The operations, as <OpResult> contents; public for unit tests.
  boost::asio::awaitable<base::Result<std::string>> create_topic(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> delete_topic(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> list_topics(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> get_topic_attributes(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> set_topic_attributes(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> subscribe(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> confirm_subscription(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> unsubscribe(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> list_subscriptions(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> list_subscriptions_by_topic(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> get_subscription_attributes(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> set_subscription_attributes(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> publish(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> publish_batch(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> tag_resource(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> untag_resource(aws::Call& call);
  boost::asio::awaitable<base::Result<std::string>> list_tags_for_resource(aws::Call& call);

  // A publication of nimbus's own (bucket notifications, Lambda destinations
  // and dead-letter configs) to a standard topic, fanned out as Publish's: its
  // message id. NotFound for a topic that does not exist, InvalidArgument for
  // a FIFO topic (those sources publish without a group) or a message over
  // SNS's limit. Blocking (the queue's fsync): never on an io thread.
  base::Result<std::string> publish_from_nimbus(const std::string& topic_arn, const std::string& message,
                                                const std::string& subject, const topics::MessageAttributes& attributes);

 private:
  friend struct Publisher;
  boost::asio::awaitable<http::Response> handle_link(http::Request& req);
  std::string topic_arn(const std::string& name) const;
  std::string unsubscribe_url(const std::string& subscription_arn) const;
  std::string subscribe_url(const std::string& topic_arn, const std::string& token) const;
  std::string signing_cert_url() const;
  // Queues the SubscriptionConfirmation of a pending http subscription. Blocking.
  base::Status send_confirmation(const topics::Subscription& s);
  // Confirms a subscription by its token (ConfirmSubscription, the SubscribeURL). Blocking.
  base::Result<std::string> confirm(const std::string& topic_arn, const std::string& token);
  std::string next_sequence_number();
  // Signs n as its topic's SignatureVersion says (1 unless it is 2).
  void sign(topics::Notification& n, const topics::Topic* topic) const;

  topics::Store& store_;
  topics::Deliveries& deliveries_;
  const topics::Signer& signer_;
  boost::asio::thread_pool& blocking_;
  Options options_;
  // FIFO deduplication: (topic, dedup id) -> the first message's id and
  // sequence number, for 5 minutes; also kept in sns.db once the message's
  // deliveries are durable, and read back at start, so a restart inside the
  // window still deduplicates.
  struct Dedup {
    std::string message_id, sequence_number;
    int64_t expires_ms = 0;
  };
  std::mutex dedup_mu_;
  std::map<std::pair<std::string, std::string>, Dedup> dedup_;
  std::mutex sequence_mu_;
  uint64_t sequence_ = 0;
};

}  // namespace nimbus::sns
