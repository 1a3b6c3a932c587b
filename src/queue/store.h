// queue::Store: nimbus's one durable queue. Named queues of messages in
// SQLite (DATA_DIR/queue.db, WAL, synchronous=FULL: a send is on disk when it
// returns). Send is idempotent by id and may be delayed; receive hands out a
// lease (a visibility deadline and a receipt) and counts receives; ack
// deletes, release makes a message receivable again (after a delay), and
// dead_letter / a queue's redrive policy move it to a dead-letter queue, from
// where redrive brings it back. Listeners are told of every change that may
// make a message receivable, and next_visible_ms says when the next one
// will be: consumers wait on these instead of polling.
// All times come from the Clock given to open (a FakeClock in tests).
// Sends, receives, acks, removals and visibility changes are group-committed
// (base/group_commit.h): concurrent calls from many threads share one
// transaction and one fsync (whoever arrives while no commit runs writes
// everyone's), so many small durable writes cost one disk flush each group,
// not each message.
//
// THREADING RULE: every method may be called from any thread; each takes the
// store's connection mutex for its SQL only (a write fsyncs: call them from
// the blocking pool or a consumer's thread, never an io thread). Listeners
// run after the write, outside the mutex, on the caller's thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "queue/message.h"

namespace nimbus::queue {

struct ReceiveOptions {
  int max = 10;                  // messages at most
  int64_t visibility_ms = 30'000;  // lease length: the message is redelivered if not settled by then
  // Per-key cap: at most per_key_limit messages of one key in flight, counting
  // in_flight_by_key (the caller's own count) and this batch. 0: no cap.
  int per_key_limit = 0;
  std::map<std::string, int> in_flight_by_key;
};

struct ReleaseOptions {
  int64_t delay_ms = 0;
  // The receive does not count (a throttled attempt, or nimbus stopping):
  // receive_count goes back down by one.
  bool refund_receive = false;
  std::string error;  // kept as last_error; empty leaves it as it was
};

class Store {
 public:
  static base::Result<std::unique_ptr<Store>> open(const std::string& path,
                                                   const base::Clock& clock = base::system_clock());
  ~Store();
  const base::Clock& clock() const;

  // Creates the queue or replaces its configuration. A dead-letter queue must
  // exist first and may not be the queue itself.
  base::Status ensure_queue(const std::string& name, QueueConfig config = {});
  base::Result<QueueConfig> config(const std::string& name);
  // Every queue whose name starts with prefix, by name.
  std::vector<QueueInfo> queues(const std::string& prefix = "");
  // Deletes the queue, its messages and its dedup records. kConflict while
  // another queue names it as its dead-letter queue.
  base::Status delete_queue(const std::string& name);
  // Deletes every live message of the queue (in flight too); how many.
  base::Result<int> purge(const std::string& queue);

  // Durable on return. True when queued, false when a message with this id
  // already was (idempotent). kNotFound for an unknown queue.
  base::Result<bool> send(const std::string& queue, OutgoingMessage m);
  // Many in one transaction (one fsync); how many were new.
  base::Result<int> send_batch(const std::string& queue, std::vector<OutgoingMessage> batch);
  // Many, all or none, group-committed with other threads' sends; what became
  // of each, in order (ids, sequence numbers, duplicates).
  base::Result<std::vector<SendOutcome>> send_many(const std::string& queue, std::vector<OutgoingMessage> batch);

  // Inserts messages as they are (queue, key, times, receive count, last
  // error; dead letters with their source queue), unleased: the one-time
  // migration of an older store. Idempotent by id; how many were new.
  base::Result<int> restore(const std::vector<Message>& messages);

  // Leases up to options.max receivable messages, oldest due first. Messages
  // over the queue's max_receives move to its dead-letter queue instead.
  base::Result<std::vector<Message>> receive(const std::string& queue, const ReceiveOptions& options);
  // Settle a received message; kNotFound when the lease is no longer its
  // (it expired and the message was received again, or it was settled).
  base::Status ack(const std::string& queue, const std::string& id, const std::string& lease);
  base::Status release(const std::string& queue, const std::string& id, const std::string& lease,
                       const ReleaseOptions& options);
  // The lease's message is receivable again after visibility_ms (0: now),
  // keeping its lease; kNotFound when the lease is no longer its.
  base::Status change_visibility(const std::string& queue, const std::string& id, const std::string& lease,
                                 int64_t visibility_ms);
  // Deletes a live message whatever its lease (SQS deletes by a stale receipt
  // handle too). False when there was none. Listeners of a fifo queue are
  // told (the message's key may give its next one now).
  base::Result<bool> remove(const std::string& queue, const std::string& id);
  // Moves up to max messages not in flight, oldest first, from `from` to
  // `to` (empty: each to its origin_queue; those without one stay), with a
  // fresh receive count. Returns how many moved.
  base::Result<int> move(const std::string& from, const std::string& to, int max);
  // Moves it to the queue's dead-letter queue; kInvalidArgument when the queue has none.
  base::Status dead_letter(const std::string& queue, const std::string& id, const std::string& lease,
                           const std::string& condition, const std::string& error);
  // Every leased message of the queue becomes receivable now, its receive
  // refunded: a consumer in this process calls it once at start, since the
  // leases of the process before it died with it. Returns how many.
  base::Result<int> recover_leases(const std::string& queue);
  // Moves every message of a dead-letter queue back to the queue it came from
  // (only those from `source`, when given), with a fresh receive count and
  // age. Returns how many.
  base::Result<int> redrive(const std::string& dead_letter_queue, const std::string& source = "");

  // The messages of a queue, oldest first (at most limit; 0: all).
  base::Result<std::vector<Message>> list(const std::string& queue, int limit = 0);
  // The earliest visible_at_ms among the queue's messages whose key is not in
  // exclude (0: the queue is empty). May be in the past: then a message is
  // receivable now.
  base::Result<int64_t> next_visible_ms(const std::string& queue, const std::vector<std::string>& exclude_keys = {});
  // One message, whatever its state (kNotFound when gone).
  base::Result<Message> get(const std::string& queue, const std::string& id);
  // The earliest visible_at_ms later than after_ms among the queue's live
  // messages (0: none): when a long poll that found nothing at after_ms
  // should look again (a delay or lease ends).
  base::Result<int64_t> next_visible_after(const std::string& queue, int64_t after_ms);
  // Totals of one queue, and per key.
  base::Result<Stats> stats(const std::string& queue);
  base::Result<std::vector<Stats>> stats_by_key(const std::string& queue);

  // Called after every send, release, recover and redrive into the queue.
  // Returns an id for unsubscribe.
  int subscribe(const std::string& queue, std::function<void()> listener);
  void unsubscribe(int id);

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::queue
