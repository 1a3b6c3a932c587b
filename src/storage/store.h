// The object store: buckets, objects, listing and multipart uploads on a data
// directory (SQLite metadata in meta.db + immutable data files). Durable on
// return: data fsynced and renamed before its metadata commits; concurrent
// commits share one SQLite transaction (group commit). Knows nothing of HTTP.
//
// Writes block on fsync: protocol code runs them off its event loop. Point
// reads (get_bucket, head_object, open_object, get_upload) take no locks in
// WAL mode and are cheap enough to run on it; listings are better offloaded.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/commit_hook.h"
#include "storage/data_files.h"
#include "storage/types.h"

namespace nimbus::storage {

struct StoreOptions {
  uint64_t min_part_size = 5ull << 20;  // S3's 5 MiB minimum for all but the last part
  int max_parts = 10000;
  // Objects up to this size live in the metadata database, committed (and
  // fsynced) together with concurrent writes; larger ones are data files.
  size_t inline_limit = 128 * 1024;
  // Free space kept for deletes and metadata: new data is refused below it.
  uint64_t reserve_bytes = 64ull << 20;
};

// What a new object carries besides its bytes.
struct NewObject {
  std::string key;
  Attributes attributes;
  EventKind event = EventKind::kPut;
  // Checked at commit: kPreconditionFailed with reason kConditionFailed when it does not hold.
  WriteCondition condition;
};

struct OpenedObject {
  ObjectMeta meta;
  std::unique_ptr<ObjectReader> reader;
};

struct CopySource {
  std::string bucket;
  std::string key;
  std::optional<std::pair<uint64_t, uint64_t>> range;  // [first, last] inclusive, for UploadPartCopy
};

class Store {
 public:
  static base::Result<std::unique_ptr<Store>> open(const std::string& data_dir, StoreOptions options = {});
  ~Store();

  void set_commit_hook(CommitHook* hook);

  // Buckets
  base::Status create_bucket(const std::string& name, const std::string& region);  // kAlreadyExists if present
  base::Status delete_bucket(const std::string& name);                             // kConflict if not empty
  base::Result<BucketInfo> get_bucket(const std::string& name);
  std::vector<BucketInfo> list_buckets();

  // A bucket's configuration documents (versioning, policy, CORS, ACL, ...),
  // one per name, opaque to storage; deleted with the bucket. Setting or
  // deleting one on a missing bucket is kNotFound/NoSuchBucket; getting one
  // that was never set is nullopt.
  base::Status put_bucket_setting(const std::string& bucket, const std::string& name, const std::string& document);
  base::Result<std::optional<std::string>> get_bucket_setting(const std::string& bucket, const std::string& name);
  base::Status delete_bucket_setting(const std::string& bucket, const std::string& name);

  // An object's ACL document (opaque to storage), for an ACL other than the
  // default; dropped when the object is overwritten or deleted. An empty
  // document removes it. expected_etag, when set, makes the write a no-op if
  // the object was replaced meanwhile (the newer write's ACL stands).
  // Missing object: kNotFound (NoSuchKey / NoSuchBucket).
  base::Status put_object_acl(const std::string& bucket, const std::string& key, const std::string& document,
                              const std::string& expected_etag = "");
  base::Result<std::optional<std::string>> get_object_acl(const std::string& bucket, const std::string& key);

  // Objects
  base::Result<std::unique_ptr<DataWriter>> new_writer(const std::string& bucket);
  base::Result<ObjectMeta> commit_object(const std::string& bucket, NewObject obj, DataWriter& data,
                                         const RequestContext& ctx);
  base::Result<ObjectMeta> head_object(const std::string& bucket, const std::string& key);
  base::Result<OpenedObject> open_object(const std::string& bucket, const std::string& key);
  // Deleting a key that does not exist succeeds (S3 semantics); returns whether it existed.
  base::Result<bool> delete_object(const std::string& bucket, const std::string& key, const RequestContext& ctx,
                                   const WriteCondition& condition = {});
  // Copies an object's bytes under a new key (hard link where possible).
  base::Result<ObjectMeta> copy_object(const CopySource& src, const std::string& bucket, NewObject obj,
                                       const RequestContext& ctx);
  base::Result<ListResult> list_objects(const std::string& bucket, const ListQuery& q);

  // Multipart uploads
  base::Result<UploadInfo> create_upload(const std::string& bucket, const std::string& key, Attributes attributes,
                                         const std::string& checksum_algorithm);
  base::Result<UploadInfo> get_upload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  base::Result<PartInfo> commit_part(const UploadInfo& upload, int part_number, DataWriter& data);
  base::Result<PartInfo> copy_part(const UploadInfo& upload, int part_number, const CopySource& src);
  base::Result<ListPartsResult> list_parts(const UploadInfo& upload, int part_marker, int max_parts);
  base::Result<ObjectMeta> complete_upload(const UploadInfo& upload, const std::vector<CompletedPart>& parts,
                                           const RequestContext& ctx, const WriteCondition& condition = {});
  base::Status abort_upload(const UploadInfo& upload);
  base::Result<ListUploadsResult> list_uploads(const std::string& bucket, const ListUploadsQuery& q);

  const DataDir& data_dir() const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::storage
