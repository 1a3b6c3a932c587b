#include "queue/store.h"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "base/group_commit.h"
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
CREATE TABLE IF NOT EXISTS dedup(
  queue TEXT NOT NULL, scope TEXT NOT NULL, dedup_id TEXT NOT NULL, message_id TEXT NOT NULL,
  seq INTEGER NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY(queue, scope, dedup_id));
CREATE INDEX IF NOT EXISTS dedup_expiry ON dedup(expires_ms);
)sql";

// Columns added after the first schema, with their definitions: added at open when missing.
struct AddedColumn {
  const char* table;
  const char* name;
  const char* definition;
};
constexpr AddedColumn kAddedColumns[] = {
    {"queues", "retention_ms", "INTEGER NOT NULL DEFAULT 0"},
    {"queues", "fifo", "INTEGER NOT NULL DEFAULT 0"},
    {"queues", "dedup_window_ms", "INTEGER NOT NULL DEFAULT 0"},
    {"queues", "dedup_per_key", "INTEGER NOT NULL DEFAULT 0"},
    {"queues", "receivable_dead_letters", "INTEGER NOT NULL DEFAULT 0"},
    {"queues", "settings", "TEXT NOT NULL DEFAULT ''"},
    {"messages", "origin_queue", "TEXT NOT NULL DEFAULT ''"},
    {"messages", "seq", "INTEGER NOT NULL DEFAULT 0"},
    {"messages", "first_received_ms", "INTEGER NOT NULL DEFAULT 0"},
    {"messages", "leased_ms", "INTEGER NOT NULL DEFAULT 0"},
};

base::Status add_missing_columns(base::Connection& db) {
  try {
    for (const auto& c : kAddedColumns) {
      auto st = db.prepare(std::string("SELECT 1 FROM pragma_table_info('") + c.table + "') WHERE name = ?");
      st.bind(1, c.name);
      if (st.step()) continue;
      if (auto s = db.exec(std::string("ALTER TABLE ") + c.table + " ADD COLUMN " + c.name + " " + c.definition); !s)
        return s;
    }
    return db.exec("CREATE INDEX IF NOT EXISTS messages_group ON messages(queue, key, seq)");
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kIo, e.what());
  }
}

