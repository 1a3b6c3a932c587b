#include "functions/async_queue.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "base/crypto.h"
#include "base/ids.h"
#include "base/sqlite.h"
#include "queue/consumer.h"
#include "queue/retry_policy.h"
#include "queue/store.h"

namespace nimbus::functions {

namespace json = boost::json;

namespace {

// Events are stored against "name" or "name:qualifier"; limits are per name.
std::string name_of(const std::string& function) { return split_target(function).name; }

// What a message carries besides its payload: the target and the tracing and
// chain context of the invocation.
struct Attributes {
  std::string function;
  std::string trace;
  int depth = 1;
};

std::string attributes_json(const Attributes& a) {
  return json::serialize(json::object{{"function", a.function}, {"trace", a.trace}, {"depth", a.depth}});
}

Attributes attributes_of(const queue::Message& m) {
  Attributes a{m.key, "", 1};
  boost::system::error_code ec;
  json::value v = json::parse(m.attributes, ec);
  if (ec || !v.is_object()) return a;
  const auto& o = v.as_object();
  if (auto* f = o.if_contains("function"); f && f->is_string()) a.function = std::string(f->as_string());
  if (auto* t = o.if_contains("trace"); t && t->is_string()) a.trace = std::string(t->as_string());
  if (auto* d = o.if_contains("depth"); d && d->is_int64()) a.depth = static_cast<int>(d->as_int64());
  return a;
}

// invocations.db, the async queue of nimbus before queue.db: its events move
// into the queue once (idempotent by id, so a crash half way only repeats
// it), then the file goes.
base::Status migrate_invocations_db(const std::string& data_dir, queue::Store& queues) {
  std::string path = data_dir + "/invocations.db";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::vector<queue::Message> moved;
  {
    auto db = base::Connection::open(path, false);
    if (!db) return db.error();
    try {
      auto has = db->prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'async_events'");
      bool table = has.step() && has.integer(0) > 0;
      has.reset();
      if (table) {
        auto cols = db->prepare("SELECT count(*) FROM pragma_table_info('async_events') WHERE name = 'depth'");
        bool with_depth = cols.step() && cols.integer(0) > 0;
        cols.reset();
        auto st = db->prepare(std::string("SELECT id, function, payload, trace_id, attempts, created_ms, next_attempt_ms, "
                                          "state, last_error, ") +
                              (with_depth ? "depth" : "1") + " FROM async_events");
        while (st.step()) {
          queue::Message m;
          m.id = st.text(0);
          std::string function = st.text(1);
          m.key = name_of(function);
          m.payload = st.blob(2);
          m.attributes = attributes_json({function, st.text(3), static_cast<int>(st.integer(9))});
          m.receive_count = static_cast<int>(st.integer(4));
          m.sent_ms = st.integer(5);
          m.visible_at_ms = st.integer(6);
          m.last_error = st.text(8);
          if (st.text(7) == "dead") {
            m.queue = AsyncQueue::kDeadLetterQueue;
            m.source_queue = AsyncQueue::kQueue;
          } else {
            m.queue = AsyncQueue::kQueue;
          }
          moved.push_back(std::move(m));
        }
      }
    } catch (const std::exception& e) {
      return base::make_error(base::ErrorCode::kIo, std::string("reading ") + path + ": " + e.what());
    }
  }
  auto added = queues.restore(moved);
  if (!added) return added.error();
  spdlog::info("functions: {} async event(s) of {} moved into the queue ({} new)", moved.size(), path, *added);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix, ec);
    if (ec) return base::make_error(base::ErrorCode::kIo, "cannot remove " + path + suffix + ": " + ec.message());
  }
  return {};
}

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-') || (!dash && !std::isxdigit(static_cast<unsigned char>(s[i])))) return false;
  }
  return true;
}

}  // namespace

EventTarget split_target(const std::string& function) {
  size_t colon = function.find(':');
  if (colon == std::string::npos) return {function, ""};
  return {function.substr(0, colon), function.substr(colon + 1)};
}

std::string request_id_of(const std::string& message_id) {
  return is_uuid(message_id) ? message_id : base::uuid_from_hex(base::sha256_hex(message_id).substr(0, 32));
}

struct AsyncQueue::Impl : queue::Handler {
  Impl(queue::Store& store, InvokeTarget target, AsyncOptions options)
      : store(store), target(std::move(target)), options(std::move(options)) {}

