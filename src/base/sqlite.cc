#include "base/sqlite.h"

#include <sqlite3.h>

#include <stdexcept>

namespace nimbus::base {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db) + " in " + std::string(sql));
}

Statement::~Statement() {
  if (!stmt_) return;
  if (cached_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
}

Statement& Statement::bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_blob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
}

base::Status Statement::run() {
  int rc;
  while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) {
  }
  if (rc == SQLITE_DONE) return {};
  return base::make_error(rc == SQLITE_FULL ? base::ErrorCode::kStorageFull : base::ErrorCode::kIo,
                          std::string("sqlite: ") + sqlite3_errmsg(db_));
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int col) const {
  auto p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
std::string Statement::blob(int col) const {
  auto p = sqlite3_column_blob(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
int64_t Statement::integer(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

base::Result<Connection> Connection::open(const std::string& path, bool read_only) {
  Connection c;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &c.db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = c.db_ ? sqlite3_errmsg(c.db_) : "out of memory";
    return base::make_error(base::ErrorCode::kIo, "open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(c.db_, 10000);
  return c;
}

void Connection::close() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  cache_.clear();
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Connection::~Connection() { close(); }

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    close();
    db_ = o.db_;
    cache_ = std::move(o.cache_);
    o.db_ = nullptr;
  }
  return *this;
}

Statement Connection::prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr) !=
        SQLITE_OK)
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db_) + " in " + std::string(sql));
    it = cache_.emplace(std::string(sql), st).first;
  }
  return Statement(db_, it->second);
}

base::Status Connection::exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return base::make_error(rc == SQLITE_FULL ? base::ErrorCode::kStorageFull : base::ErrorCode::kIo, "sqlite: " + msg);
  }
  return {};
}

int64_t Connection::changes() const { return sqlite3_changes64(db_); }

}  // namespace nimbus::base
