#include "queue/consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace nimbus::queue {

namespace {

// Shared with the `done` callbacks handed to handlers, which may be called
// after the consumer is gone: they then find it closed and drop the result.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<Message, Settle>> finished;
  bool poked = false;
  bool closed = false;
};

// After a receive that found nothing though the store said a message was due:
// a short pause rather than a spin, whatever the cause.
constexpr int64_t kIdleGuardMs = 100;

}  // namespace

struct Consumer::Impl {
  Store& store;
  Handler& handler;
  ConsumerOptions options;
  std::shared_ptr<Inbox> inbox = std::make_shared<Inbox>();

  mutable std::mutex load_mu;  // guards by_key and total (read by stats from other threads)
  std::map<std::string, int> by_key;
  int total = 0;

  struct PendingWrite {
    Message message;
    Settlement settlement;
    int tries = 0;
    int64_t next_ms = 0;
  };
  std::vector<PendingWrite> unwritten;  // settlements whose write failed, to try again
  int64_t receive_pause_until = 0;
  int receive_failures = 0;
  int subscription = 0;
  std::thread thread;

  Impl(Store& store, Handler& handler, ConsumerOptions options)
      : store(store), handler(handler), options(std::move(options)) {}

  int64_t backoff(int tries) const {
    if (options.write_retry_ms.empty()) return 1000;
    return options.write_retry_ms[std::min(static_cast<size_t>(tries), options.write_retry_ms.size() - 1)];
  }

  void free_slot(const std::string& key) {
    std::lock_guard lock(load_mu);
    if (auto it = by_key.find(key); it != by_key.end() && --it->second <= 0) by_key.erase(it);
    --total;
  }

  void apply(Message m, Settlement s, int tries) {
    base::Status written;
    switch (s.kind) {
      case Settlement::Kind::kAck: written = store.ack(options.queue, m.id, m.lease); break;
      case Settlement::Kind::kRelease: written = store.release(options.queue, m.id, m.lease, s.release); break;
      case Settlement::Kind::kDeadLetter:
        written = store.dead_letter(options.queue, m.id, m.lease, s.condition, s.error);
        break;
    }
    if (written) {
      if (s.after) {
        try {
          s.after();
        } catch (const std::exception& e) {
          spdlog::error("queue {}: the follow-up of message {} failed: {}", options.queue, m.id, e.what());
        }
      }
      return;
    }
    if (written.error().code == base::ErrorCode::kNotFound) {
      // Its lease ran out and someone else has it now, or it is gone: not ours to settle.
      spdlog::warn("queue {}: message {} was not settled here: {}", options.queue, m.id, written.error().message);
      return;
    }
    int64_t wait = backoff(tries);
    spdlog::error("queue {}: cannot settle message {} ({}); it keeps its lease, trying again in {} ms", options.queue,
                  m.id, written.error().message, wait);
    unwritten.push_back({std::move(m), std::move(s), tries + 1, store.clock().now_ms() + wait});
  }

