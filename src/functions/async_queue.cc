#include "functions/async_queue.h"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <map>
#include <thread>

#include <sqlite3.h>

#include "base/ids.h"
#include "base/sqlite.h"
#include "base/time.h"

namespace nimbus::functions {

namespace json = boost::json;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS async_events(
  id TEXT PRIMARY KEY, function TEXT NOT NULL, payload BLOB NOT NULL, trace_id TEXT NOT NULL,
  attempts INTEGER NOT NULL, created_ms INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL,
  state TEXT NOT NULL, last_error TEXT NOT NULL, depth INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS async_due ON async_events(state, next_attempt_ms);
)sql";

struct Outcome {
  std::string id;
  base::Result<InvokeResult> result;
};

// Events are stored against "name" or "name:qualifier"; limits are per name.
std::string name_of(const std::string& function) { return function.substr(0, function.find(':')); }

}  // namespace

struct AsyncQueue::Impl {
  Impl(Invoker& invoker, AsyncOptions options, base::Connection db)
      : invoker(invoker), options(std::move(options)), db(std::move(db)) {}

  Invoker& invoker;
  AsyncOptions options;
  std::mutex db_mu;  // the connection is used by enqueue (callers) and the dispatcher
  base::Connection db;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Outcome> outcomes;
  std::map<std::string, std::string> in_flight;  // event id -> function name
  std::map<std::string, int> in_flight_by_function;
  bool stopping = false;
  bool poked = false;
  std::thread thread;

  void run();
  // A JSON array of the functions that may not start another event now.
  std::string functions_at_their_limit();
  void dispatch_due();
  void settle(Outcome o);
};

base::Result<std::unique_ptr<AsyncQueue>> AsyncQueue::open(const std::string& data_dir, Invoker& invoker,
                                                           AsyncOptions options) {
  auto db = base::Connection::open(data_dir + "/invocations.db", false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  return std::unique_ptr<AsyncQueue>(
      new AsyncQueue(std::make_unique<Impl>(invoker, std::move(options), std::move(*db))));
}

AsyncQueue::AsyncQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AsyncQueue::~AsyncQueue() { stop(); }

base::Result<std::string> AsyncQueue::enqueue(const std::string& function, std::string payload, std::string trace_id,
                                              std::string id, int depth) {
  if (id.empty()) {
    id = base::random_hex(16);
    id = id.substr(0, 8) + "-" + id.substr(8, 4) + "-4" + id.substr(13, 3) + "-b" + id.substr(17, 3) + "-" + id.substr(20);
  }
  int64_t now = base::now_ms();
  {
    std::lock_guard lock(impl_->db_mu);
    auto st = impl_->db.prepare(
        "INSERT OR IGNORE INTO async_events(id, function, payload, trace_id, attempts, created_ms, next_attempt_ms, state, "
        "last_error, depth) VALUES(?,?,?,?,0,?,?,'pending','',?)");
    st.bind(1, id).bind(2, function).bind_blob(3, payload).bind(4, trace_id).bind(5, now).bind(6, now);
    st.bind(7, int64_t{depth});
    if (auto s = st.run(); !s) return s.error();
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->poked = true;
  }
  impl_->cv.notify_one();
  return id;
}

void AsyncQueue::start() {
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void AsyncQueue::stop() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::vector<AsyncEvent> AsyncQueue::list() {
  std::lock_guard lock(impl_->db_mu);
  std::vector<AsyncEvent> out;
  auto st = impl_->db.prepare(
      "SELECT id, function, payload, attempts, created_ms, next_attempt_ms, state, last_error FROM async_events "
      "ORDER BY created_ms");
  while (st.step())
    out.push_back({st.text(0), st.text(1), st.blob(2), "", static_cast<int>(st.integer(3)), 1, st.integer(4),
                   st.integer(5), st.text(6), st.text(7)});
  std::lock_guard flight(impl_->mu);
  for (auto& e : out)
    if (impl_->in_flight.count(e.id)) e.state = "in-flight";
  return out;
}

std::vector<AsyncQueue::FunctionStats> AsyncQueue::stats() {
  std::map<std::string, FunctionStats> by;
  {
    std::lock_guard lock(impl_->db_mu);
    auto st = impl_->db.prepare(
        "SELECT function, state, count(*), min(created_ms) FROM async_events GROUP BY function, state");
    while (st.step()) {
      auto& s = by[name_of(st.text(0))];
      if (st.text(1) == "dead") {
        s.dead += static_cast<int>(st.integer(2));
        continue;
      }
      s.pending += static_cast<int>(st.integer(2));
      int64_t oldest = st.integer(3);
      if (!s.oldest_created_ms || oldest < s.oldest_created_ms) s.oldest_created_ms = oldest;
    }
  }
  std::lock_guard flight(impl_->mu);
  for (const auto& [name, running] : impl_->in_flight_by_function) {
    auto& s = by[name];
    s.in_flight = running;
    s.pending = std::max(0, s.pending - running);  // in-flight events are still pending rows
  }
  std::vector<FunctionStats> out;
  for (auto& [name, s] : by) {
    s.function = name;
    out.push_back(s);
  }
  return out;
}

base::Result<int> AsyncQueue::redrive() {
  int n = 0;
  {
    std::lock_guard lock(impl_->db_mu);
    auto st = impl_->db.prepare(
        "UPDATE async_events SET state = 'pending', attempts = 0, created_ms = ?, next_attempt_ms = ? "
        "WHERE state = 'dead'");
    int64_t now = base::now_ms();
    st.bind(1, now).bind(2, now);
    if (auto s = st.run(); !s) return s.error();
    n = static_cast<int>(sqlite3_changes(impl_->db.handle()));
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->poked = true;
  }
  impl_->cv.notify_one();
  return n;
}

void AsyncQueue::Impl::run() {
  for (;;) {
    std::deque<Outcome> done;
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping || poked || !outcomes.empty(); });
      if (stopping) return;
      poked = false;
      done.swap(outcomes);
    }
    for (auto& o : done) settle(std::move(o));
    dispatch_due();
  }
}

