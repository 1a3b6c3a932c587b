// The queue's vocabulary: what a producer sends, what a consumer receives,
// how a queue is configured and what its stats say. Plain values, no logic.
// Threading: values; copy them freely between threads.
#pragma once

#include <cstdint>
#include <string>

namespace nimbus::queue {

// What a producer hands to Store::send. The id makes the send idempotent:
// while a message with that id is in the queue (or its dead-letter queue), a
// second send of it is a no-op.
struct OutgoingMessage {
  std::string id;                  // empty: a random one is made
  std::string key;                 // what per-key caps and stats group by (a function, a message group); may be empty
  std::string payload;             // opaque bytes
  std::string attributes = "{}";   // a JSON object the consumer reads (trace ids, depth, SQS attributes later)
  int64_t delay_ms = 0;            // not receivable before now + delay
  // With a queue whose dedup_window_ms is set: a second message with this
  // id (within the key, when dedup_per_key) inside the window is not queued,
  // even when the first was already received and acked (SQS FIFO). Empty: none.
  std::string dedup_id;
};

// What became of one sent message.
struct SendOutcome {
  std::string id;        // the message's id (the first one's, for a duplicate)
  int64_t seq = 0;       // its sequence number in the store: grows with every send
  bool added = false;    // false: an id or dedup_id already queued inside its window
};

enum class MessageState {
  kVisible,   // may be received now
  kDelayed,   // sent with a delay, or released with one: receivable later
  kInFlight,  // received, its lease not yet over
  kDead,      // in a dead-letter queue
};
const char* state_name(MessageState s);  // "visible", "delayed", "in-flight", "dead"

struct Message {
  std::string queue;
  std::string id;
  std::string key;
  std::string payload;
  std::string attributes;
  int64_t sent_ms = 0;         // when first sent (or redriven): the message's age counts from here
  int64_t visible_at_ms = 0;   // not receivable before this (delay, backoff or lease deadline)
  int receive_count = 0;       // receives so far, this one included once received
  std::string lease;           // the receipt of the current receive; names it in ack/release
  std::string last_error;      // as given to release or dead_letter
  std::string dead_condition;  // why it is in a dead-letter queue ("RetriesExhausted", "MaxReceivesExceeded", ...)
  std::string source_queue;    // the queue a dead letter came from (redrive's destination)
  std::string origin_queue;    // a receivable dead letter's source queue (see QueueConfig::receivable_dead_letters)
  int64_t seq = 0;             // sequence number: order of sends
  int64_t first_received_ms = 0;  // when first received; 0: never
  int64_t leased_ms = 0;          // when the current (or last) receive leased it; 0: never
  MessageState state = MessageState::kVisible;
};

// A queue's redrive policy: after max_receives receives a message still in
// the queue moves to dead_letter_queue instead of being received again
// (0: no limit; consumers may still dead-letter explicitly when the queue
// names a dead-letter queue).
struct QueueConfig {
  std::string dead_letter_queue;
  int max_receives = 0;
  // Messages older than this (since sent_ms) are gone: never received,
  // counted or listed, and deleted at the next receive. 0: kept for ever.
  int64_t retention_ms = 0;
  // Messages of one key are received in send order, and a key with a message
  // in flight (or an earlier one delayed) gives none until it is settled (SQS FIFO).
  bool fifo = false;
  // Deduplication of OutgoingMessage::dedup_id for this long (0: none), by
  // queue or by (queue, key).
  int64_t dedup_window_ms = 0;
  bool dedup_per_key = false;
  // Set on a dead-letter queue: messages moved here are ordinary messages of
  // this queue (received and acked as any other; origin_queue says where they
  // came from), not kDead letters kept for redrive.
  bool receivable_dead_letters = false;
  // Opaque to the store: the owner's own settings (SQS attributes, tags), kept with the queue.
  std::string settings;
  bool operator==(const QueueConfig&) const = default;
};

// One queue as listed by Store::queues().
struct QueueInfo {
  std::string name;
  QueueConfig config;
};

struct Stats {
  std::string queue;
  std::string key;  // empty in a whole-queue total
  int64_t visible = 0, delayed = 0, in_flight = 0;
  int64_t dead = 0;             // in the dead-letter queue, came from this queue (and key)
  int64_t oldest_sent_ms = 0;   // of the live (not dead) messages; 0: none
};

}  // namespace nimbus::queue
