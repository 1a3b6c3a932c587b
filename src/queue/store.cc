#include "queue/store.h"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "base/ids.h"
#include "base/sqlite.h"

namespace nimbus::queue {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS queues(
  name TEXT PRIMARY KEY, dead_letter_queue TEXT NOT NULL DEFAULT '', max_receives INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages(
  queue TEXT NOT NULL, id TEXT NOT NULL, key TEXT NOT NULL DEFAULT '',
  payload BLOB NOT NULL, attributes TEXT NOT NULL DEFAULT '{}',
  sent_ms INTEGER NOT NULL, visible_at_ms INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0,
  lease TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',
  dead_condition TEXT NOT NULL DEFAULT '', source_queue TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(queue, id));
CREATE INDEX IF NOT EXISTS messages_due ON messages(queue, visible_at_ms);
CREATE INDEX IF NOT EXISTS messages_dead ON messages(source_queue) WHERE source_queue != '';
)sql";

constexpr const char* kColumns =
    "queue, id, key, payload, attributes, sent_ms, visible_at_ms, receive_count, lease, last_error, dead_condition, "
    "source_queue";

Message row_of(const base::Statement& st, int64_t now) {
  Message m;
  m.queue = st.text(0);
  m.id = st.text(1);
  m.key = st.text(2);
  m.payload = st.blob(3);
  m.attributes = st.text(4);
  m.sent_ms = st.integer(5);
  m.visible_at_ms = st.integer(6);
  m.receive_count = static_cast<int>(st.integer(7));
  m.lease = st.text(8);
  m.last_error = st.text(9);
  m.dead_condition = st.text(10);
  m.source_queue = st.text(11);
  m.state = !m.source_queue.empty()    ? MessageState::kDead
            : m.visible_at_ms <= now   ? MessageState::kVisible
            : !m.lease.empty()         ? MessageState::kInFlight
                                       : MessageState::kDelayed;
  return m;
}

std::string json_list(const std::vector<std::string>& items) {
  boost::json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return boost::json::serialize(a);
}

base::Error sql_error(const std::exception& e) { return base::make_error(base::ErrorCode::kIo, e.what()); }

base::Error no_queue(const std::string& name) {
  return base::make_error(base::ErrorCode::kNotFound, "no such queue: " + name);
}

}  // namespace

const char* state_name(MessageState s) {
  switch (s) {
    case MessageState::kVisible: return "visible";
    case MessageState::kDelayed: return "delayed";
    case MessageState::kInFlight: return "in-flight";
    case MessageState::kDead: return "dead";
  }
  return "";
}

struct Store::Impl {
  const base::Clock& clock;
  std::mutex mu;  // guards db and configs
  base::Connection db;
  std::map<std::string, QueueConfig> configs;  // every queue, as in the queues table

  std::mutex listeners_mu;
  std::map<int, std::pair<std::string, std::function<void()>>> listeners;
  int next_listener = 1;

  Impl(const base::Clock& clock, base::Connection db) : clock(clock), db(std::move(db)) {}

  // Runs fn inside one write transaction; any error (or a throwing step) rolls it back.
  template <typename Fn>
  base::Status transaction(Fn&& fn) {
    if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return s;
    base::Status result;
    try {
      result = fn();
    } catch (const std::exception& e) {
      result = sql_error(e);
    }
    if (result) result = db.exec("COMMIT");
    if (!result) (void)db.exec("ROLLBACK");  // the failure reported is the first one; a failed rollback adds nothing
    return result;
  }

  base::Status move_to_dead_letters(const std::string& queue, const std::string& id, const std::string& dlq,
                                    const std::string& condition, const std::string& error, int64_t now) {
    // OR REPLACE: a dead letter of the same id (an older life of this message) gives way to the newer one.
    auto st = db.prepare(
        "UPDATE OR REPLACE messages SET queue = ?, source_queue = ?, dead_condition = ?, "
        "last_error = CASE WHEN ? = '' THEN last_error ELSE ? END, lease = '', visible_at_ms = ? "
        "WHERE queue = ? AND id = ?");
    st.bind(1, dlq).bind(2, queue).bind(3, condition).bind(4, error).bind(5, error).bind(6, now);
    st.bind(7, queue).bind(8, id);
    return st.run();
  }

