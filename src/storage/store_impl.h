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

// Columns read by kObjectColumns, in order, for object_from_row().
inline constexpr const char* kObjectColumns =
    "bucket, key, size, etag, modified_ms, attributes, checksum_algo, checksum, checksum_composite, files, "
    "parts_count, inline_data";
constexpr int kFilesColumn = 9;
constexpr int kInlineColumn = 11;
ObjectMeta object_from_row(const Statement& st);
// Where an object's bytes are: data files, or inline in its row.
struct ObjectData {
  std::vector<FileRef> files;
  std::optional<std::string> inline_data;
};
ObjectData object_data_from_row(const Statement& st);
void insert_object_row(Connection& tx, const ObjectMeta& m, const ObjectData& data);
// Removes the object's ACL row (object_acls.cc), inside a write transaction.
void drop_object_acl(Connection& tx, const std::string& bucket, const std::string& key);

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
  static std::optional<std::vector<FileRef>> object_files(Connection& tx, const std::string& bucket,
                                                          const std::string& key);
  // Inside a transaction: whether the key's current object satisfies a conditional write.
  static base::Status check_condition(Connection& tx, const std::string& bucket, const std::string& key,
                                      const WriteCondition& condition);
  base::Status fire(Connection& tx, ObjectEvent ev, int64_t seq);
  void remove_files(const std::vector<FileRef>& files) const;
  base::Result<OpenedObject> open_data(const ObjectMeta& meta, ObjectData data) const;
};

}  // namespace nimbus::storage