constexpr const char* kColumns =
    "queue, id, key, payload, attributes, sent_ms, visible_at_ms, receive_count, lease, last_error, dead_condition, "
    "source_queue, origin_queue, seq, first_received_ms, leased_ms";

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
  m.origin_queue = st.text(12);
  m.seq = st.integer(13);
  m.first_received_ms = st.integer(14);
  m.leased_ms = st.integer(15);
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
  std::mutex mu;  // guards db, configs, next_seq
  // Sends, receives, acks, deletes and visibility changes are
  // group-committed (the leader holds mu while it writes the group); every
  // other statement takes mu itself.
  std::unique_ptr<base::GroupCommitter> writer;
  base::Connection& db;
  std::map<std::string, QueueConfig> configs;  // every queue, as in the queues table
  int64_t next_seq = 1;
  int64_t next_dedup_sweep_ms = 0;

  std::mutex listeners_mu;
  std::map<int, std::pair<std::string, std::function<void()>>> listeners;
  int next_listener = 1;

  Impl(const base::Clock& clock, base::Connection conn)
      : clock(clock), writer(std::make_unique<base::GroupCommitter>(std::move(conn), &mu)), db(writer->connection()) {}

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

  // The oldest sent_ms a live message of this queue may have (retention).
  int64_t horizon(const std::string& queue, int64_t now) const {
    auto it = configs.find(queue);
    if (it == configs.end() || it->second.retention_ms <= 0) return std::numeric_limits<int64_t>::min();
    return now - it->second.retention_ms;
  }

  base::Status move_to_dead_letters(const std::string& queue, const std::string& id, const std::string& dlq,
                                    const std::string& condition, const std::string& error, int64_t now) {
    auto target = configs.find(dlq);
    if (target != configs.end() && target->second.receivable_dead_letters) {
      auto st = db.prepare(
          "UPDATE OR REPLACE messages SET queue = ?, origin_queue = ?, lease = '', receive_count = 0, "
          "visible_at_ms = ? WHERE queue = ? AND id = ?");
      st.bind(1, dlq).bind(2, queue).bind(3, now).bind(4, queue).bind(5, id);
      return st.run();
    }
    // OR REPLACE: a dead letter of the same id (an older life of this message) gives way to the newer one.
    auto st = db.prepare(
        "UPDATE OR REPLACE messages SET queue = ?, source_queue = ?, dead_condition = ?, "
        "last_error = CASE WHEN ? = '' THEN last_error ELSE ? END, lease = '', visible_at_ms = ? "
        "WHERE queue = ? AND id = ?");
    st.bind(1, dlq).bind(2, queue).bind(3, condition).bind(4, error).bind(5, error).bind(6, now);
    st.bind(7, queue).bind(8, id);
    return st.run();
  }

  // One send's writes inside the group's transaction (under mu).
  base::Result<std::vector<SendOutcome>> write_sends(const std::string& queue, std::vector<OutgoingMessage>& batch,
                                                     int64_t now) {
    auto cfg = configs.find(queue);
    if (cfg == configs.end()) return no_queue(queue);
    std::vector<SendOutcome> out;
    if (now >= next_dedup_sweep_ms) {
      // Expired records are ignored by reads anyway; the sweep only keeps the table small.
      next_dedup_sweep_ms = now + 60'000;
      auto sweep = db.prepare("DELETE FROM dedup WHERE expires_ms <= ?");
      sweep.bind(1, now);
      if (auto r = sweep.run(); !r) return r.error();
    }
    auto insert = db.prepare(
        "INSERT OR IGNORE INTO messages(queue, id, key, payload, attributes, sent_ms, visible_at_ms, seq) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    for (auto& m : batch) {
      if (m.id.empty()) m.id = base::uuid4();
      if (cfg->second.dedup_window_ms > 0 && !m.dedup_id.empty()) {
        std::string scope = cfg->second.dedup_per_key ? m.key : std::string();
        auto seen = db.prepare("SELECT message_id, seq FROM dedup WHERE queue = ? AND scope = ? AND dedup_id = ? "
                               "AND expires_ms > ?");
        seen.bind(1, queue).bind(2, scope).bind(3, m.dedup_id).bind(4, now);
        if (seen.step()) {
          out.push_back({seen.text(0), seen.integer(1), false});
          continue;
        }
        auto record = db.prepare(
            "INSERT OR REPLACE INTO dedup(queue, scope, dedup_id, message_id, seq, expires_ms) VALUES(?, ?, ?, ?, ?, ?)");
        record.bind(1, queue).bind(2, scope).bind(3, m.dedup_id).bind(4, m.id).bind(5, next_seq);
        record.bind(6, now + cfg->second.dedup_window_ms);
        if (auto r = record.run(); !r) return r.error();
      }
      int64_t seq = next_seq++;
      insert.bind(1, queue).bind(2, m.id).bind(3, m.key).bind_blob(4, m.payload);
      insert.bind(5, m.attributes.empty() ? "{}" : m.attributes).bind(6, now).bind(7, now + m.delay_ms).bind(8, seq);
      auto r = insert.run();
      insert.reset();
      if (!r) return r.error();
      if (db.changes() == 0) {
        auto existing = db.prepare("SELECT seq FROM messages WHERE queue = ? AND id = ?");
        existing.bind(1, queue).bind(2, m.id);
        out.push_back({m.id, existing.step() ? existing.integer(0) : 0, false});
      } else {
        out.push_back({m.id, seq, true});
      }
    }
    return out;
  }

  // Runs write in a transaction shared with other threads' writes.
  base::Status group_commit(const std::function<base::Status()>& write) {
    return writer->run([&](base::Connection&) { return write(); });
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
  if (auto s = add_missing_columns(*db); !s) return s.error();
  auto impl = std::make_unique<Impl>(clock, std::move(*db));
  try {
    auto st = impl->db.prepare(
        "SELECT name, dead_letter_queue, max_receives, retention_ms, fifo, dedup_window_ms, dedup_per_key, "
        "receivable_dead_letters, settings FROM queues");
    while (st.step()) {
      QueueConfig c;
      c.dead_letter_queue = st.text(1);
      c.max_receives = static_cast<int>(st.integer(2));
      c.retention_ms = st.integer(3);
      c.fifo = st.integer(4) != 0;
      c.dedup_window_ms = st.integer(5);
      c.dedup_per_key = st.integer(6) != 0;
      c.receivable_dead_letters = st.integer(7) != 0;
      c.settings = st.text(8);
      impl->configs[st.text(0)] = std::move(c);
    }
    auto seq = impl->db.prepare("SELECT max(coalesce((SELECT max(seq) FROM messages), 0), "
                                "coalesce((SELECT max(seq) FROM dedup), 0))");
    if (seq.step()) impl->next_seq = seq.integer(0) + 1;
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
  if (config.retention_ms < 0 || config.dedup_window_ms < 0)
    return base::make_error(base::ErrorCode::kInvalidArgument, "a retention or dedup window cannot be negative");
  std::lock_guard lock(impl_->mu);
  if (!config.dead_letter_queue.empty()) {
    if (config.dead_letter_queue == name)
      return base::make_error(base::ErrorCode::kInvalidArgument, "a queue cannot be its own dead-letter queue");
    if (!impl_->configs.count(config.dead_letter_queue)) return no_queue(config.dead_letter_queue);
  }
  auto it = impl_->configs.find(name);
  if (it != impl_->configs.end() && it->second == config) return {};
  auto st = impl_->db.prepare(
      "INSERT OR REPLACE INTO queues(name, dead_letter_queue, max_receives, retention_ms, fifo, dedup_window_ms, "
      "dedup_per_key, receivable_dead_letters, settings) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, name).bind(2, config.dead_letter_queue).bind(3, int64_t{config.max_receives});
  st.bind(4, config.retention_ms).bind(5, int64_t{config.fifo}).bind(6, config.dedup_window_ms);
  st.bind(7, int64_t{config.dedup_per_key}).bind(8, int64_t{config.receivable_dead_letters}).bind(9, config.settings);
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

std::vector<QueueInfo> Store::queues(const std::string& prefix) {
  std::lock_guard lock(impl_->mu);
  std::vector<QueueInfo> out;
  for (auto it = impl_->configs.lower_bound(prefix); it != impl_->configs.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back({it->first, it->second});
  }
  return out;
}

base::Status Store::delete_queue(const std::string& name) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(name)) return no_queue(name);
  std::vector<std::string> sources;
  for (const auto& [q, c] : impl_->configs)
    if (c.dead_letter_queue == name) sources.push_back(q);
  auto s = impl_->transaction([&]() -> base::Status {
    for (const char* sql : {"DELETE FROM messages WHERE queue = ?", "DELETE FROM dedup WHERE queue = ?",
                            "DELETE FROM queues WHERE name = ?",
                            "UPDATE queues SET dead_letter_queue = '', max_receives = 0 WHERE dead_letter_queue = ?"}) {
      auto st = impl_->db.prepare(sql);
      st.bind(1, name);
      if (auto r = st.run(); !r) return r;
    }
    return {};
  });
  if (!s) return s;
  impl_->configs.erase(name);
  // Its sources keep their settings but move nothing anywhere now.
  for (const auto& q : sources) {
    impl_->configs[q].dead_letter_queue.clear();
    impl_->configs[q].max_receives = 0;
  }
  return {};
}

base::Result<int> Store::purge(const std::string& queue) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  auto st = impl_->db.prepare("DELETE FROM messages WHERE queue = ? AND source_queue = ''");
  st.bind(1, queue);
  if (auto s = st.run(); !s) return s.error();
  return static_cast<int>(impl_->db.changes());
}

