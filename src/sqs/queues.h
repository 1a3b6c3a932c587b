// sqs::Queues: SQS's semantics over queue::Store — the domain side of the
// SQS service, and the one programmatic way other modules (SNS, S3
// notifications, Lambda destinations) put a message on an SQS queue:
//
//   sqs::SendRequest m;
//   m.body = "...";                                   // required
//   m.message_attributes["k"] = {"String", "v", ""};  // optional
//   m.message_group_id = "g"; m.deduplication_id = "d";  // FIFO queues
//   auto sent = queues.send("arn:aws:sqs:us-east-1:000000000000:orders", m);
//   // sent->message_id, md5_of_body, sequence_number (FIFO), ...
//
// send() takes a queue's name, ARN or URL and applies every rule SendMessage
// does (size, characters, attribute rules, delays, FIFO group and
// deduplication) and the same MD5s. Errors are base::Errors whose reason is
// SQS's error shape name (QueueDoesNotExist, InvalidParameterValue,
// MissingParameter, InvalidAttributeName, ...): sqs/errors.cc renders them.
//
// Queues live in queue::Store under "sqs/NAME" with their attributes and tags
// as the queue's settings (queue_settings.h). Every SQS queue takes
// dead-lettered messages as ordinary messages (a DLQ is a queue like any other).
//
// THREADING RULE: every method may be called from any thread, but all of
// them but name_of/subscribe/unsubscribe read or write queue.db: call them
// from the blocking pool (http::offload) or a thread of the caller's own,
// never an io thread. send()s from many threads share fsyncs (group commit).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "queue/store.h"
#include "sqs/message_attributes.h"
#include "sqs/queue_settings.h"

namespace nimbus::sqs {

struct SendRequest {
  std::string body;
  Attributes message_attributes;
  Attributes system_attributes;          // AWSTraceHeader only
  std::optional<int64_t> delay_seconds;  // standard queues; the queue's DelaySeconds when absent
  std::string message_group_id;          // FIFO: required
  std::string deduplication_id;          // FIFO: required unless ContentBasedDeduplication
  std::string sender_id;                 // the SenderId attribute; empty: the account id
};

struct SendResult {
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_message_attributes;         // "" without attributes
  std::string md5_of_message_system_attributes;  // "" without system attributes
  std::string sequence_number;                   // FIFO queues: 20 digits
};

struct ReceiveRequest {
  int64_t max = 1;                                   // 1-10
  std::optional<int64_t> visibility_timeout;         // seconds; the queue's when absent
  std::vector<std::string> attribute_names;          // system attributes: All, SentTimestamp, ...
  std::vector<std::string> message_attribute_names;  // All, .*, "prefix.*", names
};

struct ReceivedMessage {
  std::string message_id, receipt_handle, body, md5_of_body, md5_of_message_attributes;
  StringMap attributes;           // the system attributes asked for
  Attributes message_attributes;  // the message attributes asked for
};

class Queues {
 public:
  Queues(queue::Store& store, std::string region);

  const std::string& region() const { return region_; }
  // The name of a queue given by name, ARN or URL; QueueDoesNotExist-shaped
  // error (InvalidAddress for a URL of another form) when it names none.
  base::Result<std::string> name_of(const std::string& name_arn_or_url) const;

  // True when created, false when it existed with these attributes;
  // QueueNameExists when it exists with others.
  base::Result<bool> create_queue(const std::string& name, const StringMap& attributes, const StringMap& tags);
  base::Status delete_queue(const std::string& name);
  std::vector<std::string> list_queues(const std::string& prefix);
  // names: "All" or attribute names; InvalidAttributeName for an unknown one.
  base::Result<StringMap> get_attributes(const std::string& name, const std::vector<std::string>& names);
  // Its settable attributes and tags as kept.
  base::Result<QueueSettings> settings(const std::string& name);
  base::Status set_attributes(const std::string& name, const StringMap& attributes);
  base::Result<StringMap> tags(const std::string& name);
  base::Status tag(const std::string& name, const StringMap& tags);
  base::Status untag(const std::string& name, const std::vector<std::string>& keys);
  // The queues whose RedrivePolicy names this one, by name.
  base::Result<std::vector<std::string>> dead_letter_sources(const std::string& name);

  // queue: a name, ARN or URL.
  base::Result<SendResult> send(const std::string& queue, const SendRequest& request);
  // Each entry's result (its own validation error, or sent); all valid
  // entries in one group commit. BatchRequestTooLong over the size limit.
  base::Result<std::vector<base::Result<SendResult>>> send_batch(const std::string& queue,
                                                                 const std::vector<SendRequest>& requests);

  // What is receivable now (no waiting: long polls wait in the protocol
  // layer on subscribe() and next_change_ms()).
  base::Result<std::vector<ReceivedMessage>> receive(const std::string& name, const ReceiveRequest& request);
  // When something in the queue becomes receivable without a write (a delay
  // or a lease ends) after `after_ms` on the store's clock; 0: nothing timed.
  base::Result<int64_t> next_change_ms(const std::string& name, int64_t after_ms);
  int subscribe(const std::string& name, std::function<void()> listener);
  void unsubscribe(int id);
  const base::Clock& clock() const { return store_.clock(); }

  // Standard queues delete by a stale receipt handle too; FIFO queues only by
  // the current one (a stale one succeeds and deletes nothing). Deleting a
  // message already gone succeeds. ReceiptHandleIsInvalid for a handle that
  // is not one of this queue's.
  base::Status delete_message(const std::string& name, const std::string& receipt_handle);
  // InvalidParameterValue for a stale or deleted message's handle,
  // MessageNotInflight when its visibility already ended.
  base::Status change_visibility(const std::string& name, const std::string& receipt_handle, int64_t seconds);
  base::Status purge(const std::string& name);

  // For `nimbus queues`: counts, and messages without receiving them.
  base::Result<queue::Stats> stats(const std::string& name);
  base::Result<std::vector<queue::Message>> peek(const std::string& name, int limit);
  // Moves up to max messages of a dead-letter queue back to the queue each
  // came from (or to `destination` when given); how many.
  base::Result<int> move_messages(const std::string& from, const std::string& destination, int max);
  queue::Store& store() { return store_; }

 private:
  struct Loaded {
    queue::QueueConfig config;
    QueueSettings settings;
  };
  base::Result<Loaded> load(const std::string& name);
  base::Result<queue::QueueConfig> config_of(const std::string& name, const QueueSettings& settings);
  base::Result<queue::OutgoingMessage> prepare(const Loaded& q, const SendRequest& r, SendResult& result,
                                               int64_t now_ms);

  queue::Store& store_;
  std::string region_;
  // Held across a queue's read-change-write of its settings (create, set
  // attributes, tags, delete), so concurrent calls on the blocking pool never
  // lose an update or bring a deleted queue back.
  std::mutex settings_mu_;
};

}  // namespace nimbus::sqs
