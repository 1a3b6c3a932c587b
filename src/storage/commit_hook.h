// The seam through which other modules (events/) add rows to the very
// transaction that commits an object change: an outbox that can never
// disagree with the object store after a crash.
#pragma once

#include "base/result.h"
#include "storage/types.h"

namespace nimbus::base {
class Connection;
}

namespace nimbus::storage {

using base::Connection;

class CommitHook {
 public:
  virtual ~CommitHook() = default;
  // Called inside the object's transaction; a failure rolls the change back.
  virtual base::Status on_commit(Connection& tx, const ObjectEvent& event) = 0;
  // Called after that transaction is durable (rows written by on_commit are visible).
  virtual void committed() {}
};

}  // namespace nimbus::storage