base::Result<bool> Store::send(const std::string& queue, OutgoingMessage m) {
  std::vector<OutgoingMessage> one;
  one.push_back(std::move(m));
  auto n = send_many(queue, std::move(one));
  if (!n) return n.error();
  return n->front().added;
}

base::Result<int> Store::send_batch(const std::string& queue, std::vector<OutgoingMessage> batch) {
  auto outcomes = send_many(queue, std::move(batch));
  if (!outcomes) return outcomes.error();
  int added = 0;
  for (const auto& o : *outcomes) added += o.added ? 1 : 0;
  return added;
}

base::Result<std::vector<SendOutcome>> Store::send_many(const std::string& queue, std::vector<OutgoingMessage> batch) {
  for (const auto& m : batch)
    if (m.delay_ms < 0) return base::make_error(base::ErrorCode::kInvalidArgument, "a delay cannot be negative");
  std::vector<SendOutcome> out;
  auto s = impl_->group_commit([&]() -> base::Status {
    auto r = impl_->write_sends(queue, batch, impl_->clock.now_ms());
    if (!r) return r.error();
    out = std::move(*r);
    return {};
  });
  if (!s) return s.error();
  for (const auto& o : out)
    if (o.added) {
      impl_->notify(queue);
      break;
    }
  return out;
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
          "last_error, dead_condition, source_queue, seq) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const auto& m : messages) {
        st.bind(1, m.queue).bind(2, m.id).bind(3, m.key).bind_blob(4, m.payload);
        st.bind(5, m.attributes.empty() ? "{}" : m.attributes).bind(6, m.sent_ms).bind(7, m.visible_at_ms);
        st.bind(8, int64_t{m.receive_count}).bind(9, m.last_error).bind(10, m.dead_condition).bind(11, m.source_queue);
        st.bind(12, impl_->next_seq++);
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
  std::vector<std::string> full;
  if (options.per_key_limit > 0)
    for (const auto& [k, n] : options.in_flight_by_key)
      if (n >= options.per_key_limit) full.push_back(k);
  // Group-committed like sends and deletes: concurrent receives share an fsync.
  std::string moved_to;  // a dead-letter queue given messages: its waiters are told after the commit
  auto s = impl_->group_commit([&]() -> base::Status {
    out.clear();
    moved_to.clear();
    auto cfg = impl_->configs.find(queue);
    if (cfg == impl_->configs.end()) return no_queue(queue);
    int64_t now = impl_->clock.now_ms();
    int64_t horizon = impl_->horizon(queue, now);
    std::map<std::string, int> load = options.in_flight_by_key;
    if (cfg->second.retention_ms > 0) {
      auto expire = impl_->db.prepare("DELETE FROM messages WHERE queue = ? AND source_queue = '' AND sent_ms <= ?");
      expire.bind(1, queue).bind(2, horizon);
      if (auto r = expire.run(); !r) return r;
    }
    std::vector<Message> candidates;
    {
      // A few more than asked: some may be over their key's cap or their receive limit.
      int64_t limit = int64_t{options.max} * 4 + 16;
      if (cfg->second.fifo) {
        // In send order; a key with a message in flight, or an earlier one not yet due, gives none.
        auto st = impl_->db.prepare(std::string("SELECT ") + kColumns +
                                    " FROM messages m WHERE queue = ?1 AND visible_at_ms <= ?2 AND source_queue = '' "
                                    "AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.queue = ?1 AND o.key = m.key "
                                    "AND o.source_queue = '' AND o.visible_at_ms > ?2 AND (o.lease != '' OR o.seq < m.seq)) "
                                    "ORDER BY seq LIMIT ?3");
        st.bind(1, queue).bind(2, now).bind(3, limit);
        while (st.step()) candidates.push_back(row_of(st, now));
      } else {
        auto st = impl_->db.prepare(std::string("SELECT ") + kColumns +
                                    " FROM messages WHERE queue = ? AND visible_at_ms <= ? AND key NOT IN "
                                    "(SELECT value FROM json_each(?)) ORDER BY visible_at_ms, sent_ms LIMIT ?");
        st.bind(1, queue).bind(2, now).bind(3, json_list(full)).bind(4, limit);
        while (st.step()) candidates.push_back(row_of(st, now));
      }
    }
    auto lease = impl_->db.prepare(
        "UPDATE messages SET receive_count = receive_count + 1, lease = ?, visible_at_ms = ?, "
        "first_received_ms = CASE WHEN first_received_ms = 0 THEN ?3 ELSE first_received_ms END, leased_ms = ?3 "
        "WHERE queue = ?4 AND id = ?5");
    for (auto& m : candidates) {
      if (static_cast<int>(out.size()) >= options.max) break;
      if (cfg->second.max_receives > 0 && m.receive_count >= cfg->second.max_receives && m.source_queue.empty()) {
        spdlog::warn("queue {}: message {} received {} times, moved to {}", queue, m.id, m.receive_count,
                     cfg->second.dead_letter_queue);
        if (auto r = impl_->move_to_dead_letters(queue, m.id, cfg->second.dead_letter_queue, "MaxReceivesExceeded",
                                                 "", now);
            !r)
          return r;
        moved_to = cfg->second.dead_letter_queue;
        continue;
      }
      if (options.per_key_limit > 0 && load[m.key] >= options.per_key_limit) continue;
      m.lease = base::random_hex(12);
      m.visible_at_ms = now + options.visibility_ms;
      m.receive_count += 1;
      if (m.first_received_ms == 0) m.first_received_ms = now;
      m.leased_ms = now;
      m.state = MessageState::kInFlight;
      lease.bind(1, m.lease).bind(2, m.visible_at_ms).bind(3, now).bind(4, queue).bind(5, m.id);
      auto r = lease.run();
      lease.reset();
      if (!r) return r;
      ++load[m.key];
      out.push_back(std::move(m));
    }
    return {};
  });
  if (!s) return s.error();
  if (!moved_to.empty()) impl_->notify(moved_to);
  return out;
}

