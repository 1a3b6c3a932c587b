// storage/'s names for the SQLite layer and the group committer it writes
// through (base/group_commit.h): every write of meta.db is one GroupCommitter
// operation, so concurrent uploads share an fsync.
#pragma once

#include "base/group_commit.h"
#include "base/sqlite.h"

namespace nimbus::storage {

using base::Connection;
using base::GroupCommitter;
using base::Statement;

}  // namespace nimbus::storage
