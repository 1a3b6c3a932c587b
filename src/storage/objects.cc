// Store: single objects — write, read, delete, copy.
#include "base/encoding.h"
#include "base/time.h"
#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

base::Error no_such_bucket() { return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket); }
base::Error no_such_key() { return make_error(ErrorCode::kNotFound, "The specified key does not exist.", base::reason::kNoSuchKey); }

}  // namespace

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
  if (auto a = data.checksum_algorithm()) {
    meta.checksum.algorithm = std::string(base::checksum_name(*a));
    meta.checksum.value = data.checksum_base64();
  }
  std::optional<std::vector<FileRef>> replaced;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto seq = Impl::next_sequence(tx, bucket);
    if (!seq) return no_such_bucket();
    if (auto s = Impl::check_condition(tx, bucket, meta.key, obj.condition); !s) return s;
    replaced = Impl::object_files(tx, bucket, meta.key);
    insert_object_row(tx, meta, stored);
    return impl_->fire(tx, {obj.event, bucket, meta.key, meta.size, meta.etag, "", meta.last_modified_ms, ctx}, *seq);
  });
  if (!status) {
    impl_->remove_files(stored.files);
    return status.error();
  }
  if (impl_->hook) impl_->hook->committed();
  if (replaced) impl_->remove_files(*replaced);
  return meta;
}

base::Result<ObjectMeta> Store::head_object(const std::string& bucket, const std::string& key) {
  return impl_->read([&](Connection& c) -> base::Result<ObjectMeta> {
    auto st = c.prepare(std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ?");
    st.bind(1, bucket).bind(2, key);
    if (st.step()) return object_from_row(st);
    auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
    b.bind(1, bucket);
    if (!b.step()) return no_such_bucket();
    return no_such_key();
  });
}

base::Result<OpenedObject> Store::open_object(const std::string& bucket, const std::string& key) {
  // A concurrent overwrite may unlink the files between reading the row and
  // opening them; the row read again then names the new files.
  for (int attempt = 0;; ++attempt) {
    auto row = impl_->read([&](Connection& c) -> base::Result<std::pair<ObjectMeta, ObjectData>> {
      auto st = c.prepare(std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ?");
      st.bind(1, bucket).bind(2, key);
      if (!st.step()) {
        auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
        b.bind(1, bucket);
        if (!b.step()) return no_such_bucket();
        return no_such_key();
      }
      return std::pair{object_from_row(st), object_data_from_row(st)};
    });
    if (!row) return row.error();
    auto opened = impl_->open_data(row->first, std::move(row->second));
    if (opened.ok() || opened.error().code != ErrorCode::kNotFound || attempt >= 8) return opened;
  }
}

base::Result<bool> Store::delete_object(const std::string& bucket, const std::string& key, const RequestContext& ctx,
                                        const WriteCondition& condition) {
  std::optional<std::vector<FileRef>> removed;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto b = tx.prepare("SELECT 1 FROM buckets WHERE name = ?");
    b.bind(1, bucket);
    if (!b.step()) return no_such_bucket();
    if (auto s = Impl::check_condition(tx, bucket, key, condition); !s) return s;
    removed = Impl::object_files(tx, bucket, key);
    if (!removed) return {};
    auto del = tx.prepare("DELETE FROM objects WHERE bucket = ? AND key = ?");
    del.bind(1, bucket).bind(2, key);
    if (auto s = del.run(); !s) return s;
    drop_object_acl(tx, bucket, key);
    auto seq = Impl::next_sequence(tx, bucket);
    return impl_->fire(tx, {EventKind::kDelete, bucket, key, 0, "", "", base::now_ms(), ctx}, *seq);
  });
  if (!status) return status.error();
  if (impl_->hook) impl_->hook->committed();
  if (removed) impl_->remove_files(*removed);
  return removed.has_value();
}

base::Result<ObjectMeta> Store::copy_object(const CopySource& src, const std::string& bucket, NewObject obj,
                                            const RequestContext& ctx) {
  auto source = impl_->read([&](Connection& c) -> base::Result<std::pair<ObjectMeta, ObjectData>> {
    auto st = c.prepare(std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ? AND key = ?");
    st.bind(1, src.bucket).bind(2, src.key);
    if (!st.step()) return no_such_key();
    return std::pair{object_from_row(st), object_data_from_row(st)};
  });
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
  std::optional<std::vector<FileRef>> replaced;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto seq = Impl::next_sequence(tx, bucket);
    if (!seq) return no_such_bucket();
    if (auto s = Impl::check_condition(tx, bucket, meta.key, obj.condition); !s) return s;
    replaced = Impl::object_files(tx, bucket, meta.key);
    insert_object_row(tx, meta, copied);
    return impl_->fire(tx, {EventKind::kCopy, bucket, meta.key, meta.size, meta.etag, "", meta.last_modified_ms, ctx},
                       *seq);
  });
  if (!status) {
    impl_->remove_files(copied.files);
    return status.error();
  }
  if (impl_->hook) impl_->hook->committed();
  if (replaced) impl_->remove_files(*replaced);
  return meta;
}

}  // namespace nimbus::storage