base::Status Store::ack(const std::string& queue, const std::string& id, const std::string& lease) {
  return impl_->group_commit([&]() -> base::Status {
    auto st = impl_->db.prepare("DELETE FROM messages WHERE queue = ? AND id = ? AND lease = ? AND source_queue = ''");
    st.bind(1, queue).bind(2, id).bind(3, lease);
    if (auto s = st.run(); !s) return s;
    if (impl_->db.changes() == 0)
      return base::make_error(base::ErrorCode::kNotFound,
                              "message " + id + " of queue " + queue + " is not under this lease");
    return {};
  });
}

base::Result<bool> Store::remove(const std::string& queue, const std::string& id) {
  bool removed = false, fifo = false;
  {
    std::lock_guard lock(impl_->mu);
    auto cfg = impl_->configs.find(queue);
    if (cfg == impl_->configs.end()) return no_queue(queue);
    fifo = cfg->second.fifo;
  }
  // Deletes are group-committed like sends: many consumers' deletes share an fsync.
  auto s = impl_->group_commit([&]() -> base::Status {
    if (!impl_->configs.count(queue)) return no_queue(queue);
    auto st = impl_->db.prepare("DELETE FROM messages WHERE queue = ? AND id = ? AND source_queue = ''");
    st.bind(1, queue).bind(2, id);
    if (auto r = st.run(); !r) return r;
    removed = impl_->db.changes() > 0;
    return {};
  });
  if (!s) return s.error();
  if (removed && fifo) impl_->notify(queue);
  return removed;
}