  void notify(const std::string& queue) {
    std::vector<std::function<void()>> fns;
    {
      std::lock_guard lock(listeners_mu);
      for (const auto& [id, l] : listeners)
        if (l.first == queue) fns.push_back(l.second);
    }
    for (auto& f : fns) f();
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;
const base::Clock& Store::clock() const { return impl_->clock; }

base::Result<std::unique_ptr<Store>> Store::open(const std::string& path, const base::Clock& clock) {
  auto db = base::Connection::open(path, false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  auto impl = std::make_unique<Impl>(clock, std::move(*db));
  try {
    auto st = impl->db.prepare("SELECT name, dead_letter_queue, max_receives FROM queues");
    while (st.step()) impl->configs[st.text(0)] = {st.text(1), static_cast<int>(st.integer(2))};
  } catch (const std::exception& e) {
    return sql_error(e);
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

base::Status Store::ensure_queue(const std::string& name, QueueConfig config) {
  if (name.empty()) return base::make_error(base::ErrorCode::kInvalidArgument, "a queue needs a name");
  if (config.max_receives < 0)
    return base::make_error(base::ErrorCode::kInvalidArgument, "max_receives must be 0 (no limit) or more");
  if (config.max_receives > 0 && config.dead_letter_queue.empty())
    return base::make_error(base::ErrorCode::kInvalidArgument, "max_receives needs a dead-letter queue");
  std::lock_guard lock(impl_->mu);
  if (!config.dead_letter_queue.empty()) {
    if (config.dead_letter_queue == name)
      return base::make_error(base::ErrorCode::kInvalidArgument, "a queue cannot be its own dead-letter queue");
    if (!impl_->configs.count(config.dead_letter_queue)) return no_queue(config.dead_letter_queue);
  }
  auto it = impl_->configs.find(name);
  if (it != impl_->configs.end() && it->second.dead_letter_queue == config.dead_letter_queue &&
      it->second.max_receives == config.max_receives)
    return {};
  auto st = impl_->db.prepare("INSERT OR REPLACE INTO queues(name, dead_letter_queue, max_receives) VALUES(?, ?, ?)");
  st.bind(1, name).bind(2, config.dead_letter_queue).bind(3, int64_t{config.max_receives});
  if (auto s = st.run(); !s) return s;
  impl_->configs[name] = std::move(config);
  return {};
}

base::Result<QueueConfig> Store::config(const std::string& name) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->configs.find(name);
  if (it == impl_->configs.end()) return no_queue(name);
  return it->second;
}

base::Result<bool> Store::send(const std::string& queue, OutgoingMessage m) {
  std::vector<OutgoingMessage> one;
  one.push_back(std::move(m));
  auto n = send_batch(queue, std::move(one));
  if (!n) return n.error();
  return *n == 1;
}

base::Result<int> Store::send_batch(const std::string& queue, std::vector<OutgoingMessage> batch) {
  for (const auto& m : batch)
    if (m.delay_ms < 0) return base::make_error(base::ErrorCode::kInvalidArgument, "a delay cannot be negative");
  int added = 0;
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->configs.count(queue)) return no_queue(queue);
    int64_t now = impl_->clock.now_ms();
    auto s = impl_->transaction([&]() -> base::Status {
      auto st = impl_->db.prepare(
          "INSERT OR IGNORE INTO messages(queue, id, key, payload, attributes, sent_ms, visible_at_ms) "
          "VALUES(?, ?, ?, ?, ?, ?, ?)");
      for (auto& m : batch) {
        if (m.id.empty()) m.id = base::uuid4();
        st.bind(1, queue).bind(2, m.id).bind(3, m.key).bind_blob(4, m.payload);
        st.bind(5, m.attributes.empty() ? "{}" : m.attributes).bind(6, now).bind(7, now + m.delay_ms);
        auto r = st.run();
        st.reset();
        if (!r) return r;
        added += static_cast<int>(impl_->db.changes());
      }
      return {};
    });
    if (!s) return s.error();
  }
  if (added) impl_->notify(queue);
  return added;
}

base::Result<int> Store::restore(const std::vector<Message>& messages) {
  int added = 0;
  std::vector<std::string> touched;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& m : messages)
      if (!impl_->configs.count(m.queue)) return no_queue(m.queue);
    auto s = impl_->transaction([&]() -> base::Status {
      auto st = impl_->db.prepare(
          "INSERT OR IGNORE INTO messages(queue, id, key, payload, attributes, sent_ms, visible_at_ms, receive_count, "
          "last_error, dead_condition, source_queue) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const auto& m : messages) {
        st.bind(1, m.queue).bind(2, m.id).bind(3, m.key).bind_blob(4, m.payload);
        st.bind(5, m.attributes.empty() ? "{}" : m.attributes).bind(6, m.sent_ms).bind(7, m.visible_at_ms);
        st.bind(8, int64_t{m.receive_count}).bind(9, m.last_error).bind(10, m.dead_condition).bind(11, m.source_queue);
        auto r = st.run();
        st.reset();
        if (!r) return r;
        if (impl_->db.changes()) {
          ++added;
          touched.push_back(m.queue);
        }
      }
      return {};
    });
    if (!s) return s.error();
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (const auto& q : touched) impl_->notify(q);
  return added;
}

base::Result<std::vector<Message>> Store::receive(const std::string& queue, const ReceiveOptions& options) {
  std::vector<Message> out;
  if (options.max <= 0) return out;
  if (options.visibility_ms <= 0)
    return base::make_error(base::ErrorCode::kInvalidArgument, "a lease must last longer than 0 ms");
  std::lock_guard lock(impl_->mu);
  auto cfg = impl_->configs.find(queue);
  if (cfg == impl_->configs.end()) return no_queue(queue);
  int64_t now = impl_->clock.now_ms();
  std::map<std::string, int> load = options.in_flight_by_key;
  std::vector<std::string> full;
  if (options.per_key_limit > 0)
    for (const auto& [k, n] : load)
      if (n >= options.per_key_limit) full.push_back(k);
  auto s = impl_->transaction([&]() -> base::Status {
    std::vector<Message> candidates;
    {
      auto st = impl_->db.prepare(std::string("SELECT ") + kColumns +
                                  " FROM messages WHERE queue = ? AND visible_at_ms <= ? AND key NOT IN "
                                  "(SELECT value FROM json_each(?)) ORDER BY visible_at_ms, sent_ms LIMIT ?");
      // A few more than asked: some may be over their key's cap or their receive limit.
      st.bind(1, queue).bind(2, now).bind(3, json_list(full)).bind(4, int64_t{options.max} * 4 + 16);
      while (st.step()) candidates.push_back(row_of(st, now));
    }
    auto lease = impl_->db.prepare(
        "UPDATE messages SET receive_count = receive_count + 1, lease = ?, visible_at_ms = ? WHERE queue = ? AND id = ?");
    for (auto& m : candidates) {
      if (static_cast<int>(out.size()) >= options.max) break;
      if (cfg->second.max_receives > 0 && m.receive_count >= cfg->second.max_receives) {
        spdlog::warn("queue {}: message {} received {} times, moved to {}", queue, m.id, m.receive_count,
                     cfg->second.dead_letter_queue);
        if (auto r = impl_->move_to_dead_letters(queue, m.id, cfg->second.dead_letter_queue, "MaxReceivesExceeded",
                                                 "", now);
            !r)
          return r;
        continue;
      }
      if (options.per_key_limit > 0 && load[m.key] >= options.per_key_limit) continue;
      m.lease = base::random_hex(12);
      m.visible_at_ms = now + options.visibility_ms;
      m.receive_count += 1;
      m.state = MessageState::kInFlight;
      lease.bind(1, m.lease).bind(2, m.visible_at_ms).bind(3, queue).bind(4, m.id);
      auto r = lease.run();
      lease.reset();
      if (!r) return r;
      ++load[m.key];
      out.push_back(std::move(m));
    }
    return {};
  });
  if (!s) return s.error();
  return out;
}

base::Status Store::ack(const std::string& queue, const std::string& id, const std::string& lease) {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("DELETE FROM messages WHERE queue = ? AND id = ? AND lease = ? AND source_queue = ''");
  st.bind(1, queue).bind(2, id).bind(3, lease);
  if (auto s = st.run(); !s) return s;
  if (impl_->db.changes() == 0)
    return base::make_error(base::ErrorCode::kNotFound, "message " + id + " of queue " + queue + " is not under this lease");
  return {};
}

base::Status Store::release(const std::string& queue, const std::string& id, const std::string& lease,
                            const ReleaseOptions& options) {
  if (options.delay_ms < 0) return base::make_error(base::ErrorCode::kInvalidArgument, "a delay cannot be negative");
  {
    std::lock_guard lock(impl_->mu);
    auto st = impl_->db.prepare(
        "UPDATE messages SET lease = '', visible_at_ms = ?, receive_count = max(0, receive_count - ?), "
        "last_error = CASE WHEN ? = '' THEN last_error ELSE ? END "
        "WHERE queue = ? AND id = ? AND lease = ? AND source_queue = ''");
    st.bind(1, impl_->clock.now_ms() + options.delay_ms).bind(2, int64_t{options.refund_receive ? 1 : 0});
    st.bind(3, options.error).bind(4, options.error).bind(5, queue).bind(6, id).bind(7, lease);
    if (auto s = st.run(); !s) return s;
    if (impl_->db.changes() == 0)
      return base::make_error(base::ErrorCode::kNotFound,
                              "message " + id + " of queue " + queue + " is not under this lease");
  }
  impl_->notify(queue);
  return {};
}

base::Status Store::dead_letter(const std::string& queue, const std::string& id, const std::string& lease,
                                const std::string& condition, const std::string& error) {
  std::lock_guard lock(impl_->mu);
  auto cfg = impl_->configs.find(queue);
  if (cfg == impl_->configs.end()) return no_queue(queue);
  if (cfg->second.dead_letter_queue.empty())
    return base::make_error(base::ErrorCode::kInvalidArgument, "queue " + queue + " has no dead-letter queue");
  try {
    auto check = impl_->db.prepare("SELECT 1 FROM messages WHERE queue = ? AND id = ? AND lease = ? AND source_queue = ''");
    check.bind(1, queue).bind(2, id).bind(3, lease);
    if (!check.step())
      return base::make_error(base::ErrorCode::kNotFound,
                              "message " + id + " of queue " + queue + " is not under this lease");
  } catch (const std::exception& e) {
    return sql_error(e);
  }
  return impl_->move_to_dead_letters(queue, id, cfg->second.dead_letter_queue, condition, error,
                                     impl_->clock.now_ms());
}

base::Result<int> Store::recover_leases(const std::string& queue) {
  int n = 0;
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->configs.count(queue)) return no_queue(queue);
    auto st = impl_->db.prepare(
        "UPDATE messages SET lease = '', receive_count = max(0, receive_count - 1), "
        "visible_at_ms = min(visible_at_ms, ?) WHERE queue = ? AND lease != '' AND source_queue = ''");
    st.bind(1, impl_->clock.now_ms()).bind(2, queue);
    if (auto s = st.run(); !s) return s.error();
    n = static_cast<int>(impl_->db.changes());
  }
  if (n) impl_->notify(queue);
  return n;
}

