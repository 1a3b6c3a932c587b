#include "mappings/sqs_poller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "mappings/sqs_event.h"
#include "sqs/names.h"
#include "sqs/queues.h"

namespace nimbus::mappings {

namespace {

using Batch = std::vector<sqs::ReceivedMessage>;

constexpr int kMaxThrottleRetries = 10;
constexpr int64_t kErrorBackoffMs = 1000;

// Bytes a message adds to the event: its body and attributes, and the
// record's fixed fields (ids, digests, ARN) at a generous 1 KB.
size_t record_bytes(const sqs::ReceivedMessage& m) {
  size_t n = 1024 + m.body.size() + m.receipt_handle.size();
  for (const auto& [k, v] : m.attributes) n += k.size() + v.size() + 8;
  for (const auto& [k, a] : m.message_attributes)
    n += k.size() + a.data_type.size() + a.string_value.size() + a.binary_value.size() * 4 / 3 + 80;
  return n;
}

}  // namespace

struct SqsPoller::State {
  Mapping mapping;
  Filters filters;
  sqs::Queues& queues;
  InvokeFunction invoke;
  PollerOptions options;
  std::string queue;  // the queue's name
  int concurrency;

  std::mutex mu;  // guards what follows
  std::condition_variable cv;
  bool woken = false;
  bool stopping = false;
  struct Done {
    Batch batch;
    base::Result<functions::InvokeResult> result;
    int attempts;
  };
  std::deque<Done> done;
  std::thread thread;

  // The poller thread's own.
  int in_flight = 0;
  struct Retry {
    Batch batch;
    int attempts;
    int64_t at_steady_ms;
  };
  std::vector<Retry> retries;
  Batch gathering;
  size_t gathering_bytes = 0;
  int64_t window_deadline = 0;  // steady ms; 0: no partial batch waiting

  State(Mapping m, Filters f, sqs::Queues& q, InvokeFunction i, PollerOptions o)
      : mapping(std::move(m)), filters(std::move(f)), queues(q), invoke(std::move(i)), options(std::move(o)) {
    queue = sqs::name_from_arn(mapping.event_source_arn).value_or("");
    concurrency = mapping.maximum_concurrency > 0 ? mapping.maximum_concurrency : options.default_concurrency;
  }

  void wake() {
    std::lock_guard l(mu);
    woken = true;
    cv.notify_one();
  }

  void run(const std::shared_ptr<State>& self) {
    int subscription = queues.subscribe(queue, [this] { wake(); });
    while (true) {
      std::deque<Done> finished;
      {
        std::lock_guard l(mu);
        if (stopping) break;
        woken = false;
        finished.swap(done);
      }
      for (auto& d : finished) settle(d);
      int64_t now = queues.clock().steady_ms();
      for (size_t i = 0; i < retries.size();) {
        if (retries[i].at_steady_ms <= now && in_flight < concurrency) {
          Retry r = std::move(retries[i]);
          retries.erase(retries.begin() + static_cast<long>(i));
          dispatch(self, std::move(r.batch), r.attempts);
        } else {
          ++i;
        }
      }
      int64_t wait_until = 0;  // steady ms; 0: until woken
      if (in_flight < concurrency) {
        bool full = false;
        auto filled = fill(full);
        now = queues.clock().steady_ms();
        if (!filled) {
          wait_until = now + kErrorBackoffMs;
        } else if (!gathering.empty()) {
          if (window_deadline == 0) window_deadline = now + int64_t{mapping.batching_window_s} * 1000;
          if (full || now >= window_deadline) {
            Batch batch = std::move(gathering);
            gathering.clear();
            gathering_bytes = 0;
            window_deadline = 0;
            dispatch(self, std::move(batch), 0);
            continue;  // more may be waiting
          }
          wait_until = window_deadline;
        }
        if (filled) {
          // Look again when a delay or lease ends (arrivals wake the poller themselves).
          auto next = queues.next_change_ms(queue, queues.clock().now_ms());
          if (next && *next > 0) {
            int64_t at = now + std::max<int64_t>(*next - queues.clock().now_ms(), 1);
            wait_until = wait_until == 0 ? at : std::min(wait_until, at);
          }
        }
      }
      for (const auto& r : retries) wait_until = wait_until == 0 ? r.at_steady_ms : std::min(wait_until, r.at_steady_ms);
      std::unique_lock l(mu);
      auto ready = [this] { return woken || stopping || !done.empty(); };
      if (wait_until == 0) {
        cv.wait(l, ready);
      } else {
        int64_t ms = wait_until - queues.clock().steady_ms();
        if (ms > 0) cv.wait_for(l, std::chrono::milliseconds(ms), ready);
      }
    }
    queues.unsubscribe(subscription);
    // What was taken and not handed to the function is receivable again at once.
    for (auto& r : retries) gathering.insert(gathering.end(), r.batch.begin(), r.batch.end());
    for (const auto& m : gathering) (void)queues.change_visibility(queue, m.receipt_handle, 0);
  }

