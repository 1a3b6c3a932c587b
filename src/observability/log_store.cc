#include "observability/log_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "base/sqlite.h"
#include "base/time.h"
#include "observability/batch_writer.h"
#include "observability/filter_pattern.h"
#include "observability/store_db.h"

namespace nimbus::observability {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS log_groups(
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, created_ms INTEGER NOT NULL,
  retention_days INTEGER, stored_bytes INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS log_streams(
  id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, name TEXT NOT NULL, created_ms INTEGER NOT NULL,
  first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, last_ingestion_ms INTEGER NOT NULL, UNIQUE(group_id, name));
CREATE TABLE IF NOT EXISTS log_events(
  id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL, ts INTEGER NOT NULL,
  ingestion_ms INTEGER NOT NULL, request_id TEXT NOT NULL, size INTEGER NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events(group_id, ts, id);
CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events(stream_id, id);
)";

constexpr size_t kMaxPageBytes = 1 << 20;  // CloudWatch answers at most 1 MB of events
constexpr size_t kMaxScannedRows = 50000;  // then a page ends early, with a token to go on

constexpr size_t kRowsPerInsert = 32;

// INSERT of n log events (7 columns each).
const std::string& insert_sql(size_t n) {
  static const std::vector<std::string> sql = [] {
    std::vector<std::string> all(kRowsPerInsert + 1);
    for (size_t k = 1; k <= kRowsPerInsert; ++k) {
      all[k] = "INSERT INTO log_events(group_id, stream_id, ts, ingestion_ms, request_id, size, message) VALUES ";
      for (size_t i = 0; i < k; ++i) all[k] += i ? ",(?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?)";
    }
    return all;
  }();
  return sql[n];
}

struct Pending {
  std::string group, stream, request_id, message;
  int64_t timestamp_ms;
};

// Splits at or before `max` bytes without cutting a UTF-8 sequence.
size_t split_point(std::string_view s, size_t max) {
  if (s.size() <= max) return s.size();
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut == 0 ? max : cut;
}

// Inside a transaction a failed statement ends it: the caller rolls back.
void check(base::Status s) {
  if (!s) throw std::runtime_error(s.error().message);
}

base::Error not_found(std::string_view what) {
  return base::make_error(base::ErrorCode::kNotFound, "The specified " + std::string(what) + " does not exist.");
}

}  // namespace

struct LogStore::Impl {
  LogStoreOptions options;
  std::mutex write_mu;  // the writing connection and the id caches
  base::Connection wdb;
  std::map<std::string, int64_t, std::less<>> group_ids;
  std::map<std::pair<int64_t, std::string>, int64_t> stream_ids;
  std::mutex read_mu;
  base::Connection rdb;

  std::unique_ptr<BatchWriter<Pending>> writer;

  int64_t group_id(std::string_view name, int64_t now) {
    if (auto it = group_ids.find(name); it != group_ids.end()) return it->second;
    check(wdb.prepare("INSERT OR IGNORE INTO log_groups(name, created_ms) VALUES(?, ?)").bind(1, name).bind(2, now).run());
    auto st = wdb.prepare("SELECT id FROM log_groups WHERE name = ?");
    st.bind(1, name);
    int64_t id = st.step() ? st.integer(0) : 0;
    group_ids.emplace(std::string(name), id);
    return id;
  }

  int64_t stream_id(int64_t group, const std::string& name, int64_t ts, int64_t now) {
    auto key = std::make_pair(group, name);
    if (auto it = stream_ids.find(key); it != stream_ids.end()) return it->second;
    check(wdb.prepare(
           "INSERT OR IGNORE INTO log_streams(group_id, name, created_ms, first_ms, last_ms, last_ingestion_ms) "
           "VALUES(?, ?, ?, ?, ?, ?)")
        .bind(1, group).bind(2, name).bind(3, now).bind(4, ts).bind(5, ts).bind(6, now).run());
    auto st = wdb.prepare("SELECT id FROM log_streams WHERE group_id = ? AND name = ?");
    st.bind(1, group).bind(2, name);
    int64_t id = st.step() ? st.integer(0) : 0;
    stream_ids.emplace(key, id);
    return id;
  }

