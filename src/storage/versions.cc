// Store: object versions. The objects table holds each key's current
// version when it is not a delete marker (so ListObjects reads one table, as
// before versioning); the versions table holds every other version and every
// delete marker, ordered per key by version_seq (newest first). Invariant,
// kept by every change inside its transaction: when a key has no row in
// objects, its newest row in versions (if any) is a delete marker.
#include "base/ids.h"
#include "base/time.h"
#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

constexpr const char* kSettingName = "versioning";

const char* state_name(Versioning v) {
  switch (v) {
    case Versioning::kEnabled: return "Enabled";
    case Versioning::kSuspended: return "Suspended";
    case Versioning::kUnversioned: break;
  }
  return "";
}

}  // namespace

base::Error invalid_version() {
  return make_error(ErrorCode::kInvalidArgument, "Invalid version id specified", reason::kInvalidVersion);
}

base::Error no_such_version() {
  return make_error(ErrorCode::kNotFound, "The specified version does not exist.", reason::kNoSuchVersion);
}

// Version ids this store makes: 32 characters of [0-9a-f] ("null" aside).
bool well_formed_version_id(const std::string& id) {
  if (id == "null") return true;
  if (id.size() != 32) return false;
  return id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string new_version_id() { return base::random_hex(16); }

Versioning versioning_in(Connection& c, const std::string& bucket) {
  auto st = c.prepare("SELECT document FROM bucket_settings WHERE bucket = ? AND name = 'versioning'");
  st.bind(1, bucket);
  if (!st.step()) return Versioning::kUnversioned;
  std::string v = st.blob(0);
  if (v == "Enabled") return Versioning::kEnabled;
  if (v == "Suspended") return Versioning::kSuspended;
  return Versioning::kUnversioned;
}

base::Status check_version_id(Versioning state, const std::optional<std::string>& id) {
  if (!id || *id == "null") return {};
  if (state == Versioning::kUnversioned || !well_formed_version_id(*id)) return invalid_version();
  return {};
}

std::optional<VersionRow> find_version(Connection& c, const std::string& bucket, const std::string& key,
                                       const std::string& version_id) {
  {
    auto st = c.prepare(std::string("SELECT ") + kObjectColumns +
                        " FROM objects WHERE bucket = ? AND key = ? AND version_id = ?");
    st.bind(1, bucket).bind(2, key).bind(3, version_id);
    if (st.step()) return VersionRow{object_from_row(st), object_data_from_row(st), true};
  }
  auto st = c.prepare(std::string("SELECT ") + kObjectColumns +
                      ", delete_marker FROM versions WHERE bucket = ? AND key = ? AND version_id = ?");
  st.bind(1, bucket).bind(2, key).bind(3, version_id);
  if (!st.step()) return std::nullopt;
  VersionRow row{object_from_row(st), object_data_from_row(st), false};
  row.meta.delete_marker = st.integer(kObjectColumnCount) != 0;
  row.meta.is_latest = false;
  return row;
}

std::optional<ObjectMeta> newest_noncurrent(Connection& c, const std::string& bucket, const std::string& key) {
  auto st = c.prepare(std::string("SELECT ") + kObjectColumns +
                      ", delete_marker FROM versions WHERE bucket = ? AND key = ? ORDER BY vseq DESC LIMIT 1");
  st.bind(1, bucket).bind(2, key);
  if (!st.step()) return std::nullopt;
  ObjectMeta m = object_from_row(st);
  m.delete_marker = st.integer(kObjectColumnCount) != 0;
  return m;
}

void archive_current(Connection& tx, const std::string& bucket, const std::string& key) {
  auto copy = tx.prepare(std::string("INSERT INTO versions(") + kObjectColumns + ", delete_marker) SELECT " +
                         kObjectColumns + ", 0 FROM objects WHERE bucket = ? AND key = ?");
  copy.bind(1, bucket).bind(2, key);
  if (auto s = copy.run(); !s) throw std::runtime_error(s.error().message);
  auto del = tx.prepare("DELETE FROM objects WHERE bucket = ? AND key = ?");
  del.bind(1, bucket).bind(2, key);
  if (auto s = del.run(); !s) throw std::runtime_error(s.error().message);
}

std::optional<RemovedVersion> remove_version(Connection& tx, const std::string& bucket, const std::string& key,
                                             const std::string& version_id) {
  {
    auto st = tx.prepare("DELETE FROM objects WHERE bucket = ? AND key = ? AND version_id = ? RETURNING files");
    st.bind(1, bucket).bind(2, key).bind(3, version_id);
    if (st.step()) {
      RemovedVersion r{decode_files(st.text(0)), false};
      while (st.step()) {
      }
      drop_object_acl(tx, bucket, key, version_id);  // a version's ACL goes with it
      return r;
    }
  }
  auto st = tx.prepare(
      "DELETE FROM versions WHERE bucket = ? AND key = ? AND version_id = ? RETURNING files, delete_marker");
  st.bind(1, bucket).bind(2, key).bind(3, version_id);
  if (!st.step()) return std::nullopt;
  RemovedVersion r{decode_files(st.text(0)), st.integer(1) != 0};
  // A "null" version is unique per key; made ids are too. Finish the statement.
  while (st.step()) {
    auto more = decode_files(st.text(0));
    r.files.insert(r.files.end(), more.begin(), more.end());
  }
  drop_object_acl(tx, bucket, key, version_id);
  return r;
}

void settle(Connection& tx, const std::string& bucket, const std::string& key) {
  {
    auto cur = tx.prepare("SELECT 1 FROM objects WHERE bucket = ? AND key = ?");
    cur.bind(1, bucket).bind(2, key);
    if (cur.step()) return;
  }
  auto newest = newest_noncurrent(tx, bucket, key);
  if (!newest || newest->delete_marker) return;
  auto copy = tx.prepare(std::string("INSERT INTO objects(") + kObjectColumns + ") SELECT " + kObjectColumns +
                         " FROM versions WHERE bucket = ? AND key = ? AND vseq = ?");
  copy.bind(1, bucket).bind(2, key).bind(3, newest->version_seq);
  if (auto s = copy.run(); !s) throw std::runtime_error(s.error().message);
  auto del = tx.prepare("DELETE FROM versions WHERE bucket = ? AND key = ? AND vseq = ?");
  del.bind(1, bucket).bind(2, key).bind(3, newest->version_seq);
  if (auto s = del.run(); !s) throw std::runtime_error(s.error().message);
}

WriteSlot prepare_write(Connection& tx, const std::string& bucket, const std::string& key) {
  WriteSlot slot;
  slot.state = versioning_in(tx, bucket);
  if (slot.state != Versioning::kEnabled) {
    if (auto removed = remove_version(tx, bucket, key, "null")) slot.freed = std::move(removed->files);
  }
  if (slot.state != Versioning::kUnversioned) archive_current(tx, bucket, key);
  slot.version_id = slot.state == Versioning::kEnabled ? new_version_id() : "null";
  return slot;
}

void insert_marker_row(Connection& tx, const ObjectMeta& m) {
  auto st = tx.prepare(std::string("INSERT INTO versions(") + kObjectColumns +
                       ", delete_marker) VALUES(?,?,0,'',?,'','','',0,'',0,NULL,?,?,'',1)");
  st.bind(1, m.bucket).bind(2, m.key).bind(3, m.last_modified_ms).bind(4, m.version_id).bind(5, m.version_seq);
  if (auto s = st.run(); !s) throw std::runtime_error(s.error().message);
}

base::Status Store::set_versioning(const std::string& bucket, Versioning state) {
  if (state == Versioning::kUnversioned)
    return make_error(ErrorCode::kInvalidArgument, "A bucket's versioning can be Enabled or Suspended, not removed");
  return put_bucket_setting(bucket, kSettingName, state_name(state));
}

base::Result<Versioning> Store::get_versioning(const std::string& bucket) {
  return impl_->read([&](Connection& c) -> base::Result<Versioning> {
    auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
    b.bind(1, bucket);
    if (!b.step())
      return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
    return versioning_in(c, bucket);
  });
}

}  // namespace nimbus::storage
