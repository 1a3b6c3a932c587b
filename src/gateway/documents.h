// API Gateway's configuration as documents: every API, route, integration,
// stage, deployment, authorizer, resource, API key and usage plan is one JSON
// object in the shape the management API speaks, kept in gateway.db under a
// (scope, kind, id) key — scope is the API's id, or "" for what belongs to
// the account (API keys, usage plans). The management modules own the
// shapes; the data plane compiles deployments from them.
//
// THREADING RULE. Readers take snapshot(): an immutable Snapshot shared by
// pointer (a mutex held only to copy the pointer), safe from any thread and
// never waiting on a write. update() serialises writers on a write mutex,
// reads the current snapshot, writes its changes to SQLite in one fsynced
// transaction and only then publishes the new snapshot; it blocks on the disk,
// so call it from the blocking pool, never from an io thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/sqlite.h"

namespace nimbus::gateway {

using Doc = boost::json::object;
using DocPtr = std::shared_ptr<const Doc>;

class Snapshot {
 public:
  struct Entry {
    int64_t seq = 0;  // creation order: listings follow it
    DocPtr doc;
  };
  using Kinds = std::map<std::string, std::map<std::string, Entry>>;  // kind -> id -> entry

  const Doc* find(const std::string& scope, const std::string& kind, const std::string& id) const;
  DocPtr find_shared(const std::string& scope, const std::string& kind, const std::string& id) const;
  // Every document of a kind in a scope, oldest first, with its id.
  std::vector<std::pair<std::string, DocPtr>> list(const std::string& scope, const std::string& kind) const;
  std::vector<std::string> scopes() const;

 private:
  friend class Documents;
  std::map<std::string, std::shared_ptr<const Kinds>> scopes_;
  int64_t next_seq_ = 1;
};

// One change of an update: put (doc set) or erase (doc empty). An erase with
// an empty kind erases the whole scope (an API and all it holds).
struct Change {
  std::string scope, kind, id;
  std::optional<Doc> doc;

  static Change put(std::string scope, std::string kind, std::string id, Doc doc) {
    return {std::move(scope), std::move(kind), std::move(id), std::move(doc)};
  }
  static Change erase(std::string scope, std::string kind, std::string id) {
    return {std::move(scope), std::move(kind), std::move(id), std::nullopt};
  }
  static Change erase_scope(std::string scope) { return {std::move(scope), "", "", std::nullopt}; }
};

class Documents {
 public:
  static base::Result<std::unique_ptr<Documents>> open(const std::string& path);

  std::shared_ptr<const Snapshot> snapshot() const;

  // Computes changes from the current snapshot (under the write lock, so a
  // check such as "this route key is free" holds when they commit), writes
  // them atomically and publishes. `plan` fails to abort with its error.
  using Plan = std::function<base::Status(const Snapshot& current, std::vector<Change>& changes)>;
  base::Status update(const Plan& plan);

 private:
  Documents(base::Connection db, std::shared_ptr<const Snapshot> initial);
  static void apply(Snapshot& s, const Change& c);

  base::Connection db_;
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::mutex write_mutex_;
};

// Random identifiers in API Gateway's alphabet (lower-case letters and digits):
// 10 characters for APIs, fewer for what lives inside one.
std::string new_id(size_t length = 10);

}  // namespace nimbus::gateway
