#include "observability/store_db.h"

#include "base/file.h"

namespace nimbus::observability {

base::Result<StoreDb> open_store_db(const std::string& dir, const std::string& file, const char* schema) {
  if (auto s = base::make_dirs(dir); !s) return s.error();
  std::string path = dir + "/" + file;
  auto w = base::Connection::open(path, false);
  if (!w) return w.error();
  if (auto s = w->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !s) return s.error();
  if (auto s = w->exec(schema); !s) return s.error();
  auto r = base::Connection::open(path, true);
  if (!r) return r.error();
  return StoreDb{std::move(*w), std::move(*r)};
}

}  // namespace nimbus::observability
