// topics::Store: SNS topics and subscriptions, durable in DATA_DIR/sns.db
// (WAL, synchronous=FULL) and held in memory for reads. A write goes to
// SQLite first and changes the in-memory copy only once it is committed, so
// a reader never sees what a crash could take back.
//
// THREADING RULE: every method may be called from any thread. Reads (topic,
// topics, subscription, subscriptions_of, ...) take the state mutex only to
// copy: call them from io threads freely. Writes fsync: call them from the
// blocking pool (http::offload) or a thread of their own; they serialise on
// a write mutex.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "topics/types.h"

namespace nimbus::topics {

class Store {
 public:
  static base::Result<std::unique_ptr<Store>> open(const std::string& path);
  ~Store();

  // Creates the topic, or returns the existing one unchanged (the caller
  // checks that its attributes agree). True in .second when created.
  base::Result<std::pair<Topic, bool>> create_topic(Topic t);
  // Deletes the topic and its subscriptions; ok when it does not exist.
  base::Status delete_topic(const std::string& arn);
  // Replaces one attribute ("" removes it), or the tags.
  base::Status set_topic_attribute(const std::string& arn, const std::string& name, const std::string& value);
  base::Status set_tags(const std::string& arn, std::map<std::string, std::string> tags);

  // A new subscription; an identical one (topic, protocol, endpoint) is
  // returned instead when it exists (.second false).
  base::Result<std::pair<Subscription, bool>> subscribe(Subscription s);
  base::Status confirm(const std::string& subscription_arn);
  // kNotFound when it does not exist.
  base::Status unsubscribe(const std::string& subscription_arn);
  base::Status set_subscription_attribute(const std::string& arn, const std::string& name, const std::string& value);

  std::optional<Topic> topic(const std::string& arn) const;
  std::vector<Topic> topics() const;  // by ARN
  std::optional<Subscription> subscription(const std::string& arn) const;
  std::vector<Subscription> subscriptions() const;                                 // by ARN
  std::vector<Subscription> subscriptions_of(const std::string& topic_arn) const;  // by ARN
  // The pending subscription of a topic with this confirmation token.
  std::optional<Subscription> by_token(const std::string& topic_arn, const std::string& token) const;

  // FIFO topics' deduplication records: (topic, deduplication id) -> the
  // first message's id and sequence number, until expires_ms, so that a
  // restart inside the window still deduplicates. remember_dedup writes them
  // in one transaction and drops the expired ones (blocking: fsync);
  // dedup_records reads those not expired (at start).
  struct DedupRecord {
    std::string topic_arn, dedup_id, message_id, sequence_number;
    int64_t expires_ms = 0;
  };
  base::Status remember_dedup(const std::vector<DedupRecord>& records, int64_t now_ms);
  std::vector<DedupRecord> dedup_records(int64_t now_ms) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::topics