base::Result<int64_t> Store::next_visible_after(const std::string& queue, int64_t after_ms) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  try {
    auto st = impl_->db.prepare(
        "SELECT min(visible_at_ms) FROM messages WHERE queue = ? AND source_queue = '' AND visible_at_ms > ? "
        "AND sent_ms > ?");
    st.bind(1, queue).bind(2, after_ms).bind(3, impl_->horizon(queue, impl_->clock.now_ms()));
    if (!st.step() || st.is_null(0)) return int64_t{0};
    return st.integer(0);
  } catch (const std::exception& e) {
    return sql_error(e);
  }
}

base::Status Store::change_visibility(const std::string& queue, const std::string& id, const std::string& lease,
                                      int64_t visibility_ms) {
  if (visibility_ms < 0) return base::make_error(base::ErrorCode::kInvalidArgument, "a visibility cannot be negative");
  auto changed = impl_->group_commit([&]() -> base::Status {
    auto st = impl_->db.prepare(
        "UPDATE messages SET visible_at_ms = ? WHERE queue = ? AND id = ? AND lease = ? AND source_queue = ''");
    st.bind(1, impl_->clock.now_ms() + visibility_ms).bind(2, queue).bind(3, id).bind(4, lease);
    if (auto s = st.run(); !s) return s;
    if (impl_->db.changes() == 0)
      return base::make_error(base::ErrorCode::kNotFound,
                              "message " + id + " of queue " + queue + " is not under this lease");
    return {};
  });
  if (!changed) return changed;
  impl_->notify(queue);  // a shorter lease moves the next wake-up earlier: waiters look again
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

base::Result<int> Store::move(const std::string& from, const std::string& to, int max) {
  std::vector<std::string> touched;
  int n = 0;
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->configs.count(from)) return no_queue(from);
    if (!to.empty() && !impl_->configs.count(to)) return no_queue(to);
    int64_t now = impl_->clock.now_ms();
    auto s = impl_->transaction([&]() -> base::Status {
      std::vector<std::pair<std::string, std::string>> picked;  // id, destination
      {
        auto st = impl_->db.prepare(
            "SELECT id, origin_queue FROM messages WHERE queue = ? AND source_queue = '' AND sent_ms > ? AND "
            "(lease = '' OR visible_at_ms <= ?) AND (? != '' OR origin_queue != '') ORDER BY seq LIMIT ?");
        st.bind(1, from).bind(2, impl_->horizon(from, now)).bind(3, now).bind(4, to).bind(5, int64_t{max});
        while (st.step()) {
          std::string dest = to.empty() ? st.text(1) : to;
          if (impl_->configs.count(dest)) picked.emplace_back(st.text(0), dest);
        }
      }
      // OR IGNORE: a message whose id is alive in the destination already stays.
      auto st = impl_->db.prepare(
          "UPDATE OR IGNORE messages SET queue = ?, origin_queue = '', lease = '', receive_count = 0, "
          "visible_at_ms = ? WHERE queue = ? AND id = ?");
      for (const auto& [id, dest] : picked) {
        st.bind(1, dest).bind(2, now).bind(3, from).bind(4, id);
        auto r = st.run();
        st.reset();
        if (!r) return r;
        if (impl_->db.changes()) {
          ++n;
          touched.push_back(dest);
        }
      }
      return {};
    });
    if (!s) return s.error();
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (const auto& q : touched) impl_->notify(q);
  return n;
}

