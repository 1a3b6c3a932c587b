#include "topics/store.h"

#include <boost/json.hpp>
#include <map>
#include <mutex>

#include "base/sqlite.h"

namespace nimbus::topics {

namespace json = boost::json;

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS topics (
  arn TEXT PRIMARY KEY, name TEXT NOT NULL, fifo INTEGER NOT NULL, attributes TEXT NOT NULL, tags TEXT NOT NULL,
  subscriptions_deleted INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (
  arn TEXT PRIMARY KEY, topic_arn TEXT NOT NULL, protocol TEXT NOT NULL, endpoint TEXT NOT NULL,
  attributes TEXT NOT NULL, token TEXT NOT NULL, confirmed INTEGER NOT NULL, created_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS subscriptions_by_topic ON subscriptions (topic_arn);
CREATE TABLE IF NOT EXISTS fifo_dedup (
  topic_arn TEXT NOT NULL, dedup_id TEXT NOT NULL, message_id TEXT NOT NULL, sequence_number TEXT NOT NULL,
  expires_ms INTEGER NOT NULL, PRIMARY KEY (topic_arn, dedup_id));
)";

std::string to_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return json::serialize(o);
}

std::map<std::string, std::string> from_json(const std::string& text) {
  std::map<std::string, std::string> m;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return m;
  for (const auto& [k, x] : v.as_object())
    if (x.is_string()) m[std::string(k)] = std::string(x.as_string());
  return m;
}

base::Error not_found(const std::string& what) { return base::make_error(base::ErrorCode::kNotFound, what); }

template <typename Row>
std::optional<Row> find_row(const std::map<std::string, Row>& rows, const std::string& key) {
  auto it = rows.find(key);
  if (it == rows.end()) return std::nullopt;
  return it->second;
}

template <typename Row, typename Keep>
std::vector<Row> rows_where(const std::map<std::string, Row>& rows, Keep keep) {
  std::vector<Row> out;
  for (const auto& [key, row] : rows)
    if (keep(row)) out.push_back(row);
  return out;
}

}  // namespace

struct Store::Impl {
  base::Connection db;
  std::mutex write_mu;  // one writer at a time, SQL then memory
  mutable std::mutex mu;  // the in-memory state
  std::map<std::string, Topic> topics;
  std::map<std::string, Subscription> subscriptions;

