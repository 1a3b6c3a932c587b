// Store: single objects — write, read, delete, copy, tags; by version where
// the bucket has versioning (versions.cc keeps the tables consistent).
#include "base/encoding.h"
#include "base/time.h"
#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

base::Error no_such_bucket() { return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket); }
base::Error no_such_key() { return make_error(ErrorCode::kNotFound, "The specified key does not exist.", base::reason::kNoSuchKey); }
base::Error is_delete_marker() {
  return make_error(ErrorCode::kNotFound, "The specified method is not allowed against this resource.",
                    reason::kDeleteMarker);
}

bool bucket_row(Connection& c, const std::string& bucket) {
  auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
  b.bind(1, bucket);
  return b.step();
}

// The event's version id: only buckets with versioning report one.
std::string event_version(Versioning state, const std::string& id) {
  return state == Versioning::kUnversioned ? std::string() : id;
}

}  // namespace

base::Result<std::pair<ObjectMeta, ObjectData>> find_object(Connection& c, const std::string& bucket,
                                                            const std::string& key,
                                                            const std::optional<std::string>& version_id) {
  if (!version_id) {
    auto st = c.prepare(std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ?");
    st.bind(1, bucket).bind(2, key);
    if (st.step()) return std::pair{object_from_row(st), object_data_from_row(st)};
    if (!bucket_row(c, bucket)) return no_such_bucket();
    return no_such_key();
  }
  if (!bucket_row(c, bucket)) return no_such_bucket();
  if (auto s = check_version_id(versioning_in(c, bucket), version_id); !s) return s.error();
  auto row = find_version(c, bucket, key, *version_id);
  if (!row) return no_such_version();
  if (row->meta.delete_marker) return is_delete_marker();
  return std::pair{std::move(row->meta), std::move(row->data)};
}

base::Result<std::unique_ptr<DataWriter>> Store::new_writer(const std::string& bucket) {
  if (!impl_->bucket_exists(bucket)) return no_such_bucket();
  return DataWriter::create(impl_->dir, impl_->options.inline_limit);
}

base::Result<ObjectMeta> Store::commit_object(const std::string& bucket, NewObject obj, DataWriter& data,
                                              const RequestContext& ctx) {
  ObjectData stored;
  if (data.is_inline()) {
    stored.inline_data = data.inline_data();
  } else {
    if (auto s = data.place(); !s) return s.error();
    stored.files = {{data.file_id(), data.size()}};
  }
  ObjectMeta meta;
  meta.bucket = bucket;
  meta.key = std::move(obj.key);
  meta.size = data.size();
  meta.etag = base::to_hex(data.md5());
  meta.last_modified_ms = base::now_ms();
  meta.attributes = std::move(obj.attributes);
  meta.tags = std::move(obj.tags);
  if (auto a = data.checksum_algorithm()) {
    meta.checksum.algorithm = std::string(base::checksum_name(*a));
    meta.checksum.value = data.checksum_base64();
  }
  std::vector<FileRef> replaced;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto seq = Impl::next_sequence(tx, bucket);
    if (!seq) return no_such_bucket();
    if (auto s = Impl::check_condition(tx, bucket, meta.key, obj.condition); !s) return s;
    WriteSlot slot = prepare_write(tx, bucket, meta.key);
    replaced = std::move(slot.freed);
    meta.version_id = slot.version_id;
    meta.version_seq = *seq;
    insert_object_row(tx, meta, stored);
    return impl_->fire(tx, {obj.event, bucket, meta.key, meta.size, meta.etag, "", meta.last_modified_ms, ctx,
                            event_version(slot.state, meta.version_id)}, *seq);
  });
  if (!status) {
    impl_->remove_files(stored.files);
    return status.error();
  }
  if (impl_->hook) impl_->hook->committed();
  impl_->remove_files(replaced);
  return meta;
}

base::Result<ObjectMeta> Store::head_object(const std::string& bucket, const std::string& key,
                                            const std::optional<std::string>& version_id) {
  return impl_->read([&](Connection& c) -> base::Result<ObjectMeta> {
    auto found = find_object(c, bucket, key, version_id);
    if (!found) return found.error();
    return std::move(found->first);
  });
}

base::Result<OpenedObject> Store::open_object(const std::string& bucket, const std::string& key,
                                              const std::optional<std::string>& version_id) {
  // A concurrent overwrite may unlink the files between reading the row and
  // opening them; the row read again then names the new files.
  for (int attempt = 0;; ++attempt) {
    auto row = impl_->read([&](Connection& c) { return find_object(c, bucket, key, version_id); });
    if (!row) return row.error();
    auto opened = impl_->open_data(row->first, std::move(row->second));
    if (opened.ok() || opened.error().code != ErrorCode::kNotFound || attempt >= 8) return opened;
  }
}

base::Result<std::optional<ObjectMeta>> Store::latest_delete_marker(const std::string& bucket, const std::string& key) {
  return impl_->read([&](Connection& c) -> base::Result<std::optional<ObjectMeta>> {
    auto cur = c.prepare("SELECT 1 FROM objects WHERE bucket = ? AND key = ?");
    cur.bind(1, bucket).bind(2, key);
    if (cur.step()) return std::optional<ObjectMeta>();
    auto newest = newest_noncurrent(c, bucket, key);
    if (!newest || !newest->delete_marker) return std::optional<ObjectMeta>();
    return newest;
  });
}