std::string AsyncQueue::Impl::functions_at_their_limit() {
  json::array full;
  std::lock_guard lock(mu);
  for (const auto& [name, running] : in_flight_by_function)
    if (running >= options.max_in_flight_per_function) full.emplace_back(name);
  return json::serialize(full);
}

void AsyncQueue::Impl::dispatch_due() {
  std::vector<AsyncEvent> due;
  {
    std::lock_guard lock(db_mu);
    auto st = db.prepare(
        "SELECT id, function, payload, attempts, created_ms, trace_id, depth FROM async_events WHERE state = 'pending' AND "
        "next_attempt_ms <= ? AND CASE WHEN instr(function, ':') > 0 THEN substr(function, 1, instr(function, ':') - 1) "
        "ELSE function END NOT IN (SELECT value FROM json_each(?)) "
        "ORDER BY next_attempt_ms LIMIT ?");
    st.bind(1, base::now_ms()).bind(2, functions_at_their_limit()).bind(3, int64_t{options.max_in_flight} * 2);
    while (st.step()) {
      AsyncEvent e;
      e.id = st.text(0);
      e.function = st.text(1);
      e.payload = st.blob(2);
      e.attempts = static_cast<int>(st.integer(3));
      e.created_ms = st.integer(4);
      e.trace_id = st.text(5);
      e.depth = static_cast<int>(st.integer(6));
      due.push_back(std::move(e));
    }
  }
  for (auto& e : due) {
    {
      std::lock_guard lock(mu);
      if (in_flight.count(e.id) || static_cast<int>(in_flight.size()) >= options.max_in_flight) continue;
      int& running = in_flight_by_function[name_of(e.function)];
      if (running >= options.max_in_flight_per_function) continue;
      ++running;
      in_flight.emplace(e.id, name_of(e.function));
    }
    InvokeRequest req;
    // Stored as "name" or "name:qualifier".
    auto colon = e.function.find(':');
    req.function = e.function.substr(0, colon);
    if (colon != std::string::npos) req.qualifier = e.function.substr(colon + 1);
    req.payload = std::move(e.payload);
    req.trace_id = e.trace_id;
    req.depth = e.depth;
    req.request_id = e.id;
    invoker.invoke(std::move(req), [this, id = e.id](base::Result<InvokeResult> r) {
      {
        std::lock_guard lock(mu);
        outcomes.push_back({id, std::move(r)});
      }
      cv.notify_one();
    });
  }
}

