// The SQLite database under a telemetry store (logs, spans): created with its
// schema in WAL mode without an fsync per commit (nothing in it was
// acknowledged to a client), opened twice: one connection for the store's
// writer, one read-only for queries, so reads do not wait for writes.
#pragma once

#include <string>

#include "base/result.h"
#include "base/sqlite.h"

namespace nimbus::observability {

struct StoreDb {
  base::Connection writer;
  base::Connection reader;
};

base::Result<StoreDb> open_store_db(const std::string& dir, const std::string& file, const char* schema);

}  // namespace nimbus::observability