base::Result<DeleteResult> Store::delete_object(const std::string& bucket, const std::string& key,
                                                const RequestContext& ctx, const WriteCondition& condition,
                                                const std::optional<std::string>& version_id) {
  DeleteResult result;
  std::vector<FileRef> removed;
  bool fired = false;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    result = {};
    removed.clear();
    fired = false;
    if (!bucket_row(tx, bucket)) return no_such_bucket();
    Versioning state = versioning_in(tx, bucket);
    if (auto s = check_version_id(state, version_id); !s) return s;
    if (auto s = Impl::check_condition(tx, bucket, key, condition, version_id); !s) return s;
    int64_t now = base::now_ms();
    if (version_id) {
      // One version, for good; the next newest becomes current.
      auto gone = remove_version(tx, bucket, key, *version_id);
      if (state != Versioning::kUnversioned) result.version_id = *version_id;
      if (!gone) return {};
      result.existed = true;
      result.delete_marker = gone->delete_marker;
      removed = std::move(gone->files);
      settle(tx, bucket, key);
      auto seq = Impl::next_sequence(tx, bucket);
      fired = true;
      return impl_->fire(tx, {EventKind::kDelete, bucket, key, 0, "", "", now, ctx, event_version(state, *version_id)},
                         *seq);
    }
    if (state == Versioning::kUnversioned) {
      auto gone = remove_version(tx, bucket, key, "null");
      if (!gone) return {};
      result.existed = true;
      removed = std::move(gone->files);
      auto seq = Impl::next_sequence(tx, bucket);
      fired = true;
      return impl_->fire(tx, {EventKind::kDelete, bucket, key, 0, "", "", now, ctx}, *seq);
    }
    // Versioned: the current version becomes noncurrent under a new delete marker.
    auto seq = Impl::next_sequence(tx, bucket);
    WriteSlot slot = prepare_write(tx, bucket, key);
    removed = std::move(slot.freed);
    ObjectMeta marker;
    marker.bucket = bucket;
    marker.key = key;
    marker.last_modified_ms = now;
    marker.version_id = slot.version_id;
    marker.version_seq = *seq;
    marker.delete_marker = true;
    insert_marker_row(tx, marker);
    result.existed = true;
    result.version_id = slot.version_id;
    result.delete_marker = true;
    fired = true;
    return impl_->fire(tx, {EventKind::kDeleteMarkerCreated, bucket, key, 0, "", "", now, ctx, slot.version_id}, *seq);
  });
  if (!status) return status.error();
  if (fired && impl_->hook) impl_->hook->committed();
  impl_->remove_files(removed);
  return result;
}

base::Result<ObjectMeta> Store::copy_object(const CopySource& src, const std::string& bucket, NewObject obj,
                                            const RequestContext& ctx) {
  auto source = impl_->read([&](Connection& c) { return find_object(c, src.bucket, src.key, src.version_id); });
  if (!source) return source.error();
  // Data files are immutable, so the copy shares them through hard links.
  ObjectData copied;
  copied.inline_data = source->second.inline_data;
  for (const auto& f : source->second.files) {
    auto id = impl_->dir.clone(f.id);
    if (!id) {
      impl_->remove_files(copied.files);
      // The source may have been overwritten meanwhile: report it as gone.
      return id.error().code == ErrorCode::kIo ? no_such_key() : id.error();
    }
    copied.files.push_back({*id, f.size});
  }
  ObjectMeta meta = source->first;
  meta.bucket = bucket;
  meta.key = std::move(obj.key);
  meta.last_modified_ms = base::now_ms();
  meta.attributes = std::move(obj.attributes);
  meta.tags = std::move(obj.tags);
  std::vector<FileRef> replaced;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto seq = Impl::next_sequence(tx, bucket);
    if (!seq) return no_such_bucket();
    if (auto s = Impl::check_condition(tx, bucket, meta.key, obj.condition); !s) return s;
    WriteSlot slot = prepare_write(tx, bucket, meta.key);
    replaced = std::move(slot.freed);
    meta.version_id = slot.version_id;
    meta.version_seq = *seq;
    insert_object_row(tx, meta, copied);
    return impl_->fire(tx, {EventKind::kCopy, bucket, meta.key, meta.size, meta.etag, "", meta.last_modified_ms, ctx,
                            event_version(slot.state, meta.version_id)}, *seq);
  });
  if (!status) {
    impl_->remove_files(copied.files);
    return status.error();
  }
  if (impl_->hook) impl_->hook->committed();
  impl_->remove_files(replaced);
  return meta;
}

base::Result<ObjectMeta> Store::set_tags(const std::string& bucket, const std::string& key,
                                         const std::optional<std::string>& version_id, const Attributes& tags) {
  ObjectMeta meta;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto found = find_object(tx, bucket, key, version_id);
    if (!found) return found.error();
    meta = std::move(found->first);
    meta.tags = tags;
    std::string blob = encode_attributes(tags);
    for (const char* table : {"objects", "versions"}) {
      auto st = tx.prepare(std::string("UPDATE ") + table + " SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ?");
      st.bind_blob(1, blob).bind(2, bucket).bind(3, key).bind(4, meta.version_id);
      if (auto s = st.run(); !s) return s;
    }
    return {};
  });
  if (!status) return status.error();
  return meta;
}

}  // namespace nimbus::storage
