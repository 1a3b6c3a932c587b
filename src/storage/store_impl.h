// Private to storage/: the state behind Store, shared by its source files
// (store.cc: opening, recovery, buckets; objects.cc; listing.cc; multipart.cc).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "storage/group_commit.h"
#include "base/sqlite.h"
#include "storage/store.h"

namespace nimbus::storage {

using base::Connection;
using base::Statement;

struct FileRef {
  std::string id;
  uint64_t size = 0;
};

std::string encode_attributes(const Attributes& a);
Attributes decode_attributes(std::string_view blob);
std::string encode_files(const std::vector<FileRef>& files);
std::vector<FileRef> decode_files(std::string_view text);
// The smallest string greater than every string that starts with s; nullopt if none.
std::optional<std::string> prefix_successor(std::string s);

// Columns read by kObjectColumns, in order, for object_from_row(); the
// versions table has the same ones (and delete_marker after them).
inline constexpr const char* kObjectColumns =
    "bucket, key, size, etag, modified_ms, attributes, checksum_algo, checksum, checksum_composite, files, "
    "parts_count, inline_data, version_id, vseq, tags";
constexpr int kFilesColumn = 9;
constexpr int kInlineColumn = 11;
constexpr int kObjectColumnCount = 15;
ObjectMeta object_from_row(const Statement& st);
// Where an object's bytes are: data files, or inline in its row.
struct ObjectData {
  std::vector<FileRef> files;
  std::optional<std::string> inline_data;
};
ObjectData object_data_from_row(const Statement& st);
void insert_object_row(Connection& tx, const ObjectMeta& m, const ObjectData& data);
// Removes one version's ACL row (object_acls.cc), inside a write transaction.
void drop_object_acl(Connection& tx, const std::string& bucket, const std::string& key, const std::string& version_id);
// The current object, or the version named, with where its bytes are (objects.cc): NoSuchBucket,
// NoSuchKey, InvalidVersion, NoSuchVersion, or kDeleteMarker for a version id naming a marker.
base::Result<std::pair<ObjectMeta, ObjectData>> find_object(Connection& c, const std::string& bucket,
                                                            const std::string& key,
                                                            const std::optional<std::string>& version_id);

// Versions (versions.cc): helpers that run inside a caller's transaction
// (or read on a reader connection) and keep objects/versions consistent.
struct VersionRow {
  ObjectMeta meta;
  ObjectData data;
  bool current = false;  // in objects
};
struct RemovedVersion {
  std::vector<FileRef> files;
  bool delete_marker = false;
};
// Where a write's new current version goes: its id, and the files of the
// "null" version it replaced (to unlink once committed).
struct WriteSlot {
  Versioning state = Versioning::kUnversioned;
  std::string version_id;
  std::vector<FileRef> freed;
};
base::Error invalid_version();
base::Error no_such_version();
Versioning versioning_in(Connection& c, const std::string& bucket);
// kInvalidArgument/kInvalidVersion for an id that cannot name a version in a bucket in this state.
base::Status check_version_id(Versioning state, const std::optional<std::string>& id);
std::optional<VersionRow> find_version(Connection& c, const std::string& bucket, const std::string& key,
                                       const std::string& version_id);
std::optional<ObjectMeta> newest_noncurrent(Connection& c, const std::string& bucket, const std::string& key);
std::optional<RemovedVersion> remove_version(Connection& tx, const std::string& bucket, const std::string& key,
                                             const std::string& version_id);
// After a version was removed: the newest remaining one becomes current unless it is a delete marker.
void settle(Connection& tx, const std::string& bucket, const std::string& key);
// Before a write (or a delete marker): frees the "null" version unless versioning is Enabled, and
// moves the current version to the noncurrent ones unless the bucket was never versioned.
WriteSlot prepare_write(Connection& tx, const std::string& bucket, const std::string& key);
void insert_marker_row(Connection& tx, const ObjectMeta& marker);

struct Store::Impl {
  StoreOptions options;
  DataDir dir;
  std::unique_ptr<GroupCommitter> writer;
  std::mutex readers_mu;
  std::vector<Connection> readers;
  std::string db_path;
  CommitHook* hook = nullptr;
  // Bucket names, so that writers can be refused early without a query.
  std::mutex buckets_mu;
  std::set<std::string> bucket_names;
  bool bucket_exists(const std::string& name) {
    std::lock_guard lock(buckets_mu);
    return bucket_names.count(name) > 0;
  }

  explicit Impl(std::string root) : dir(std::move(root)) {}

  template <typename F>
  auto read(F&& f) {
    Connection c = take_reader();
    struct Return {
      Impl* self;
      Connection* c;
      ~Return() { self->give_reader(std::move(*c)); }
    } ret{this, &c};
    return f(c);
  }
  Connection take_reader();
  void give_reader(Connection c);

  // Inside a transaction: bumps and returns the bucket's event sequencer, or nullopt if no bucket.
  static std::optional<int64_t> next_sequence(Connection& tx, const std::string& bucket);
  // Inside a transaction: whether the key's current object (or the version named, for a
  // delete by version id) satisfies a conditional write; a delete marker has no ETag.
  static base::Status check_condition(Connection& tx, const std::string& bucket, const std::string& key,
                                      const WriteCondition& condition,
                                      const std::optional<std::string>& version_id = std::nullopt);
  base::Status fire(Connection& tx, ObjectEvent ev, int64_t seq);
  void remove_files(const std::vector<FileRef>& files) const;
  base::Result<OpenedObject> open_data(const ObjectMeta& meta, ObjectData data) const;
};

}  // namespace nimbus::storage
