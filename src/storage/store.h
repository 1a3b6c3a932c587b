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
  Attributes tags;  // object tagging
};

struct OpenedObject {
  ObjectMeta meta;
  std::unique_ptr<ObjectReader> reader;
};

struct CopySource {
  std::string bucket;
  std::string key;
  std::optional<std::pair<uint64_t, uint64_t>> range;  // [first, last] inclusive, for UploadPartCopy
  std::optional<std::string> version_id;               // absent: the current version
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

  // A version's ACL document (opaque to storage), for an ACL other than the
  // default: of the current version, or of the version named (errors as
  // head_object's). Each version has its own; a new version starts without
  // one, and it goes with its version. An empty document removes it.
  // expected_etag, when set, makes the write a no-op if the version found
  // has another ETag (it was replaced meanwhile: the newer write's ACL stands).
  base::Status put_object_acl(const std::string& bucket, const std::string& key,
                              const std::optional<std::string>& version_id, const std::string& document,
                              const std::string& expected_etag = "");
  base::Result<std::optional<std::string>> get_object_acl(const std::string& bucket, const std::string& key,
                                                          const std::optional<std::string>& version_id = std::nullopt);

  // Versioning (kept as the bucket's "versioning" setting). A bucket once
  // versioned cannot go back to kUnversioned (kInvalidArgument).
  base::Status set_versioning(const std::string& bucket, Versioning state);
  base::Result<Versioning> get_versioning(const std::string& bucket);

  // Objects. Every write makes the key's new current version: it replaces
  // the "null" version unless versioning is Enabled, and keeps the previous
  // current version as noncurrent unless the bucket was never versioned.
  //
  // A version id is "null" or one this store made; any other is
  // kInvalidArgument/kInvalidVersion (always, in a bucket never versioned),
  // one not there is kNotFound/kNoSuchVersion, and one naming a delete
  // marker is kNotFound/kDeleteMarker for reads.
  base::Result<std::unique_ptr<DataWriter>> new_writer(const std::string& bucket);
  base::Result<ObjectMeta> commit_object(const std::string& bucket, NewObject obj, DataWriter& data,
                                         const RequestContext& ctx);
  // The current object (NoSuchKey when the key has none, or its latest
  // version is a delete marker), or the version named.
  base::Result<ObjectMeta> head_object(const std::string& bucket, const std::string& key,
                                       const std::optional<std::string>& version_id = std::nullopt);
  base::Result<OpenedObject> open_object(const std::string& bucket, const std::string& key,
                                         const std::optional<std::string>& version_id = std::nullopt);
  // The latest version when it is a delete marker (for S3's x-amz-delete-marker on a 404), else nullopt.
  base::Result<std::optional<ObjectMeta>> latest_delete_marker(const std::string& bucket, const std::string& key);
  // Without a version id: removes the current object (never versioned),
  // or makes a delete marker. With one: removes that version for good (a
  // version not there succeeds, as S3's does). Deleting a key that does not
  // exist succeeds (S3 semantics). The condition applies to the version
  // deleted: the current one, or the one named.
  base::Result<DeleteResult> delete_object(const std::string& bucket, const std::string& key, const RequestContext& ctx,
                                           const WriteCondition& condition = {},
                                           const std::optional<std::string>& version_id = std::nullopt);
  // Object tagging, on the current version or the one named (a delete marker is kDeleteMarker).
  base::Result<ObjectMeta> set_tags(const std::string& bucket, const std::string& key,
                                    const std::optional<std::string>& version_id, const Attributes& tags);
  // Copies an object's bytes under a new key (hard link where possible).
  base::Result<ObjectMeta> copy_object(const CopySource& src, const std::string& bucket, NewObject obj,
                                       const RequestContext& ctx);
  base::Result<ListResult> list_objects(const std::string& bucket, const ListQuery& q);
  base::Result<ListVersionsResult> list_versions(const std::string& bucket, const ListVersionsQuery& q);

  // Multipart uploads
  base::Result<UploadInfo> create_upload(const std::string& bucket, const std::string& key, Attributes attributes,
                                         const std::string& checksum_algorithm, Attributes tags = {});
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
