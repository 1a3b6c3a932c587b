#include "mappings/store.h"

#include <algorithm>
#include <boost/json.hpp>

namespace nimbus::mappings {

namespace {
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS mappings (seq INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT UNIQUE NOT NULL, "
    "doc TEXT NOT NULL)";
}

Store::Store(base::Connection db) : db_(std::move(db)) {}

base::Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
  auto db = base::Connection::open(path, false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  std::unique_ptr<Store> store(new Store(std::move(*db)));
  try {
    auto q = store->db_.prepare("SELECT doc FROM mappings ORDER BY seq");
    while (q.step()) {
      boost::system::error_code ec;
      auto v = boost::json::parse(q.text(0), ec);
      if (ec) return base::make_error(base::ErrorCode::kInternal, path + ": a mapping record is not JSON");
      auto m = from_json(v);
      if (!m) return m.error();
      store->order_.push_back(m->uuid);
      store->by_uuid_[m->uuid] = std::move(*m);
    }
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kIo, path + ": " + e.what());
  }
  return store;
}

std::optional<Mapping> Store::get(const std::string& uuid) const {
  std::lock_guard l(mu_);
  auto it = by_uuid_.find(uuid);
  if (it == by_uuid_.end()) return std::nullopt;
  return it->second;
}

std::vector<Mapping> Store::list() const {
  std::lock_guard l(mu_);
  std::vector<Mapping> out;
  out.reserve(order_.size());
  for (const auto& u : order_) out.push_back(by_uuid_.at(u));
  return out;
}

base::Status Store::put(const Mapping& m) {
  {
    std::lock_guard l(mu_);
    std::string doc = boost::json::serialize(to_json(m));
    auto s = base::in_transaction(db_, [&] {
      return db_.prepare("INSERT INTO mappings (uuid, doc) VALUES (?1, ?2) ON CONFLICT(uuid) DO UPDATE SET doc = ?2")
          .bind(1, m.uuid)
          .bind(2, doc)
          .run();
    });
    if (!s) return s;
    if (!by_uuid_.count(m.uuid)) order_.push_back(m.uuid);
    by_uuid_[m.uuid] = m;
  }
  changed();
  return {};
}

base::Status Store::remove(const std::string& uuid) {
  {
    std::lock_guard l(mu_);
    auto s = base::in_transaction(db_, [&] { return db_.prepare("DELETE FROM mappings WHERE uuid = ?1").bind(1, uuid).run(); });
    if (!s) return s;
    by_uuid_.erase(uuid);
    std::erase(order_, uuid);
  }
  changed();
  return {};
}

bool Store::set_processing_result(const std::string& uuid, const std::string& result) {
  std::lock_guard l(mu_);
  auto it = by_uuid_.find(uuid);
  if (it == by_uuid_.end()) return false;
  it->second.last_processing_result = result;
  return true;
}

void Store::on_change(std::function<void()> listener) {
  std::lock_guard l(mu_);
  listener_ = std::move(listener);
}

void Store::changed() {
  std::function<void()> listener;
  {
    std::lock_guard l(mu_);
    listener = listener_;
  }
  if (listener) listener();
}

}  // namespace nimbus::mappings