  base::Status write(std::vector<Pending>& batch) {
    std::lock_guard lock(write_mu);
    int64_t now = base::now_ms();
    if (auto s = wdb.exec("BEGIN IMMEDIATE"); !s) return s;
    std::map<int64_t, uint64_t> group_bytes;
    std::map<int64_t, int64_t> stream_last;
    // Rows go in kRowsPerInsert at a time: one statement step for many rows.
    for (size_t first = 0; first < batch.size(); first += kRowsPerInsert) {
      size_t n = std::min(kRowsPerInsert, batch.size() - first);
      auto st = wdb.prepare(insert_sql(n));
      for (size_t i = 0; i < n; ++i) {
        const Pending& p = batch[first + i];
        int64_t g = group_id(p.group, now);
        int64_t s = stream_id(g, p.stream, p.timestamp_ms, now);
        int c = static_cast<int>(i) * 7;
        st.bind(c + 1, g).bind(c + 2, s).bind(c + 3, p.timestamp_ms).bind(c + 4, now).bind(c + 5, p.request_id);
        st.bind(c + 6, static_cast<int64_t>(p.message.size())).bind(c + 7, p.message);
        group_bytes[g] += p.message.size();
        stream_last[s] = std::max(stream_last[s], p.timestamp_ms);
      }
      check(st.run());
    }
    for (auto [g, bytes] : group_bytes)
      check(wdb.prepare("UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE id = ?")
          .bind(1, static_cast<int64_t>(bytes)).bind(2, g).run());
    for (auto [s, last] : stream_last)
      check(wdb.prepare("UPDATE log_streams SET last_ms = max(last_ms, ?), last_ingestion_ms = ? WHERE id = ?")
          .bind(1, last).bind(2, now).bind(3, s).run());
    return wdb.exec("COMMIT");
  }

  void write_batch(std::vector<Pending>& batch) {
    try {
      if (auto s = write(batch); !s) {
        spdlog::error("logs: could not store {} lines: {}", batch.size(), s.error().message);
        (void)wdb.exec("ROLLBACK");
      }
    } catch (const std::exception& e) {
      spdlog::error("logs: could not store {} lines: {}", batch.size(), e.what());
      (void)wdb.exec("ROLLBACK");
    }
  }

  base::Status enforce(int64_t now) {
    std::lock_guard lock(write_mu);
    try {
      if (auto s = wdb.exec("BEGIN IMMEDIATE"); !s) return s;
      std::vector<std::pair<int64_t, int>> ages;
      {
        auto st = wdb.prepare("SELECT id, retention_days FROM log_groups");
        while (st.step()) {
          int days = st.is_null(1) ? options.retention_days : static_cast<int>(st.integer(1));
          if (days > 0) ages.emplace_back(st.integer(0), days);
        }
      }
      for (auto [g, days] : ages) {
        int64_t cutoff = now - int64_t{days} * 86'400'000;
        auto sum = wdb.prepare("SELECT coalesce(sum(size), 0) FROM log_events WHERE group_id = ? AND ts < ?");
        sum.bind(1, g).bind(2, cutoff);
        int64_t bytes = sum.step() ? sum.integer(0) : 0;
        if (bytes == 0) continue;
        check(wdb.prepare("DELETE FROM log_events WHERE group_id = ? AND ts < ?").bind(1, g).bind(2, cutoff).run());
        check(wdb.prepare("UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?")
            .bind(1, bytes).bind(2, g).run());
      }
      auto total_st = wdb.prepare("SELECT coalesce(sum(stored_bytes), 0) FROM log_groups");
      uint64_t total = total_st.step() ? static_cast<uint64_t>(total_st.integer(0)) : 0;
      total_st.reset();
      // Over the size bound: the oldest events go, down to 90 % of it.
      while (total > options.max_bytes) {
        uint64_t target = options.max_bytes / 10 * 9;
        std::map<int64_t, int64_t> freed;
        int64_t last_id = -1;
        {
          auto st = wdb.prepare("SELECT id, group_id, size FROM log_events ORDER BY id LIMIT 2000");
          while (total > target && st.step()) {
            last_id = st.integer(0);
            freed[st.integer(1)] += st.integer(2);
            total -= std::min<uint64_t>(total, static_cast<uint64_t>(st.integer(2)));
          }
        }
        if (last_id < 0) break;
        check(wdb.prepare("DELETE FROM log_events WHERE id <= ?").bind(1, last_id).run());
        for (auto [g, bytes] : freed)
          check(wdb.prepare("UPDATE log_groups SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?")
              .bind(1, bytes).bind(2, g).run());
      }
      return wdb.exec("COMMIT");
    } catch (const std::exception& e) {
      (void)wdb.exec("ROLLBACK");
      return base::make_error(base::ErrorCode::kIo, e.what());
    }
  }