base::Result<int> Store::redrive(const std::string& dead_letter_queue, const std::string& source) {
  std::vector<std::string> sources;
  int n = 0;
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->configs.count(dead_letter_queue)) return no_queue(dead_letter_queue);
    int64_t now = impl_->clock.now_ms();
    auto s = impl_->transaction([&]() -> base::Status {
      {
        auto st = impl_->db.prepare(
            "SELECT DISTINCT source_queue FROM messages WHERE queue = ? AND source_queue != '' AND (? = '' OR source_queue = ?)");
        st.bind(1, dead_letter_queue).bind(2, source).bind(3, source);
        while (st.step()) sources.push_back(st.text(0));
      }
      // OR IGNORE: a message whose id is alive again in its source stays a dead letter.
      auto st = impl_->db.prepare(
          "UPDATE OR IGNORE messages SET queue = source_queue, source_queue = '', dead_condition = '', lease = '', "
          "receive_count = 0, sent_ms = ?, visible_at_ms = ? WHERE queue = ? AND source_queue != '' AND "
          "(? = '' OR source_queue = ?)");
      st.bind(1, now).bind(2, now).bind(3, dead_letter_queue).bind(4, source).bind(5, source);
      if (auto r = st.run(); !r) return r;
      n = static_cast<int>(impl_->db.changes());
      return {};
    });
    if (!s) return s.error();
  }
  if (n)
    for (const auto& q : sources) impl_->notify(q);
  return n;
}