  std::unique_ptr<queue::Store> owned;  // when opened with a store of its own
  queue::Store& store;
  InvokeTarget target;
  AsyncOptions options;
  std::unique_ptr<queue::Consumer> consumer;  // last: stopped before the rest goes

  void start(const queue::Message& m, std::function<void(queue::Settle)> done) override {
    Attributes a = attributes_of(m);
    InvokeRequest req;
    auto to = split_target(a.function);
    req.function = std::move(to.name);
    req.qualifier = std::move(to.qualifier);
    req.payload = m.payload;
    req.trace_id = a.trace;
    req.depth = a.depth;
    req.request_id = request_id_of(m.id);
    target(std::move(req), [this, done = std::move(done)](base::Result<InvokeResult> r) {
      done([this, r = std::move(r)](const queue::Message& m) { return settle(m, r); });
    });
  }

  queue::RetryConfig retry_config(const std::optional<EventInvokeConfig>& cfg) const {
    queue::RetryConfig rc;
    for (auto d : options.retry_delays) rc.delays_ms.push_back(d.count());
    rc.max_retries = cfg && cfg->max_retry_attempts ? *cfg->max_retry_attempts
                                                    : static_cast<int>(options.retry_delays.size());
    rc.max_age_ms = cfg && cfg->max_event_age_s ? int64_t{*cfg->max_event_age_s} * 1000 : options.max_event_age.count();
    rc.throttle_delay_ms = options.throttle_delay.count();
    return rc;
  }

  // On the consumer's thread.
  queue::Settlement settle(const queue::Message& m, const base::Result<InvokeResult>& r) {
    using queue::AttemptOutcome;
    using Kind = queue::RetryDecision::Kind;
    queue::Settlement s;
    Attributes a = attributes_of(m);
    const std::string& function = a.function;
    std::optional<EventInvokeConfig> cfg;
    // The config of the qualifier the event was sent to (an alias's, a version's, or $LATEST's).
    if (options.config_for) {
      auto to = split_target(function);
      cfg = options.config_for(to.name, to.qualifier);
    }
    if (r.ok() && !r->function_error) {  // acknowledged
      if (options.on_success && cfg && !cfg->on_success.empty())
        s.after = [this, done = EventOutcome{request_id_of(m.id), function, m.payload, r->payload, "Success",
                                              m.receive_count, cfg->on_success, r->executed_version, false, a.depth}] {
          options.on_success(done);
        };
      return s;
    }
    AttemptOutcome outcome = r.ok()                                         ? AttemptOutcome::kFailed
                             : r.error().code == base::ErrorCode::kThrottled ? AttemptOutcome::kThrottled
                             : r.error().code == base::ErrorCode::kNotFound  ? AttemptOutcome::kGone
                                                                              : AttemptOutcome::kFailed;
    // A refusal with a name (an architecture this host cannot run) reaches the destination as
    // Lambda's error JSON; other failures as their message.
    std::string error = r.ok()                    ? r->payload
                        : r.error().reason.empty() ? r.error().message
                                                   : json::serialize(json::object{{"errorMessage", r.error().message},
                                                                                  {"errorType", r.error().reason}});
    auto d = queue::decide_retry(m.receive_count - 1, store.clock().now_ms() - m.sent_ms, outcome, retry_config(cfg));
    switch (d.kind) {
      case Kind::kDone: return s;
      case Kind::kRetry:
        spdlog::info("[{}] async event {} failed (attempt {}), retrying in {} ms", function, m.id, d.attempts, d.delay_ms);
        [[fallthrough]];
      case Kind::kRetryUnspent:
        s.kind = queue::Settlement::Kind::kRelease;
        s.release.delay_ms = d.delay_ms;
        s.release.refund_receive = d.kind == Kind::kRetryUnspent;
        s.release.error = error;
        return s;
      case Kind::kDeadLetter:
        spdlog::warn("[{}] async event {} is a dead letter after {} attempts: {}", function, m.id, d.attempts, error);
        s.kind = queue::Settlement::Kind::kDeadLetter;
        s.condition = d.condition;
        s.error = error;
        if (options.on_dead_letter)
          s.after = [this, dl = EventOutcome{request_id_of(m.id), function, m.payload, error, d.condition, d.attempts,
                                             cfg ? cfg->on_failure : std::string(),
                                             r.ok() ? r->executed_version : std::string("$LATEST"), r.ok(), a.depth}] {
            options.on_dead_letter(dl);
          };
        return s;
    }
    return s;
  }
};