  // Receives into `gathering` up to the batch size, the payload limit or the
  // queue's end; false when the queue cannot be read (deleted, say).
  bool fill(bool& full) {
    size_t want = static_cast<size_t>(mapping.batch_size);
    while (gathering.size() < want) {
      sqs::ReceiveRequest r;
      r.max = static_cast<int64_t>(std::min<size_t>(10, want - gathering.size()));
      r.attribute_names = {"All"};
      r.message_attribute_names = {"All"};
      auto got = queues.receive(queue, r);
      if (!got) {
        spdlog::warn("[event source mapping {}] cannot receive from {}: {}", mapping.uuid, mapping.event_source_arn,
                     got.error().message);
        return false;
      }
      for (auto& m : *got) {
        if (!filters.passes(m)) {
          // Lambda deletes what no filter lets through, without invoking.
          (void)queues.delete_message(queue, m.receipt_handle);
          continue;
        }
        // Received again while the batch waited (its visibility timeout is
        // shorter than the batching window): the newest receipt is the one that deletes it.
        auto again = std::find_if(gathering.begin(), gathering.end(),
                                  [&](const sqs::ReceivedMessage& g) { return g.message_id == m.message_id; });
        if (again != gathering.end()) {
          *again = std::move(m);
          continue;
        }
        size_t bytes = record_bytes(m);
        if (full || (!gathering.empty() && gathering_bytes + bytes > options.max_payload_bytes)) {
          full = true;  // over the payload limit: back in the queue for the next batch
          (void)queues.change_visibility(queue, m.receipt_handle, 0);
          continue;
        }
        gathering_bytes += bytes;
        gathering.push_back(std::move(m));
      }
      if (full || got->size() < static_cast<size_t>(r.max)) break;
    }
    full = full || gathering.size() >= want;
    return true;
  }

  void dispatch(const std::shared_ptr<State>& self, Batch batch, int attempts) {
    ++in_flight;
    functions::InvokeRequest r;
    r.function = mapping.function;
    r.qualifier = mapping.qualifier;
    r.payload = sqs_event_json(batch, mapping.event_source_arn, options.region);
    if (auto it = batch.front().attributes.find("AWSTraceHeader"); it != batch.front().attributes.end())
      r.trace_id = it->second;
    auto finished = [self, batch = std::move(batch), attempts](base::Result<functions::InvokeResult> result) mutable {
      std::lock_guard l(self->mu);
      self->done.push_back({std::move(batch), std::move(result), attempts});
      self->cv.notify_one();
    };
    invoke(std::move(r), std::move(finished));
  }

  void settle(Done& d) {
    --in_flight;
    if (!d.result) {
      if (d.result.error().code == base::ErrorCode::kThrottled && d.attempts < kMaxThrottleRetries) {
        int64_t delay = std::min<int64_t>(100 * (d.attempts + 1), 1000);
        retries.push_back({std::move(d.batch), d.attempts + 1, queues.clock().steady_ms() + delay});
        return;
      }
      spdlog::warn("[event source mapping {}] {} messages not processed: {}", mapping.uuid, d.batch.size(),
                   d.result.error().message);
      return;  // they come back after their visibility timeout
    }
    if (d.result->function_error) {
      spdlog::debug("[event source mapping {}] function error: {} messages come back after their visibility timeout",
                    mapping.uuid, d.batch.size());
      return;
    }
    std::set<std::string> failed;
    if (mapping.report_batch_item_failures) {
      std::set<std::string> ids;
      for (const auto& m : d.batch) ids.insert(m.message_id);
      auto reported = read_batch_response(d.result->payload, ids);
      if (!reported) {
        spdlog::warn("[event source mapping {}] {}: the whole batch fails", mapping.uuid, reported.error().message);
        return;
      }
      failed = std::move(*reported);
    }
    for (const auto& m : d.batch)
      if (!failed.count(m.message_id))
        if (auto s = queues.delete_message(queue, m.receipt_handle); !s)
          spdlog::warn("[event source mapping {}] cannot delete message {}: {}", mapping.uuid, m.message_id,
                       s.error().message);
  }
};

SqsPoller::SqsPoller(Mapping mapping, Filters filters, sqs::Queues& queues, InvokeFunction invoke,
                     PollerOptions options)
    : state_(std::make_shared<State>(std::move(mapping), std::move(filters), queues, std::move(invoke),
                                     std::move(options))) {
  state_->thread = std::thread([s = state_] { s->run(s); });
}

SqsPoller::~SqsPoller() { stop(); }

void SqsPoller::stop() {
  {
    std::lock_guard l(state_->mu);
    state_->stopping = true;
    state_->cv.notify_one();
  }
  if (state_->thread.joinable()) state_->thread.join();
}

const Mapping& SqsPoller::mapping() const { return state_->mapping; }

}  // namespace nimbus::mappings