base::Result<std::vector<Message>> Store::list(const std::string& queue, int limit) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  std::vector<Message> out;
  try {
    auto st = impl_->db.prepare(std::string("SELECT ") + kColumns +
                                " FROM messages WHERE queue = ? ORDER BY sent_ms, id LIMIT ?");
    st.bind(1, queue).bind(2, limit > 0 ? int64_t{limit} : int64_t{-1});
    int64_t now = impl_->clock.now_ms();
    while (st.step()) out.push_back(row_of(st, now));
  } catch (const std::exception& e) {
    return sql_error(e);
  }
  return out;
}

base::Result<int64_t> Store::next_visible_ms(const std::string& queue, const std::vector<std::string>& exclude_keys) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  try {
    auto st = impl_->db.prepare(
        "SELECT min(visible_at_ms) FROM messages WHERE queue = ? AND key NOT IN (SELECT value FROM json_each(?))");
    st.bind(1, queue).bind(2, json_list(exclude_keys));
    if (!st.step() || st.is_null(0)) return int64_t{0};
    return st.integer(0);
  } catch (const std::exception& e) {
    return sql_error(e);
  }
}

base::Result<std::vector<Stats>> Store::stats_by_key(const std::string& queue) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  std::map<std::string, Stats> by;
  try {
    auto st = impl_->db.prepare(
        "SELECT key, sum(visible_at_ms <= ?1), sum(visible_at_ms > ?1 AND lease = ''), "
        "sum(visible_at_ms > ?1 AND lease != ''), min(sent_ms) FROM messages WHERE queue = ?2 GROUP BY key");
    st.bind(1, impl_->clock.now_ms()).bind(2, queue);
    while (st.step()) {
      auto& s = by[st.text(0)];
      s.visible = st.integer(1);
      s.delayed = st.integer(2);
      s.in_flight = st.integer(3);
      s.oldest_sent_ms = st.integer(4);
    }
    auto dead = impl_->db.prepare("SELECT key, count(*) FROM messages WHERE source_queue = ? GROUP BY key");
    dead.bind(1, queue);
    while (dead.step()) by[dead.text(0)].dead = dead.integer(1);
  } catch (const std::exception& e) {
    return sql_error(e);
  }
  std::vector<Stats> out;
  for (auto& [key, s] : by) {
    s.queue = queue;
    s.key = key;
    out.push_back(std::move(s));
  }
  return out;
}

base::Result<Stats> Store::stats(const std::string& queue) {
  auto by = stats_by_key(queue);
  if (!by) return by.error();
  Stats total;
  total.queue = queue;
  for (const auto& s : *by) {
    total.visible += s.visible;
    total.delayed += s.delayed;
    total.in_flight += s.in_flight;
    total.dead += s.dead;
    if (s.oldest_sent_ms && (!total.oldest_sent_ms || s.oldest_sent_ms < total.oldest_sent_ms))
      total.oldest_sent_ms = s.oldest_sent_ms;
  }
  return total;
}

int Store::subscribe(const std::string& queue, std::function<void()> listener) {
  std::lock_guard lock(impl_->listeners_mu);
  int id = impl_->next_listener++;
  impl_->listeners[id] = {queue, std::move(listener)};
  return id;
}

void Store::unsubscribe(int id) {
  std::lock_guard lock(impl_->listeners_mu);
  impl_->listeners.erase(id);
}

}  // namespace nimbus::queue