base::Result<std::vector<Message>> Store::list(const std::string& queue, int limit) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  std::vector<Message> out;
  try {
    int64_t now = impl_->clock.now_ms();
    auto st = impl_->db.prepare(std::string("SELECT ") + kColumns +
                                " FROM messages WHERE queue = ? AND (sent_ms > ? OR source_queue != '') "
                                "ORDER BY sent_ms, seq, id LIMIT ?");
    st.bind(1, queue).bind(2, impl_->horizon(queue, now)).bind(3, limit > 0 ? int64_t{limit} : int64_t{-1});
    while (st.step()) out.push_back(row_of(st, now));
  } catch (const std::exception& e) {
    return sql_error(e);
  }
  return out;
}

base::Result<Message> Store::get(const std::string& queue, const std::string& id) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  try {
    auto st = impl_->db.prepare(std::string("SELECT ") + kColumns + " FROM messages WHERE queue = ? AND id = ?");
    st.bind(1, queue).bind(2, id);
    if (!st.step()) return base::make_error(base::ErrorCode::kNotFound, "no message " + id + " in queue " + queue);
    return row_of(st, impl_->clock.now_ms());
  } catch (const std::exception& e) {
    return sql_error(e);
  }
}

base::Result<int64_t> Store::next_visible_ms(const std::string& queue, const std::vector<std::string>& exclude_keys) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->configs.count(queue)) return no_queue(queue);
  try {
    auto st = impl_->db.prepare(
        "SELECT min(visible_at_ms) FROM messages WHERE queue = ? AND sent_ms > ? AND key NOT IN "
        "(SELECT value FROM json_each(?))");
    st.bind(1, queue).bind(2, impl_->horizon(queue, impl_->clock.now_ms())).bind(3, json_list(exclude_keys));
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
    int64_t now = impl_->clock.now_ms();
    auto st = impl_->db.prepare(
        "SELECT key, sum(visible_at_ms <= ?1), sum(visible_at_ms > ?1 AND lease = ''), "
        "sum(visible_at_ms > ?1 AND lease != ''), min(sent_ms) FROM messages WHERE queue = ?2 AND "
        "(sent_ms > ?3 OR source_queue != '') GROUP BY key");
    st.bind(1, now).bind(2, queue).bind(3, impl_->horizon(queue, now));
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
