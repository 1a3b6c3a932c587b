// queue::Consumer: takes messages from one queue of a Store and hands them to
// a Handler, at most max_in_flight at once and at most per_key_limit of one
// key (a function, for async invocations). It settles each message as the
// handler decides (ack, release with a delay, dead letter) and runs the
// settlement's follow-up (a dead letter's destination write) after it is
// durable, outside every lock. A settlement that cannot be written is tried
// again with backoff while the message keeps its lease: never due at once,
// never a hot loop. It wakes on the store's listeners (a send, a release) and
// at the earliest due time of a waiting message, never by polling.
//
// THREADING RULE: the consumer's executor is its own thread (start()): every
// receive, settlement write, Handler::start call and follow-up runs there.
// Handlers must not block in start(); they call `done` from any thread.
// Without start(), a test drives the same loop by calling run_once().
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "queue/store.h"

namespace nimbus::queue {

// What becomes of a message once its handler is done with it.
struct Settlement {
  enum class Kind { kAck, kRelease, kDeadLetter };
  Kind kind = Kind::kAck;
  ReleaseOptions release;   // kRelease
  std::string condition;    // kDeadLetter
  std::string error;        // kDeadLetter: kept as the dead letter's last error
  std::function<void()> after;  // run on the consumer's thread once the settlement is durable
};

// Decides the settlement on the consumer's thread (where it may read
// configuration that takes locks), from what the handler captured.
using Settle = std::function<Settlement(const Message&)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Starts work on a message. Must not block; calls done exactly once, from any thread.
  virtual void start(const Message& m, std::function<void(Settle)> done) = 0;
};

struct ConsumerOptions {
  std::string queue;
  int max_in_flight = 32;
  int per_key_limit = 0;  // messages of one key in flight at most; 0: no cap
  int batch = 16;         // messages per receive at most
  // A message's lease: it is received again if not settled by then. Longer
  // than the slowest handler (a function's 900 s timeout, for invocations).
  int64_t visibility_ms = 30 * 60 * 1000;
  // At start, leases left by an earlier process (which died with its work)
  // are recovered: those messages are receivable at once, their receive refunded.
  bool recover_leases = true;
  // Waits between tries of a settlement that could not be written; the last repeats.
  std::vector<int64_t> write_retry_ms{1000, 2000, 5000, 10000, 30000};
};

class Consumer {
 public:
  Consumer(Store& store, Handler& handler, ConsumerOptions options);
  ~Consumer();  // stop()
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Recovers leases (when asked), subscribes to the store and starts the thread.
  base::Status start();
  // Stops the thread; work still running is not waited for: its messages keep
  // their leases (recovered at the next start) and late `done` calls are dropped.
  void stop();

  // One turn of the loop, on the caller's thread (tests, or before start()):
  // settles finished work, retries settlement writes that are due, receives
  // and starts what is due. Returns when the next timed wake is due on the
  // store's clock (0: nothing timed; wake on a send or a finished handler).
  int64_t run_once();
  // Asks the loop to take another turn (after a FakeClock moved, say).
  void poke();

  int in_flight() const;
  std::map<std::string, int> in_flight_by_key() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace nimbus::queue