  std::optional<int64_t> find_group(std::string_view name) {
    auto st = rdb.prepare("SELECT id FROM log_groups WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return st.integer(0);
  }
};

LogStore::LogStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LogStore::~LogStore() { impl_->writer.reset(); }

base::Result<std::unique_ptr<LogStore>> LogStore::open(const std::string& dir, LogStoreOptions options) {
  auto db = open_store_db(dir, "logs.db", kSchema);
  if (!db) return db.error();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->wdb = std::move(db->writer);
  impl->rdb = std::move(db->reader);
  std::unique_ptr<LogStore> store(new LogStore(std::move(impl)));
  Impl* i = store->impl_.get();
  i->writer = std::make_unique<BatchWriter<Pending>>(BatchWriter<Pending>::Options{
      options.flush_interval, [i](std::vector<Pending>& batch) { i->write_batch(batch); },
      options.retention_interval, [i] {
        if (auto s = i->enforce(base::now_ms()); !s) spdlog::warn("logs: retention: {}", s.error().message);
      }});
  return store;
}

void LogStore::append(std::string_view group, std::string_view stream, std::string_view request_id,
                      int64_t timestamp_ms, std::string_view message) {
  std::vector<Pending> parts;
  do {
    size_t n = split_point(message, kMaxEventBytes);
    parts.push_back(Pending{std::string(group), std::string(stream), std::string(request_id),
                            std::string(message.substr(0, n)), timestamp_ms});
    message.remove_prefix(n);
  } while (!message.empty());
  uint64_t bytes = 0;
  for (const auto& p : parts) bytes += p.message.size();
  impl_->writer->push(std::move(parts), bytes);
}

uint64_t LogStore::backlog_bytes() const { return impl_->writer->backlog_bytes(); }

void LogStore::flush() { impl_->writer->flush(); }

base::Result<std::vector<LogGroupInfo>> LogStore::groups(std::string_view prefix) {
  std::lock_guard lock(impl_->read_mu);
  std::vector<LogGroupInfo> out;
  auto st = impl_->rdb.prepare(
      "SELECT name, created_ms, retention_days, stored_bytes FROM log_groups WHERE substr(name, 1, ?) = ? "
      "ORDER BY name");
  st.bind(1, static_cast<int64_t>(prefix.size())).bind(2, prefix);
  while (st.step()) {
    LogGroupInfo g;
    g.name = st.text(0);
    g.created_ms = st.integer(1);
    if (!st.is_null(2)) g.retention_days = static_cast<int>(st.integer(2));
    g.stored_bytes = static_cast<uint64_t>(st.integer(3));
    out.push_back(std::move(g));
  }
  return out;
}

base::Result<std::vector<LogStreamInfo>> LogStore::streams(std::string_view group, std::string_view prefix) {
  std::lock_guard lock(impl_->read_mu);
  auto g = impl_->find_group(group);
  if (!g) return not_found("log group");
  std::vector<LogStreamInfo> out;
  auto st = impl_->rdb.prepare(
      "SELECT name, created_ms, first_ms, last_ms, last_ingestion_ms FROM log_streams "
      "WHERE group_id = ? AND substr(name, 1, ?) = ? ORDER BY name");
  st.bind(1, *g).bind(2, static_cast<int64_t>(prefix.size())).bind(3, prefix);
  while (st.step())
    out.push_back(LogStreamInfo{st.text(0), st.integer(1), st.integer(2), st.integer(3), st.integer(4)});
  return out;
}

base::Result<LogPage> LogStore::query(const LogQuery& q) {
  auto pattern = FilterPattern::parse(q.pattern);
  if (!pattern) return pattern.error();
  int64_t after_ts = std::numeric_limits<int64_t>::min(), after_id = 0;
  if (!q.after.empty()) {
    auto colon = q.after.find(':');
    try {
      after_ts = std::stoll(q.after.substr(0, colon));
      after_id = std::stoll(q.after.substr(colon + 1));
    } catch (const std::exception&) {
      return base::make_error(base::ErrorCode::kInvalidArgument, "The specified nextToken is invalid.");
    }
  }
  std::lock_guard lock(impl_->read_mu);
  auto g = impl_->find_group(q.group);
  if (!g) return not_found("log group");
  LogPage page;
  size_t bytes = 0, scanned = 0;
  bool more = true;
  while (more) {
    auto st = impl_->rdb.prepare(
        "SELECT e.id, s.name, e.ts, e.ingestion_ms, e.request_id, e.message FROM log_events e "
        "JOIN log_streams s ON s.id = e.stream_id WHERE e.group_id = ?1 AND e.ts >= ?2 AND e.ts < ?3 "
        "AND (e.ts > ?4 OR (e.ts = ?4 AND e.id > ?5)) AND (?6 = '' OR e.request_id = ?6) "
        "ORDER BY e.ts, e.id LIMIT 1000");
    st.bind(1, *g).bind(2, q.start_ms).bind(3, q.end_ms).bind(4, after_ts).bind(5, after_id).bind(6, q.request_id);
    size_t rows = 0;
    while (st.step()) {
      ++rows;
      ++scanned;
      after_id = st.integer(0);
      after_ts = st.integer(2);
      std::string stream = st.text(1);
      if (!q.streams.empty() && std::find(q.streams.begin(), q.streams.end(), stream) == q.streams.end()) continue;
      if (stream.rfind(q.stream_prefix, 0) != 0) continue;
      std::string message = st.text(5);
      if (!pattern->matches(message)) continue;
      bytes += message.size();
      page.events.push_back(LogEvent{after_id, std::move(stream), after_ts, st.integer(3), st.text(4), std::move(message)});
      if (page.events.size() >= q.limit || bytes >= kMaxPageBytes || scanned >= kMaxScannedRows) break;
    }
    if (page.events.size() >= q.limit || bytes >= kMaxPageBytes || scanned >= kMaxScannedRows) {
      page.next = std::to_string(after_ts) + ":" + std::to_string(after_id);
      more = false;
    } else if (rows < 1000) {
      more = false;
    }
  }
  return page;
}

base::Result<LogPage> LogStore::read_stream(const StreamQuery& q) {
  bool backward = q.token.rfind("b/", 0) == 0;
  int64_t from = 0;
  if (!q.token.empty()) {
    if (q.token.size() < 3 || (q.token[0] != 'f' && q.token[0] != 'b') || q.token[1] != '/')
      return base::make_error(base::ErrorCode::kInvalidArgument, "The specified nextToken is invalid.");
    try {
      from = std::stoll(q.token.substr(2));
    } catch (const std::exception&) {
      return base::make_error(base::ErrorCode::kInvalidArgument, "The specified nextToken is invalid.");
    }
    // Row ids are positive: anything else was not a token of ours (and from +/- 1 must not overflow).
    if (from < 0 || from == std::numeric_limits<int64_t>::max())
      return base::make_error(base::ErrorCode::kInvalidArgument, "The specified nextToken is invalid.");
  }
  std::lock_guard lock(impl_->read_mu);
  auto g = impl_->find_group(q.group);
  if (!g) return not_found("log group");
  auto sid = impl_->rdb.prepare("SELECT id FROM log_streams WHERE group_id = ? AND name = ?");
  sid.bind(1, *g).bind(2, q.stream);
  if (!sid.step()) return not_found("log stream");
  int64_t stream = sid.integer(0);
  sid.reset();
  bool ascending = q.token.empty() ? q.from_head : !backward;
  std::string sql =
      "SELECT id, ts, ingestion_ms, request_id, message FROM log_events WHERE stream_id = ?1 AND ts >= ?2 AND "
      "ts < ?3 AND ";
  sql += ascending ? "id > ?4 ORDER BY id LIMIT ?5" : "id < ?4 ORDER BY id DESC LIMIT ?5";
  auto st = impl_->rdb.prepare(sql);
  int64_t bound = ascending ? from : (q.token.empty() ? std::numeric_limits<int64_t>::max() : from);
  st.bind(1, stream).bind(2, q.start_ms).bind(3, q.end_ms).bind(4, bound).bind(5, static_cast<int64_t>(q.limit));
  LogPage page;
  size_t bytes = 0;
  while (st.step() && bytes < kMaxPageBytes) {
    std::string message = st.text(4);
    bytes += message.size();
    page.events.push_back(LogEvent{st.integer(0), q.stream, st.integer(1), st.integer(2), st.text(3), std::move(message)});
  }
  if (!ascending) std::reverse(page.events.begin(), page.events.end());
  if (page.events.empty()) {
    page.forward = ascending ? "f/" + std::to_string(from) : "f/" + std::to_string(q.token.empty() ? 0 : from - 1);
    page.backward = "b/" + std::to_string(ascending ? from + 1 : from);
  } else {
    page.forward = "f/" + std::to_string(page.events.back().id);
    page.backward = "b/" + std::to_string(page.events.front().id);
  }
  return page;
}

base::Status LogStore::create_group(std::string_view group) {
  std::lock_guard lock(impl_->write_mu);
  auto st = impl_->wdb.prepare("INSERT INTO log_groups(name, created_ms) VALUES(?, ?)");
  st.bind(1, group).bind(2, base::now_ms());
  if (auto s = st.run(); !s)
    return base::make_error(base::ErrorCode::kAlreadyExists, "The specified log group already exists");
  return {};
}

base::Status LogStore::delete_group(std::string_view group) {
  flush();
  std::lock_guard lock(impl_->write_mu);
  auto find = impl_->wdb.prepare("SELECT id FROM log_groups WHERE name = ?");
  find.bind(1, group);
  if (!find.step()) return not_found("log group");
  int64_t g = find.integer(0);
  find.reset();
  impl_->group_ids.erase(std::string(group));
  std::erase_if(impl_->stream_ids, [g](const auto& kv) { return kv.first.first == g; });
  if (auto s = impl_->wdb.exec("BEGIN IMMEDIATE"); !s) return s;
  try {
    check(impl_->wdb.prepare("DELETE FROM log_events WHERE group_id = ?").bind(1, g).run());
    check(impl_->wdb.prepare("DELETE FROM log_streams WHERE group_id = ?").bind(1, g).run());
    check(impl_->wdb.prepare("DELETE FROM log_groups WHERE id = ?").bind(1, g).run());
  } catch (const std::exception& e) {
    (void)impl_->wdb.exec("ROLLBACK");
    return base::make_error(base::ErrorCode::kIo, e.what());
  }
  return impl_->wdb.exec("COMMIT");
}

base::Status LogStore::set_retention(std::string_view group, std::optional<int> days) {
  std::lock_guard lock(impl_->write_mu);
  auto st = impl_->wdb.prepare("UPDATE log_groups SET retention_days = ? WHERE name = ?");
  if (days) st.bind(1, int64_t{*days});
  else st.bind_null(1);
  st.bind(2, group);
  if (auto s = st.run(); !s) return s;
  if (impl_->wdb.changes() == 0) return not_found("log group");
  return {};
}

base::Status LogStore::enforce_retention(int64_t now_ms) {
  flush();
  return impl_->enforce(now_ms);
}

}  // namespace nimbus::observability