base::Result<std::unique_ptr<AsyncQueue>> AsyncQueue::open(queue::Store& queues, const std::string& data_dir,
                                                           InvokeTarget target, AsyncOptions options) {
  if (!target) return base::make_error(base::ErrorCode::kInvalidArgument, "the async queue needs an invoke target");
  if (auto s = queues.ensure_queue(kDeadLetterQueue); !s) return s.error();
  if (auto s = queues.ensure_queue(kQueue, {kDeadLetterQueue, 0}); !s) return s.error();
  if (auto s = migrate_invocations_db(data_dir, queues); !s) return s.error();
  auto impl = std::make_unique<Impl>(queues, std::move(target), std::move(options));
  queue::ConsumerOptions co;
  co.queue = kQueue;
  co.max_in_flight = impl->options.max_in_flight;
  co.per_key_limit = impl->options.max_in_flight_per_function;
  co.visibility_ms = impl->options.lease.count();
  impl->consumer = std::make_unique<queue::Consumer>(queues, *impl, co);
  return std::unique_ptr<AsyncQueue>(new AsyncQueue(std::move(impl)));
}

base::Result<std::unique_ptr<AsyncQueue>> AsyncQueue::open(const std::string& data_dir, Invoker& invoker,
                                                           AsyncOptions options) {
  auto store = queue::Store::open(data_dir + "/queue.db");
  if (!store) return store.error();
  auto q = open(
      **store, data_dir,
      [&invoker](InvokeRequest r, std::function<void(base::Result<InvokeResult>)> done) {
        invoker.invoke(std::move(r), std::move(done));
      },
      std::move(options));
  if (!q) return q.error();
  (*q)->impl_->owned = std::move(*store);
  return q;
}

AsyncQueue::AsyncQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncQueue::~AsyncQueue() { stop(); }

base::Result<std::string> AsyncQueue::enqueue(const std::string& function, std::string payload, std::string trace_id,
                                              std::string id, int depth) {
  if (id.empty()) id = base::uuid4();
  queue::OutgoingMessage m;
  m.id = id;
  m.key = name_of(function);
  m.payload = std::move(payload);
  m.attributes = attributes_json({function, std::move(trace_id), depth});
  auto sent = impl_->store.send(kQueue, std::move(m));
  if (!sent) return sent.error();
  return id;
}

base::Status AsyncQueue::start() { return impl_->consumer->start(); }

void AsyncQueue::stop() { impl_->consumer->stop(); }

int64_t AsyncQueue::run_once() { return impl_->consumer->run_once(); }

std::vector<AsyncEvent> AsyncQueue::list() {
  std::vector<AsyncEvent> out;
  for (const char* q : {kQueue, kDeadLetterQueue}) {
    auto messages = impl_->store.list(q);
    if (!messages) {
      spdlog::warn("functions: cannot list queue {}: {}", q, messages.error().message);
      continue;
    }
    for (auto& m : *messages) {
      Attributes a = attributes_of(m);
      AsyncEvent e;
      e.id = m.id;
      e.function = a.function;
      e.payload = std::move(m.payload);
      e.trace_id = a.trace;
      e.depth = a.depth;
      // Attempts spent: a receive under way is not spent yet.
      e.attempts = m.state == queue::MessageState::kInFlight ? std::max(0, m.receive_count - 1) : m.receive_count;
      e.created_ms = m.sent_ms;
      e.next_attempt_ms = m.visible_at_ms;
      e.state = m.state == queue::MessageState::kDead       ? "dead"
                : m.state == queue::MessageState::kInFlight ? "in-flight"
                                                            : "pending";
      e.last_error = std::move(m.last_error);
      out.push_back(std::move(e));
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const AsyncEvent& a, const AsyncEvent& b) { return a.created_ms < b.created_ms; });
  return out;
}

std::vector<AsyncQueue::FunctionStats> AsyncQueue::stats() {
  std::vector<FunctionStats> out;
  auto by = impl_->store.stats_by_key(kQueue);
  if (!by) {
    spdlog::warn("functions: cannot read the async queue's stats: {}", by.error().message);
    return out;
  }
  for (const auto& s : *by)
    out.push_back({s.key, static_cast<int>(s.visible + s.delayed), static_cast<int>(s.in_flight),
                   static_cast<int>(s.dead), s.oldest_sent_ms});
  return out;
}

base::Result<int> AsyncQueue::redrive() { return impl_->store.redrive(kDeadLetterQueue, kQueue); }

}  // namespace nimbus::functions