  int64_t run_once() {
    std::deque<std::pair<Message, Settle>> finished;
    {
      std::lock_guard lock(inbox->mu);
      finished.swap(inbox->finished);
    }
    for (auto& [m, settle] : finished) {
      free_slot(m.key);
      Settlement s;
      try {
        s = settle(m);
      } catch (const std::exception& e) {
        spdlog::error("queue {}: deciding the fate of message {} failed: {}; released for later", options.queue,
                      m.id, e.what());
        s.kind = Settlement::Kind::kRelease;
        s.release.delay_ms = backoff(0);
      }
      apply(std::move(m), std::move(s), 0);
    }

    int64_t now = store.clock().now_ms();
    std::vector<PendingWrite> due;
    for (auto it = unwritten.begin(); it != unwritten.end();) {
      if (it->next_ms <= now) {
        due.push_back(std::move(*it));
        it = unwritten.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& w : due) apply(std::move(w.message), std::move(w.settlement), w.tries);

    int asked = 0, got = 0;
    std::vector<std::string> full;
    if (receive_pause_until <= now) {
      ReceiveOptions ro;
      {
        std::lock_guard lock(load_mu);
        asked = std::min(options.batch, options.max_in_flight - total);
        ro.in_flight_by_key = by_key;
      }
      if (asked > 0) {
        ro.max = asked;
        ro.visibility_ms = options.visibility_ms;
        ro.per_key_limit = options.per_key_limit;
        auto received = store.receive(options.queue, ro);
        if (!received) {
          int64_t wait = backoff(receive_failures++);
          spdlog::error("queue {}: cannot receive ({}); trying again in {} ms", options.queue,
                        received.error().message, wait);
          receive_pause_until = now + wait;
        } else {
          receive_failures = 0;
          got = static_cast<int>(received->size());
          for (auto& m : *received) {
            {
              std::lock_guard lock(load_mu);
              ++by_key[m.key];
              ++total;
            }
            Message copy = m;
            handler.start(m, [inbox = inbox, m = std::move(copy)](Settle settle) mutable {
              std::lock_guard lock(inbox->mu);
              if (inbox->closed) return;
              inbox->finished.emplace_back(std::move(m), std::move(settle));
              inbox->cv.notify_one();
            });
          }
        }
      }
    }

    // When to wake without being told: the first due write retry, the end of
    // a receive pause, or the next message to become receivable (when there is room for it).
    int64_t wake = 0;
    auto consider = [&](int64_t t) {
      if (t > 0 && (wake == 0 || t < wake)) wake = t;
    };
    for (const auto& w : unwritten) consider(w.next_ms);
    if (receive_pause_until > now) {
      consider(receive_pause_until);
    } else {
      bool room;
      {
        std::lock_guard lock(load_mu);
        room = total < options.max_in_flight;
        if (options.per_key_limit > 0)
          for (const auto& [k, n] : by_key)
            if (n >= options.per_key_limit) full.push_back(k);
      }
      if (room) {
        auto next = store.next_visible_ms(options.queue, full);
        if (!next)
          consider(now + backoff(0));
        else if (*next > 0)
          consider(*next <= now && got == 0 && asked > 0 ? now + kIdleGuardMs : *next);
      }
    }
    return wake;
  }

  void loop() {
    for (;;) {
      int64_t wake = run_once();
      std::unique_lock lock(inbox->mu);
      auto ready = [&] { return inbox->closed || inbox->poked || !inbox->finished.empty(); };
      if (wake == 0) {
        inbox->cv.wait(lock, ready);
      } else {
        int64_t wait = wake - store.clock().now_ms();
        if (wait > 0) inbox->cv.wait_for(lock, std::chrono::milliseconds(wait), ready);
      }
      if (inbox->closed) return;
      inbox->poked = false;
    }
  }
};

Consumer::Consumer(Store& store, Handler& handler, ConsumerOptions options)
    : impl_(std::make_shared<Impl>(store, handler, std::move(options))) {}

Consumer::~Consumer() { stop(); }

base::Status Consumer::start() {
  if (impl_->options.max_in_flight <= 0)
    return base::make_error(base::ErrorCode::kInvalidArgument, "a consumer needs max_in_flight of 1 or more");
  if (auto c = impl_->store.config(impl_->options.queue); !c) return c.error();
  if (impl_->options.recover_leases) {
    auto n = impl_->store.recover_leases(impl_->options.queue);
    if (!n) return n.error();
    if (*n) spdlog::info("queue {}: {} message(s) in flight when nimbus last stopped are due again", impl_->options.queue, *n);
  }
  impl_->subscription = impl_->store.subscribe(impl_->options.queue, [inbox = impl_->inbox] {
    std::lock_guard lock(inbox->mu);
    inbox->poked = true;
    inbox->cv.notify_one();
  });
  impl_->thread = std::thread([impl = impl_] { impl->loop(); });
  return {};
}

void Consumer::stop() {
  {
    std::lock_guard lock(impl_->inbox->mu);
    if (impl_->inbox->closed) return;
    impl_->inbox->closed = true;
    impl_->inbox->cv.notify_all();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->subscription) impl_->store.unsubscribe(impl_->subscription);
}

int64_t Consumer::run_once() { return impl_->run_once(); }

void Consumer::poke() {
  std::lock_guard lock(impl_->inbox->mu);
  impl_->inbox->poked = true;
  impl_->inbox->cv.notify_one();
}

int Consumer::in_flight() const {
  std::lock_guard lock(impl_->load_mu);
  return impl_->total;
}

std::map<std::string, int> Consumer::in_flight_by_key() const {
  std::lock_guard lock(impl_->load_mu);
  return impl_->by_key;
}

}  // namespace nimbus::queue
