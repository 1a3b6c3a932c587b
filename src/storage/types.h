// Plain data the storage engine speaks in: buckets, object metadata, listing
// queries and results, multipart uploads and parts, and the object events it
// hands to a commit hook.
#pragma once

#include <cstdint>
#include <optional>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nimbus::storage {

// Reasons storage gives on a base::Error about versions (base::reason has
// the others): what S3 needs to tell these failures apart.
namespace reason {
inline constexpr const char* kNoSuchVersion = "NoSuchVersion";
inline constexpr const char* kDeleteMarker = "DeleteMarker";      // a version id that names a delete marker
inline constexpr const char* kInvalidVersion = "InvalidVersion";  // a version id that cannot exist here
}  // namespace reason

// Content headers and user metadata, kept verbatim in order; storage does not
// interpret them.
using Attributes = std::vector<std::pair<std::string, std::string>>;

struct BucketInfo {
  std::string name;
  std::string region;
  int64_t created_ms = 0;
};

struct Checksum {
  std::string algorithm;  // "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"; empty for none
  std::string value;      // base64
  bool composite = false; // multipart: checksum of part checksums, printed with "-N"
};

struct ObjectMeta {
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;  // unquoted: md5 hex, or md5-of-md5s "-N" for multipart
  int64_t last_modified_ms = 0;
  Attributes attributes;
  Checksum checksum;
  int parts_count = 0;                // 0 for single-part objects
  std::vector<uint64_t> part_sizes;   // multipart: size of each part, for partNumber reads
  // Versions: "null" in a bucket that was never versioned (and for writes
  // while versioning is suspended). A delete marker has no bytes.
  std::string version_id = "null";
  int64_t version_seq = 0;            // orders a key's versions: the bucket's sequence at the write
  bool delete_marker = false;
  bool is_latest = true;              // filled by version listings
  Attributes tags;                    // object tagging, in order
};

// A bucket's versioning state, as S3 has it: never configured, Enabled, or
// Suspended (existing versions stay; new writes are the "null" version).
enum class Versioning { kUnversioned, kEnabled, kSuspended };

// What a DeleteObject did.
struct DeleteResult {
  bool existed = false;        // unversioned: whether there was an object
  std::string version_id;      // the version removed, or the delete marker made; "" in unversioned buckets
  bool delete_marker = false;  // a marker was made, or the version removed was one
};

struct ListVersionsQuery {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;
  std::string version_id_marker;  // with key_marker: resume after this version of that key
  int max_keys = 1000;
};

struct ListVersionsResult {
  std::vector<ObjectMeta> versions;  // versions and delete markers, by key, newest first
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_id_marker;
};

struct ListQuery {
  std::string prefix;
  std::string delimiter;
  std::string start_after;  // exclusive; a common prefix ending in the delimiter skips its whole subtree
  int max_keys = 1000;
};

struct ListResult {
  std::vector<ObjectMeta> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned (S3's NextMarker)
};

struct UploadInfo {
  std::string upload_id;
  std::string bucket;
  std::string key;
  int64_t initiated_ms = 0;
  Attributes attributes;
  std::string checksum_algorithm;
  Attributes tags;  // given the object when the upload completes
};

struct PartInfo {
  int part_number = 0;
  uint64_t size = 0;
  std::string etag;
  int64_t last_modified_ms = 0;
  Checksum checksum;
};

struct ListPartsResult {
  std::vector<PartInfo> parts;
  bool truncated = false;
  int next_marker = 0;
};

struct ListUploadsQuery {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;
  std::string upload_id_marker;
  int max_uploads = 1000;
};

struct ListUploadsResult {
  std::vector<UploadInfo> uploads;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // unquoted
};

// A write that may only happen if the key's current object is as the
// client last saw it (S3's conditional writes: If-Match / If-None-Match on
// PutObject, CopyObject, CompleteMultipartUpload, DeleteObject). Checked
// inside the write's own transaction, so two racing writers cannot both pass.
struct WriteCondition {
  bool if_none_match = false;          // If-None-Match: * (the key must have no current object)
  std::optional<std::string> if_match; // unquoted ETag, or "*": the current object must exist and match
  bool any() const { return if_none_match || if_match.has_value(); }
};

// Who caused a change: carried into object events (and the commit hook).
struct RequestContext {
  std::string request_id;
  std::string source_ip;
  std::string principal;  // access key
  std::string trace_id;   // X-Amzn-Trace-Id to pass on to the events this change causes
  // Set (by the commit hook) when the change queued events: its trace goes on.
  std::shared_ptr<std::atomic<bool>> caused_events;
  // The change is a lifecycle rule's (s3/lifecycle_sweeper.h): its deletes are
  // LifecycleExpiration events, not ObjectRemoved.
  bool lifecycle = false;
};

enum class EventKind { kPut, kPost, kCopy, kCompleteMultipartUpload, kDelete, kDeleteMarkerCreated };

struct ObjectEvent {
  EventKind kind = EventKind::kPut;
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;
  std::string sequencer;  // hex, increases with every change to the bucket
  int64_t time_ms = 0;
  RequestContext context;
  std::string version_id;  // set in buckets with versioning (Enabled or Suspended)
};

}  // namespace nimbus::storage
