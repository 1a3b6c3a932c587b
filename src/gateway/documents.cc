#include "gateway/documents.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>

#include "base/ids.h"

namespace nimbus::gateway {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS documents(
  scope TEXT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY(scope, kind, id));
)";

}  // namespace

const Doc* Snapshot::find(const std::string& scope, const std::string& kind, const std::string& id) const {
  auto s = scopes_.find(scope);
  if (s == scopes_.end()) return nullptr;
  auto k = s->second->find(kind);
  if (k == s->second->end()) return nullptr;
  auto e = k->second.find(id);
  return e == k->second.end() ? nullptr : e->second.doc.get();
}

DocPtr Snapshot::find_shared(const std::string& scope, const std::string& kind, const std::string& id) const {
  auto s = scopes_.find(scope);
  if (s == scopes_.end()) return nullptr;
  auto k = s->second->find(kind);
  if (k == s->second->end()) return nullptr;
  auto e = k->second.find(id);
  return e == k->second.end() ? nullptr : e->second.doc;
}

std::vector<std::pair<std::string, DocPtr>> Snapshot::list(const std::string& scope, const std::string& kind) const {
  std::vector<std::pair<int64_t, std::pair<std::string, DocPtr>>> found;
  if (auto s = scopes_.find(scope); s != scopes_.end())
    if (auto k = s->second->find(kind); k != s->second->end())
      for (const auto& [id, e] : k->second) found.push_back({e.seq, {id, e.doc}});
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, DocPtr>> out;
  out.reserve(found.size());
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::vector<std::string> Snapshot::scopes() const {
  std::vector<std::string> out;
  for (const auto& [scope, kinds] : scopes_) out.push_back(scope);
  return out;
}

Documents::Documents(base::Connection db, std::shared_ptr<const Snapshot> initial)
    : db_(std::move(db)), snapshot_(std::move(initial)) {}

base::Result<std::unique_ptr<Documents>> Documents::open(const std::string& path) {
  auto db = base::Connection::open(path, false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  auto snap = std::make_shared<Snapshot>();
  std::map<std::string, Snapshot::Kinds> loaded;
  auto rows = db->prepare("SELECT scope, kind, id, seq, doc FROM documents");
  while (rows.step()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(rows.text(4), ec);
    if (ec || !v.is_object())
      return base::make_error(base::ErrorCode::kIo, "gateway.db: unreadable document " + rows.text(0) + "/" +
                                                        rows.text(1) + "/" + rows.text(2));
    int64_t seq = rows.integer(3);
    loaded[rows.text(0)][rows.text(1)][rows.text(2)] =
        Snapshot::Entry{seq, std::make_shared<const Doc>(std::move(v.as_object()))};
    snap->next_seq_ = std::max(snap->next_seq_, seq + 1);
  }
  for (auto& [scope, kinds] : loaded) snap->scopes_[scope] = std::make_shared<const Snapshot::Kinds>(std::move(kinds));
  return std::unique_ptr<Documents>(new Documents(std::move(*db), std::move(snap)));
}

std::shared_ptr<const Snapshot> Documents::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

// Applies one change to a snapshot being built: only the scopes it touches
// are copied, the others stay shared with the previous snapshot.
void Documents::apply(Snapshot& s, const Change& c) {
  if (c.kind.empty()) {
    s.scopes_.erase(c.scope);
    return;
  }
  auto it = s.scopes_.find(c.scope);
  auto kinds = it == s.scopes_.end() ? std::make_shared<Snapshot::Kinds>() : std::make_shared<Snapshot::Kinds>(*it->second);
  auto& ids = (*kinds)[c.kind];
  if (c.doc) {
    auto existing = ids.find(c.id);
    int64_t seq = existing == ids.end() ? s.next_seq_++ : existing->second.seq;
    ids[c.id] = Snapshot::Entry{seq, std::make_shared<const Doc>(*c.doc)};
  } else {
    ids.erase(c.id);
    if (ids.empty()) kinds->erase(c.kind);
  }
  s.scopes_[c.scope] = std::move(kinds);
}

base::Status Documents::update(const Plan& plan) {
  std::lock_guard write_lock(write_mutex_);
  auto current = snapshot();
  std::vector<Change> changes;
  if (auto s = plan(*current, changes); !s) return s;
  if (changes.empty()) return {};
  auto next = std::make_shared<Snapshot>(*current);
  for (const auto& c : changes) apply(*next, c);
  auto saved = base::in_transaction(db_, [&]() -> base::Status {
    for (const auto& c : changes) {
      if (c.kind.empty()) {
        auto st = db_.prepare("DELETE FROM documents WHERE scope = ?");
        st.bind(1, c.scope);
        if (auto s = st.run(); !s) return s;
      } else if (!c.doc) {
        auto st = db_.prepare("DELETE FROM documents WHERE scope = ? AND kind = ? AND id = ?");
        st.bind(1, c.scope).bind(2, c.kind).bind(3, c.id);
        if (auto s = st.run(); !s) return s;
      } else {
        // The entry's seq, as apply() gave it (kept across replacements);
        // a later change of this update may have erased it again.
        int64_t seq = 0;
        if (auto sc = next->scopes_.find(c.scope); sc != next->scopes_.end())
          if (auto k = sc->second->find(c.kind); k != sc->second->end())
            if (auto e = k->second.find(c.id); e != k->second.end()) seq = e->second.seq;
        if (seq == 0) continue;
        auto st = db_.prepare("INSERT OR REPLACE INTO documents(scope, kind, id, seq, doc) VALUES(?,?,?,?,?)");
        st.bind(1, c.scope).bind(2, c.kind).bind(3, c.id).bind(4, seq).bind(5, boost::json::serialize(*c.doc));
        if (auto s = st.run(); !s) return s;
      }
    }
    return {};
  });
  if (!saved) return saved;
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(next);
  return {};
}

std::string new_id(size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string bytes = base::random_bytes(length);
  std::string id;
  id.reserve(length);
  for (unsigned char b : bytes) id += kAlphabet[b % 36];
  // An id never starts with a digit, so it is never read as a number.
  if (!id.empty() && id[0] >= '0' && id[0] <= '9') id[0] = kAlphabet[static_cast<unsigned char>(bytes[0]) % 26];
  return id;
}

}  // namespace nimbus::gateway