void AsyncQueue::Impl::settle(Outcome o) {
  {
    std::lock_guard lock(mu);
    if (auto it = in_flight.find(o.id); it != in_flight.end()) {
      if (--in_flight_by_function[it->second] <= 0) in_flight_by_function.erase(it->second);
      in_flight.erase(it);
    }
  }
  std::lock_guard lock(db_mu);
  auto get = db.prepare("SELECT attempts, created_ms, function FROM async_events WHERE id = ?");
  get.bind(1, o.id);
  if (!get.step()) return;
  int attempts = static_cast<int>(get.integer(0));
  int64_t created = get.integer(1);
  std::string function = get.text(2);
  int64_t now = base::now_ms();

  if (o.result.ok() && !o.result->function_error) {
    auto del = db.prepare("DELETE FROM async_events WHERE id = ?");
    del.bind(1, o.id);
    (void)del.run();
    return;
  }
  bool throttled = !o.result.ok() && o.result.error().code == base::ErrorCode::kThrottled;
  std::string error = o.result.ok() ? o.result->payload : o.result.error().message;
  if (!throttled) ++attempts;
  std::optional<EventInvokeConfig> cfg;
  if (options.config_for) cfg = options.config_for(function.substr(0, function.find(':')));
  int64_t max_age = cfg && cfg->max_event_age_s ? int64_t{*cfg->max_event_age_s} * 1000 : options.max_event_age.count();
  int retries = cfg && cfg->max_retry_attempts ? *cfg->max_retry_attempts : static_cast<int>(options.retry_delays.size());
  bool too_old = now - created > max_age;
  bool gone = !o.result.ok() && o.result.error().code == base::ErrorCode::kNotFound;
  bool exhausted = attempts > retries;
  if (too_old || exhausted || gone) {
    spdlog::warn("[{}] async event {} is a dead letter after {} attempts: {}", function, o.id, attempts, error);
    auto st = db.prepare("UPDATE async_events SET state = 'dead', attempts = ?, last_error = ? WHERE id = ?");
    st.bind(1, int64_t{attempts}).bind(2, error).bind(3, o.id);
    (void)st.run();
    if (options.on_dead_letter) {
      auto get_payload = db.prepare("SELECT payload FROM async_events WHERE id = ?");
      get_payload.bind(1, o.id);
      std::string payload = get_payload.step() ? get_payload.blob(0) : std::string();
      options.on_dead_letter({o.id, function, std::move(payload), error,
                              too_old ? "EventAgeExceeded" : "RetriesExhausted", attempts,
                              cfg ? cfg->on_failure : std::string()});
    }
    return;
  }
  size_t step = std::min(static_cast<size_t>(attempts - 1), options.retry_delays.empty() ? 0 : options.retry_delays.size() - 1);
  int64_t delay = throttled || options.retry_delays.empty() ? options.throttle_delay.count()
                                                            : options.retry_delays[step].count();
  if (!throttled) spdlog::info("[{}] async event {} failed (attempt {}), retrying in {} ms", function, o.id, attempts, delay);
  auto st = db.prepare("UPDATE async_events SET attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?");
  st.bind(1, int64_t{attempts}).bind(2, now + delay).bind(3, error).bind(4, o.id);
  (void)st.run();
}

}  // namespace nimbus::functions
