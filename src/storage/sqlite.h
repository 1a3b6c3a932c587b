// A thin RAII layer over SQLite: a connection, prepared statements with
// typed binds and columns, and errors as base::Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace nimbus::storage {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

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
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  static base::Result<Connection> open(const std::string& path, bool read_only);
  Connection() = default;
  ~Connection();
  Connection(Connection&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Connection& operator=(Connection&& o) noexcept;
  base::Status exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  int64_t changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace nimbus::storage
