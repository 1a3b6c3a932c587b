// GroupCommitter runs write operations from many threads in shared SQLite
// transactions: whoever arrives while no commit is running leads, takes every
// queued operation, runs each under its own savepoint, and commits once. One
// WAL fsync then covers the whole group. storage/ (objects) and queue/
// (sends, deletes) write through one each.
//
// THREADING RULE: run() from any thread; it blocks until the operation's
// transaction is durable. With a connection mutex (queue::Store's, which its
// other statements take too) the leader holds it while it writes the group.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "base/result.h"
#include "base/sqlite.h"

namespace nimbus::base {

class GroupCommitter {
 public:
  using Operation = std::function<base::Status(Connection&)>;
  explicit GroupCommitter(Connection conn, std::mutex* conn_mu = nullptr)
      : conn_(std::move(conn)), conn_mu_(conn_mu) {}
  // Blocks until the operation's transaction is durable (or failed).
  base::Status run(Operation op);
  Connection& connection() { return conn_; }

 private:
  struct Pending {
    Operation* op;
    base::Status status;
    bool done = false;
  };
  void lead(std::vector<Pending*> batch);

  Connection conn_;
  std::mutex* conn_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending*> queue_;
  bool leading_ = false;
};

}  // namespace nimbus::base
