// Bucket notifications: per-bucket rules (event patterns, prefix/suffix
// filters, a destination: a function, an SQS queue, an SNS topic, or the
// default EventBridge bus, which takes every event), and the outbox that makes delivery
// lossless. As storage's CommitHook it writes one outbox row per matching
// rule inside the object's own transaction (meta.db), so no acknowledged
// change can lose its event on a crash; a relay thread then hands the rows
// to a Sink (server/targets.h: an asynchronous invocation, an SQS message,
// an SNS publication, or the event routed on the bus) and deletes them. The relay wakes on committed() (and once at start, for
// rows left by the process before), never on a timer, except to back off
// after a failure to hand over or delete rows.
//
// THREADING RULE: on_commit runs on the thread writing the object, inside
// its meta.db transaction, and takes only the rules lock. set() writes
// SQLite: call it from the blocking pool. The Sink is called on the relay's
// own thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/commit_hook.h"

namespace nimbus::events {

// Where a rule's events go, as S3's configuration names it (kEventBus: its
// EventBridgeConfiguration; the ARN of any bus is of this kind, but S3 only
// ever names the default one).
enum class DestinationKind { kFunction, kQueue, kTopic, kEventBus };

struct Rule {
  std::string id;
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], arn:aws:sqs:REGION:ACCOUNT:QUEUE,
  // arn:aws:sns:REGION:ACCOUNT:TOPIC or arn:aws:events:REGION:ACCOUNT:event-bus/default
  std::string destination_arn;
  std::vector<std::string> events;  // "s3:ObjectCreated:*", "s3:ObjectRemoved:Delete", ...; none for the bus
  std::string prefix;
  std::string suffix;
};

// The kind of a destination ARN; nullopt for an ARN of any other service.
std::optional<DestinationKind> destination_kind(const std::string& arn);

// S3's EventBridge destination: the region's default bus, with no id, events
// or filters of its own. S3 sends it every event of the bucket, and the bus's
// rules do the filtering.
Rule event_bus_rule(const std::string& region);

// "ObjectCreated:Put" for a put, and so on: S3's event names without "s3:".
std::string event_name(storage::EventKind kind);
std::string event_name(const storage::ObjectEvent& ev);  // also LifecycleExpiration:Delete
bool is_known_event(const std::string& pattern);
// Whether a change (its event name and key) goes to the rule's destination;
// always for the EventBridge rule.
bool rule_matches(const Rule& rule, const std::string& name, const std::string& key);
// A key as S3 writes it in its events: form-encoded, "red flower.jpg" becomes "red+flower.jpg".
std::string event_key(const std::string& key);
// The S3 event notification JSON (Records[...]) for one rule and change.
std::string s3_event_json(const storage::ObjectEvent& ev, const Rule& rule, const std::string& region);
// What S3 sends a queue or topic when a configuration names it: {"Service":"Amazon S3","Event":"s3:TestEvent",...}.
std::string s3_test_event_json(const std::string& bucket, int64_t time_ms, const std::string& request_id);

// Where outbox rows go: delivery must be durable when it returns, and
// idempotent by id (a row may be handed over twice after a crash). A refusal
// no retry changes (NotFound, InvalidArgument, TooLarge: a destination
// deleted since its rule was set) drops the row with a warning; any other
// error keeps it, and the relay backs off and tries again.
class Sink {
 public:
  virtual ~Sink() = default;
  // depth: the chain depth of the invocation this event will cause; trace:
  // the X-Amzn-Trace-Id it continues (empty: none). payload is what the
  // destination receives: S3's event JSON, or for a bus the EventBridge
  // event (events/bus_event.h).
  virtual base::Status deliver(const std::string& id, const std::string& destination_arn, const std::string& payload,
                               int depth, const std::string& trace) = 0;
};

class Notifications : public storage::CommitHook {
 public:
  static base::Result<std::unique_ptr<Notifications>> open(const std::string& data_dir, std::string region);
  ~Notifications() override;

  base::Status set(const std::string& bucket, std::vector<Rule> rules);
  std::vector<Rule> get(const std::string& bucket);
  base::Status on_commit(storage::Connection& tx, const storage::ObjectEvent& event) override;
  void committed() override;

  // Who made a change, as a chain depth: 0 for clients, d for a function
  // instance running an invocation of depth d. Writes that would start an
  // invocation deeper than kMaxChainDepth are not delivered (a loop).
  static constexpr int kMaxChainDepth = 16;
  void set_depth_source(std::function<int(const std::string& principal)> depth_of);

  void start(Sink& sink);
  void stop();
  size_t pending();  // outbox rows not yet handed to the sink (0 when they cannot be counted)

 private:
  struct Impl;
  explicit Notifications(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::events
