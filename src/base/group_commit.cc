#include "base/group_commit.h"

#include <exception>

namespace nimbus::base {

base::Status GroupCommitter::run(Operation op) {
  Pending p{&op, {}, false};
  std::unique_lock lock(mu_);
  queue_.push_back(&p);
  while (!p.done) {
    if (!leading_) {
      leading_ = true;
      std::vector<Pending*> batch;
      batch.swap(queue_);
      lock.unlock();
      lead(batch);
      lock.lock();
      for (auto* b : batch) b->done = true;
      leading_ = false;
      cv_.notify_all();
    } else {
      cv_.wait(lock);
    }
  }
  return p.status;
}

void GroupCommitter::lead(std::vector<Pending*> batch) {
  std::unique_lock<std::mutex> conn_lock;
  if (conn_mu_) conn_lock = std::unique_lock(*conn_mu_);
  if (auto s = conn_.exec("BEGIN IMMEDIATE"); !s) {
    for (auto* p : batch) p->status = s;
    return;
  }
  for (auto* p : batch) {
    // Savepoint statements cannot fail inside an open transaction short of
    // memory exhaustion; the operation's own status is what is reported.
    (void)conn_.exec("SAVEPOINT op");
    try {
      p->status = (*p->op)(conn_);
    } catch (const std::exception& e) {
      p->status = base::make_error(base::ErrorCode::kInternal, e.what());
    }
    if (!p->status.ok()) (void)conn_.exec("ROLLBACK TO op");
    (void)conn_.exec("RELEASE op");
  }
  if (auto s = conn_.exec("COMMIT"); !s) {
    (void)conn_.exec("ROLLBACK");
    for (auto* p : batch)
      if (p->status.ok()) p->status = s;
  }
}

}  // namespace nimbus::base
