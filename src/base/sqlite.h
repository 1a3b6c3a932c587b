// A thin RAII layer over SQLite: a connection, prepared statements with
// typed binds and columns, and errors as base::Status. Statements are
// prepared once per connection and reused: prepare() hands out a cached one,
// reset when the handle goes out of scope.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nimbus::base {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_), cached_(o.cached_) { o.stmt_ = nullptr; }

  Statement& bind(int i, std::string_view text);
  Statement& bind_blob(int i, std::string_view bytes);
  Statement& bind(int i, int64_t v);
  Statement& bind_null(int i);
  // Steps once: true when a row is available, false when done; throws on error.
  bool step();
  base::Status run();  // steps to completion, reporting constraint errors
  void reset();

  std::string text(int col) const;
  std::string blob(int col) const;
  int64_t integer(int col) const;
  bool is_null(int col) const;

 private:
  friend class Connection;
  Statement(sqlite3* db, sqlite3_stmt* cached) : db_(db), stmt_(cached), cached_(true) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool cached_ = false;  // owned by the connection's cache: reset, not finalized
};

class Connection {
 public:
  static base::Result<Connection> open(const std::string& path, bool read_only);
  Connection() = default;
  ~Connection();
  Connection(Connection&& o) noexcept : db_(o.db_), cache_(std::move(o.cache_)) { o.db_ = nullptr; }
  Connection& operator=(Connection&& o) noexcept;
  base::Status exec(std::string_view sql);
  // A statement from this connection's cache (prepared on first use).
  Statement prepare(std::string_view sql);
  int64_t changes() const;
  sqlite3* handle() const { return db_; }

 private:
  void close();
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// One write transaction: BEGIN IMMEDIATE, the writes, COMMIT. On any failure
// (a write's status, or a throw from a damaged or closed database) it is
// rolled back and reported as the transaction's own failure.
template <typename F>
base::Status in_transaction(Connection& db, F&& writes) {
  base::Status done;
  try {
    done = db.exec("BEGIN IMMEDIATE");
    if (done) done = writes();
    if (done) done = db.exec("COMMIT");
  } catch (const std::exception& e) {
    done = base::make_error(base::ErrorCode::kIo, e.what());
  }
  if (!done) (void)db.exec("ROLLBACK");
  return done;
}

}  // namespace nimbus::base
