#include "storage/store.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <cinttypes>
#include <set>

#include "base/encoding.h"
#include "base/file.h"
#include "base/time.h"
#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS buckets(
  name TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS objects(
  bucket TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL, attributes BLOB NOT NULL, checksum_algo TEXT NOT NULL,
  checksum TEXT NOT NULL, checksum_composite INTEGER NOT NULL, files TEXT NOT NULL,
  parts_count INTEGER NOT NULL, inline_data BLOB, PRIMARY KEY(bucket, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads(
  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated_ms INTEGER NOT NULL,
  attributes BLOB NOT NULL, checksum_algo TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bucket_settings(
  bucket TEXT NOT NULL, name TEXT NOT NULL, document BLOB NOT NULL, PRIMARY KEY(bucket, name)) WITHOUT ROWID;
-- schema 0's shape; migration 2 keys it by version too.
CREATE TABLE IF NOT EXISTS object_acls(
  bucket TEXT NOT NULL, key TEXT NOT NULL, document BLOB NOT NULL, PRIMARY KEY(bucket, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket, key, initiated_ms, upload_id);
CREATE TABLE IF NOT EXISTS versions(
  bucket TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL, attributes BLOB NOT NULL, checksum_algo TEXT NOT NULL,
  checksum TEXT NOT NULL, checksum_composite INTEGER NOT NULL, files TEXT NOT NULL,
  parts_count INTEGER NOT NULL, inline_data BLOB, version_id TEXT NOT NULL, vseq INTEGER NOT NULL,
  tags BLOB NOT NULL, delete_marker INTEGER NOT NULL, PRIMARY KEY(bucket, key, vseq DESC)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS versions_by_id ON versions(bucket, key, version_id);
CREATE TABLE IF NOT EXISTS parts(
  upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL, checksum TEXT NOT NULL, file TEXT NOT NULL,
  PRIMARY KEY(upload_id, part_number)) WITHOUT ROWID;
)sql";

// Schema versions (PRAGMA user_version): 0 is the first; 1 gave objects a
// version id, its sequence and tags (every existing object becomes the
// "null" version, as S3 has it for objects written before versioning), and
// multipart uploads their tags; 2 keyed object ACLs by version (bucket, key,
// version_id), as S3 has an ACL per version: an existing ACL belongs to its
// key's current version. Each step commits with its user_version.
constexpr int kSchemaVersion = 2;

struct Migration {
  int to;
  const char* what;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, "object versions",
     "ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';"
     "ALTER TABLE objects ADD COLUMN vseq INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE objects ADD COLUMN tags BLOB NOT NULL DEFAULT '';"
     "ALTER TABLE uploads ADD COLUMN tags BLOB NOT NULL DEFAULT '';"},
    {2, "object ACLs per version",
     "CREATE TABLE object_acls_v2(bucket TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL, "
     "document BLOB NOT NULL, PRIMARY KEY(bucket, key, version_id)) WITHOUT ROWID;"
     "INSERT INTO object_acls_v2(bucket, key, version_id, document) SELECT a.bucket, a.key, o.version_id, a.document "
     "FROM object_acls a JOIN objects o ON o.bucket = a.bucket AND o.key = a.key;"
     "DROP TABLE object_acls;"
     "ALTER TABLE object_acls_v2 RENAME TO object_acls;"},
};

static_assert(std::size(kMigrations) == kSchemaVersion && kMigrations[kSchemaVersion - 1].to == kSchemaVersion);

base::Status migrate(Connection& c) {
  auto v = c.prepare("PRAGMA user_version");
  int version = v.step() ? static_cast<int>(v.integer(0)) : 0;
  v.reset();
  for (const Migration& m : kMigrations) {
    if (version >= m.to) continue;
    if (auto s = c.exec("BEGIN IMMEDIATE"); !s) return s;
    base::Status s = c.exec(std::string(m.sql) + "PRAGMA user_version = " + std::to_string(m.to) + ";");
    if (!s) {
      (void)c.exec("ROLLBACK");
      return s;
    }
    if (auto s2 = c.exec("COMMIT"); !s2) return s2;
    version = m.to;
    spdlog::info("storage: meta.db upgraded to schema {} ({})", m.to, m.what);
  }
  return {};
}

base::Status configure(Connection& c) {
  if (auto s = c.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF;"); !s) return s;
  return {};
}

}  // namespace

std::string encode_attributes(const Attributes& a) {
  std::string out;
  for (const auto& [k, v] : a) {
    out.append(k).push_back('\0');
    out.append(v).push_back('\0');
  }
  return out;
}

Attributes decode_attributes(std::string_view blob) {
  Attributes a;
  while (!blob.empty()) {
    size_t k = blob.find('\0');
    if (k == std::string_view::npos) break;
    size_t v = blob.find('\0', k + 1);
    if (v == std::string_view::npos) break;
    a.emplace_back(std::string(blob.substr(0, k)), std::string(blob.substr(k + 1, v - k - 1)));
    blob.remove_prefix(v + 1);
  }
  return a;
}

std::string encode_files(const std::vector<FileRef>& files) {
  std::string out;
  for (const auto& f : files) {
    if (!out.empty()) out.push_back(',');
    out.append(f.id).append(":").append(std::to_string(f.size));
  }
  return out;
}

std::vector<FileRef> decode_files(std::string_view text) {
  std::vector<FileRef> files;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    size_t colon = item.find(':');
    files.push_back({std::string(item.substr(0, colon)), std::stoull(std::string(item.substr(colon + 1)))});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return files;
}

std::optional<std::string> prefix_successor(std::string s) {
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

ObjectMeta object_from_row(const Statement& st) {
  ObjectMeta m;
  m.bucket = st.text(0);
  m.key = st.text(1);
  m.size = static_cast<uint64_t>(st.integer(2));
  m.etag = st.text(3);
  m.last_modified_ms = st.integer(4);
  m.attributes = decode_attributes(st.blob(5));
  m.checksum.algorithm = st.text(6);
  m.checksum.value = st.text(7);
  m.checksum.composite = st.integer(8) != 0;
  m.parts_count = static_cast<int>(st.integer(10));
  if (m.parts_count > 0)
    for (const auto& f : decode_files(st.text(9))) m.part_sizes.push_back(f.size);
  m.version_id = st.text(12);
  m.version_seq = st.integer(13);
  m.tags = decode_attributes(st.blob(14));
  return m;
}

ObjectData object_data_from_row(const Statement& st) {
  ObjectData d;
  d.files = decode_files(st.text(kFilesColumn));
  if (!st.is_null(kInlineColumn)) d.inline_data = st.blob(kInlineColumn);
  return d;
}

void insert_object_row(Connection& tx, const ObjectMeta& m, const ObjectData& data) {
  auto st = tx.prepare(
      "INSERT OR REPLACE INTO objects(bucket, key, size, etag, modified_ms, attributes, checksum_algo, checksum, "
      "checksum_composite, files, parts_count, inline_data, version_id, vseq, tags) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  st.bind(1, m.bucket).bind(2, m.key).bind(3, static_cast<int64_t>(m.size)).bind(4, m.etag);
  st.bind(5, m.last_modified_ms).bind_blob(6, encode_attributes(m.attributes));
  st.bind(7, m.checksum.algorithm).bind(8, m.checksum.value).bind(9, int64_t{m.checksum.composite});
  st.bind(10, encode_files(data.files)).bind(11, int64_t{m.parts_count});
  if (data.inline_data) st.bind_blob(12, *data.inline_data);
  else st.bind_null(12);
  st.bind(13, m.version_id).bind(14, m.version_seq).bind_blob(15, encode_attributes(m.tags));
  if (auto s = st.run(); !s) throw std::runtime_error(s.error().message);
  drop_object_acl(tx, m.bucket, m.key, m.version_id);  // a new version starts private, as in S3
}

Connection Store::Impl::take_reader() {
  {
    std::lock_guard lock(readers_mu);
    if (!readers.empty()) {
      Connection c = std::move(readers.back());
      readers.pop_back();
      return c;
    }
  }
  auto c = Connection::open(db_path, false);
  if (!c) throw std::runtime_error(c.error().message);
  return std::move(*c);
}

void Store::Impl::give_reader(Connection c) {
  std::lock_guard lock(readers_mu);
  if (readers.size() < 32) readers.push_back(std::move(c));
}

std::optional<int64_t> Store::Impl::next_sequence(Connection& tx, const std::string& bucket) {
  auto st = tx.prepare("UPDATE buckets SET seq = seq + 1 WHERE name = ? RETURNING seq");
  st.bind(1, bucket);
  if (!st.step()) return std::nullopt;
  return st.integer(0);
}

base::Status Store::Impl::check_condition(Connection& tx, const std::string& bucket, const std::string& key,
                                          const WriteCondition& condition,
                                          const std::optional<std::string>& version_id) {
  if (!condition.any()) return {};
  std::optional<std::string> etag;
  if (version_id) {
    auto row = find_version(tx, bucket, key, *version_id);
    if (row && !row->meta.delete_marker) etag = row->meta.etag;
  } else {
    auto st = tx.prepare("SELECT etag FROM objects WHERE bucket = ? AND key = ?");
    st.bind(1, bucket).bind(2, key);
    if (st.step()) etag = st.text(0);
  }
  if (condition.if_none_match && etag)
    return make_error(ErrorCode::kPreconditionFailed, "At least one of the pre-conditions you specified did not hold",
                      base::reason::kConditionFailed);
  if (condition.if_match) {
    if (!etag)
      return make_error(ErrorCode::kPreconditionFailed, "The specified key does not exist.", base::reason::kConditionFailed);
    if (*condition.if_match != "*" && base::to_lower(*condition.if_match) != base::to_lower(*etag))
      return make_error(ErrorCode::kPreconditionFailed, "At least one of the pre-conditions you specified did not hold",
                        base::reason::kConditionFailed);
  }
  return {};
}

base::Status Store::Impl::fire(Connection& tx, ObjectEvent ev, int64_t seq) {
  if (!hook) return {};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016" PRIX64, static_cast<uint64_t>(seq));
  ev.sequencer = buf;
  return hook->on_commit(tx, ev);
}

void Store::Impl::remove_files(const std::vector<FileRef>& files) const {
  for (const auto& f : files) dir.remove(f.id);
}

base::Result<OpenedObject> Store::Impl::open_data(const ObjectMeta& meta, ObjectData data) const {
  if (data.inline_data) return OpenedObject{meta, std::make_unique<ObjectReader>(std::move(*data.inline_data))};
  std::vector<ObjectReader::Extent> extents;
  for (const auto& f : data.files) {
    auto fd = base::open_file(dir.path_of(f.id), O_RDONLY);
    if (!fd) return fd.error();
    extents.push_back({std::move(*fd), f.size});
  }
  return OpenedObject{meta, std::make_unique<ObjectReader>(std::move(extents))};
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

base::Result<std::unique_ptr<Store>> Store::open(const std::string& data_dir, StoreOptions options) {
  auto impl = std::make_unique<Impl>(data_dir);
  impl->options = options;
  impl->dir.set_reserve(options.reserve_bytes);
  if (auto s = impl->dir.prepare(); !s) return s.error();
  impl->dir.clean_tmp();
  impl->db_path = data_dir + "/meta.db";
  auto conn = Connection::open(impl->db_path, false);
  if (!conn) return conn.error();
  if (auto s = configure(*conn); !s) return s.error();
  if (auto s = conn->exec(kSchema); !s) return s.error();
  if (auto s = migrate(*conn); !s) return s.error();

  // Data files that no row references were left by a crash between placing
  // the data and committing its metadata, or between a delete and its unlink.
  std::set<std::string> referenced;
  {
    auto st = conn->prepare("SELECT files FROM objects");
    while (st.step())
      for (const auto& f : decode_files(st.text(0))) referenced.insert(f.id);
    auto versions = conn->prepare("SELECT files FROM versions");
    while (versions.step())
      for (const auto& f : decode_files(versions.text(0))) referenced.insert(f.id);
    auto parts = conn->prepare("SELECT file FROM parts");
    while (parts.step()) referenced.insert(parts.text(0));
  }
  size_t orphans = 0;
  for (const auto& id : impl->dir.all_file_ids()) {
    if (!referenced.count(id)) {
      impl->dir.remove(id);
      ++orphans;
    }
  }
  if (orphans) spdlog::info("storage: removed {} orphan data files left by an interrupted write", orphans);
  {
    auto st = conn->prepare("SELECT name FROM buckets");
    while (st.step()) impl->bucket_names.insert(st.text(0));
  }
  impl->writer = std::make_unique<GroupCommitter>(std::move(*conn));
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

void Store::set_commit_hook(CommitHook* hook) { impl_->hook = hook; }

const DataDir& Store::data_dir() const { return impl_->dir; }

base::Status Store::create_bucket(const std::string& name, const std::string& region) {
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto st = tx.prepare("INSERT INTO buckets(name, region, created_ms) VALUES(?, ?, ?) ON CONFLICT DO NOTHING");
    st.bind(1, name).bind(2, region).bind(3, base::now_ms());
    if (auto s = st.run(); !s) return s;
    if (tx.changes() == 0) return make_error(ErrorCode::kAlreadyExists, "bucket already exists");
    return {};
  });
  if (status) {
    std::lock_guard lock(impl_->buckets_mu);
    impl_->bucket_names.insert(name);
  }
  return status;
}

base::Status Store::delete_bucket(const std::string& name) {
  std::vector<FileRef> part_files;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto exists = tx.prepare("SELECT 1 FROM buckets WHERE name = ?");
    exists.bind(1, name);
    if (!exists.step()) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
    auto any = tx.prepare("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1");
    any.bind(1, name);
    if (any.step()) return make_error(ErrorCode::kConflict, "The bucket you tried to delete is not empty");
    // Noncurrent versions and delete markers count too, as in S3.
    auto any_version = tx.prepare("SELECT 1 FROM versions WHERE bucket = ? LIMIT 1");
    any_version.bind(1, name);
    if (any_version.step())
      return make_error(ErrorCode::kConflict,
                        "The bucket you tried to delete is not empty. You must delete all versions in the bucket.");
    auto parts = tx.prepare("SELECT p.file, p.size FROM parts p JOIN uploads u USING(upload_id) WHERE u.bucket = ?");
    parts.bind(1, name);
    while (parts.step()) part_files.push_back({parts.text(0), static_cast<uint64_t>(parts.integer(1))});
    auto del_parts = tx.prepare("DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)");
    del_parts.bind(1, name);
    if (auto s = del_parts.run(); !s) return s;
    auto del_uploads = tx.prepare("DELETE FROM uploads WHERE bucket = ?");
    del_uploads.bind(1, name);
    if (auto s = del_uploads.run(); !s) return s;
    auto del_acls = tx.prepare("DELETE FROM object_acls WHERE bucket = ?");  // none should be left; never inherited
    del_acls.bind(1, name);
    if (auto s = del_acls.run(); !s) return s;
    auto del_settings = tx.prepare("DELETE FROM bucket_settings WHERE bucket = ?");
    del_settings.bind(1, name);
    if (auto s = del_settings.run(); !s) return s;
    auto del = tx.prepare("DELETE FROM buckets WHERE name = ?");
    del.bind(1, name);
    return del.run();
  });
  if (status.ok()) {
    impl_->remove_files(part_files);
    std::lock_guard lock(impl_->buckets_mu);
    impl_->bucket_names.erase(name);
  }
  return status;
}

base::Result<BucketInfo> Store::get_bucket(const std::string& name) {
  return impl_->read([&](Connection& c) -> base::Result<BucketInfo> {
    auto st = c.prepare("SELECT name, region, created_ms FROM buckets WHERE name = ?");
    st.bind(1, name);
    if (!st.step()) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
    return BucketInfo{st.text(0), st.text(1), st.integer(2)};
  });
}

std::vector<BucketInfo> Store::list_buckets() {
  return impl_->read([&](Connection& c) {
    std::vector<BucketInfo> out;
    auto st = c.prepare("SELECT name, region, created_ms FROM buckets ORDER BY name");
    while (st.step()) out.push_back({st.text(0), st.text(1), st.integer(2)});
    return out;
  });
}

}  // namespace nimbus::storage
