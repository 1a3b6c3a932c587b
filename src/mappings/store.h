// mappings::Store: the event source mappings, persisted in SQLite
// (DATA_DIR/mappings.db, one row per mapping holding its JSON form) and
// mirrored in memory. A listener (the Runner) is told after every change.
//
// THREADING RULE: get/list answer from memory and may be called from any
// thread, io threads included. put/remove write SQLite with fsync: call them
// from the blocking pool. The listener is called on the writing thread,
// after the write, with no lock held.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/sqlite.h"
#include "mappings/mapping.h"

namespace nimbus::mappings {

class Store {
 public:
  static base::Result<std::unique_ptr<Store>> open(const std::string& path);

  std::optional<Mapping> get(const std::string& uuid) const;
  std::vector<Mapping> list() const;  // by creation order
  // Creates or replaces by uuid.
  base::Status put(const Mapping& m);
  base::Status remove(const std::string& uuid);
  // Changes only what processing reports (LastProcessingResult), in memory
  // first and on disk at the next put; false when there is no such mapping.
  bool set_processing_result(const std::string& uuid, const std::string& result);
  void on_change(std::function<void()> listener);

 private:
  explicit Store(base::Connection db);
  void changed();

  mutable std::mutex mu_;  // guards db_, by_uuid_, order_
  base::Connection db_;
  std::map<std::string, Mapping> by_uuid_;
  std::vector<std::string> order_;
  std::function<void()> listener_;
};

}  // namespace nimbus::mappings