  base::Status write_topic(const Topic& t) {
    return db.prepare("INSERT OR REPLACE INTO topics VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, t.arn)
        .bind(2, t.name)
        .bind(3, int64_t{t.fifo})
        .bind(4, to_json(t.attributes))
        .bind(5, to_json(t.tags))
        .bind(6, t.subscriptions_deleted)
        .bind(7, t.created_ms)
        .run();
  }
  base::Status write_subscription(const Subscription& s) {
    return db.prepare("INSERT OR REPLACE INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, s.arn)
        .bind(2, s.topic_arn)
        .bind(3, s.protocol)
        .bind(4, s.endpoint)
        .bind(5, to_json(s.attributes))
        .bind(6, s.token)
        .bind(7, int64_t{s.confirmed})
        .bind(8, s.created_ms)
        .run();
  }
  template <typename F>
  base::Status tx(F&& f) {
    return base::in_transaction(db, std::forward<F>(f));
  }

  // Read, change, write, then publish: the one shape of every single-row update.
  template <typename Row, typename Change, typename Write>
  base::Status update(std::map<std::string, Row>& rows, const std::string& key, const char* missing, Change change,
                      Write write) {
    std::lock_guard w(write_mu);
    std::optional<Row> row;
    {
      std::lock_guard l(mu);
      row = find_row(rows, key);
    }
    if (!row) return not_found(missing);
    change(*row);
    if (auto s = tx([&] { return (this->*write)(*row); }); !s) return s;
    std::lock_guard l(mu);
    rows[key] = std::move(*row);
    return {};
  }
};

base::Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  auto db = base::Connection::open(path, false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  try {
    auto st = impl->db.prepare("SELECT arn, name, fifo, attributes, tags, subscriptions_deleted, created_ms FROM topics");
    while (st.step()) {
      Topic t{st.text(0), st.text(1), st.integer(2) != 0, from_json(st.text(3)), from_json(st.text(4)), st.integer(5),
              st.integer(6)};
      impl->topics[t.arn] = std::move(t);
    }
    auto ss = impl->db.prepare(
        "SELECT arn, topic_arn, protocol, endpoint, attributes, token, confirmed, created_ms FROM subscriptions");
    while (ss.step()) {
      Subscription s{ss.text(0), ss.text(1), ss.text(2), ss.text(3), from_json(ss.text(4)),
                     ss.text(5), ss.integer(6) != 0, ss.integer(7)};
      impl->subscriptions[s.arn] = std::move(s);
    }
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kIo, std::string("reading ") + path + ": " + e.what());
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

base::Result<std::pair<Topic, bool>> Store::create_topic(Topic t) {
  std::lock_guard w(impl_->write_mu);
  if (auto existing = topic(t.arn)) return std::pair{*existing, false};
  if (auto s = impl_->tx([&] { return impl_->write_topic(t); }); !s) return s.error();
  std::lock_guard l(impl_->mu);
  impl_->topics[t.arn] = t;
  return std::pair{t, true};
}

base::Status Store::delete_topic(const std::string& arn) {
  std::lock_guard w(impl_->write_mu);
  auto s = impl_->tx([&]() -> base::Status {
    if (auto r = impl_->db.prepare("DELETE FROM subscriptions WHERE topic_arn = ?").bind(1, arn).run(); !r) return r;
    return impl_->db.prepare("DELETE FROM topics WHERE arn = ?").bind(1, arn).run();
  });
  if (!s) return s;
  std::lock_guard l(impl_->mu);
  impl_->topics.erase(arn);
  std::erase_if(impl_->subscriptions, [&](const auto& kv) { return kv.second.topic_arn == arn; });
  return {};
}

base::Status Store::set_topic_attribute(const std::string& arn, const std::string& name, const std::string& value) {
  return impl_->update(
      impl_->topics, arn, "Topic does not exist",
      [&](Topic& t) {
        if (value.empty()) t.attributes.erase(name);
        else t.attributes[name] = value;
      },
      &Impl::write_topic);
}

base::Status Store::set_tags(const std::string& arn, std::map<std::string, std::string> tags) {
  return impl_->update(impl_->topics, arn, "Resource does not exist", [&](Topic& t) { t.tags = std::move(tags); },
                       &Impl::write_topic);
}

base::Result<std::pair<Subscription, bool>> Store::subscribe(Subscription s) {
  std::lock_guard w(impl_->write_mu);
  if (!topic(s.topic_arn)) return not_found("Topic does not exist");
  {
    std::lock_guard l(impl_->mu);
    for (const auto& [arn, existing] : impl_->subscriptions)
      if (existing.topic_arn == s.topic_arn && existing.protocol == s.protocol && existing.endpoint == s.endpoint)
        return std::pair{existing, false};
  }
  if (auto r = impl_->tx([&] { return impl_->write_subscription(s); }); !r) return r.error();
  std::lock_guard l(impl_->mu);
  impl_->subscriptions[s.arn] = s;
  return std::pair{s, true};
}

base::Status Store::confirm(const std::string& arn) {
  return impl_->update(impl_->subscriptions, arn, "Subscription does not exist", [](Subscription& s) { s.confirmed = true; },
                       &Impl::write_subscription);
}

base::Status Store::unsubscribe(const std::string& arn) {
  std::lock_guard w(impl_->write_mu);
  auto s = subscription(arn);
  if (!s) return not_found("Subscription does not exist");
  auto t = topic(s->topic_arn);
  if (t) ++t->subscriptions_deleted;
  auto r = impl_->tx([&]() -> base::Status {
    if (auto d = impl_->db.prepare("DELETE FROM subscriptions WHERE arn = ?").bind(1, arn).run(); !d) return d;
    return t ? impl_->write_topic(*t) : base::Status{};
  });
  if (!r) return r;
  std::lock_guard l(impl_->mu);
  impl_->subscriptions.erase(arn);
  if (t) impl_->topics[t->arn] = std::move(*t);
  return {};
}

base::Status Store::set_subscription_attribute(const std::string& arn, const std::string& name,
                                               const std::string& value) {
  return impl_->update(
      impl_->subscriptions, arn, "Subscription does not exist",
      [&](Subscription& s) {
        if (value.empty()) s.attributes.erase(name);
        else s.attributes[name] = value;
      },
      &Impl::write_subscription);
}

std::optional<Topic> Store::topic(const std::string& arn) const {
  std::lock_guard l(impl_->mu);
  return find_row(impl_->topics, arn);
}

std::vector<Topic> Store::topics() const {
  std::lock_guard l(impl_->mu);
  return rows_where(impl_->topics, [](const Topic&) { return true; });
}

std::optional<Subscription> Store::subscription(const std::string& arn) const {
  std::lock_guard l(impl_->mu);
  return find_row(impl_->subscriptions, arn);
}

std::vector<Subscription> Store::subscriptions() const {
  std::lock_guard l(impl_->mu);
  return rows_where(impl_->subscriptions, [](const Subscription&) { return true; });
}

std::vector<Subscription> Store::subscriptions_of(const std::string& topic_arn) const {
  std::lock_guard l(impl_->mu);
  return rows_where(impl_->subscriptions, [&](const Subscription& s) { return s.topic_arn == topic_arn; });
}

std::optional<Subscription> Store::by_token(const std::string& topic_arn, const std::string& token) const {
  std::lock_guard l(impl_->mu);
  for (const auto& [arn, s] : impl_->subscriptions)
    if (s.topic_arn == topic_arn && !s.token.empty() && s.token == token) return s;
  return std::nullopt;
}

base::Status Store::remember_dedup(const std::vector<DedupRecord>& records, int64_t now_ms) {
  std::lock_guard w(impl_->write_mu);
  return impl_->tx([&]() -> base::Status {
    if (auto s = impl_->db.prepare("DELETE FROM fifo_dedup WHERE expires_ms <= ?").bind(1, now_ms).run(); !s) return s;
    auto st = impl_->db.prepare("INSERT OR REPLACE INTO fifo_dedup VALUES (?, ?, ?, ?, ?)");
    for (const auto& r : records) {
      st.bind(1, r.topic_arn).bind(2, r.dedup_id).bind(3, r.message_id).bind(4, r.sequence_number).bind(5, r.expires_ms);
      if (auto s = st.run(); !s) return s;
      st.reset();
    }
    return {};
  });
}

std::vector<Store::DedupRecord> Store::dedup_records(int64_t now_ms) const {
  std::vector<DedupRecord> out;
  std::lock_guard w(impl_->write_mu);
  try {
    auto st = impl_->db.prepare(
        "SELECT topic_arn, dedup_id, message_id, sequence_number, expires_ms FROM fifo_dedup WHERE expires_ms > ?");
    st.bind(1, now_ms);
    while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.integer(4)});
  } catch (const std::exception&) {
    // Unreadable records deduplicate nothing: the window starts afresh, as before they were kept.
  }
  return out;
}

}  // namespace nimbus::topics
