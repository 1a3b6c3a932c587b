// Store: multipart uploads. Parts are data files of their own; completing an
// upload hands them to the object row without copying a byte.
#include <map>

#include "base/checksum.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

base::Error no_such_upload() {
  return make_error(ErrorCode::kNotFound,
                    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                    "aborted or completed.", base::reason::kNoSuchUpload);
}

// Inserts or replaces a part row; returns the file of the part it replaced.
std::optional<std::string> put_part(Connection& tx, const std::string& upload_id, const PartInfo& p,
                                    const std::string& file) {
  std::optional<std::string> old;
  auto prev = tx.prepare("SELECT file FROM parts WHERE upload_id = ? AND part_number = ?");
  prev.bind(1, upload_id).bind(2, int64_t{p.part_number});
  if (prev.step()) old = prev.text(0);
  auto st = tx.prepare(
      "INSERT OR REPLACE INTO parts(upload_id, part_number, size, etag, modified_ms, checksum, file) "
      "VALUES(?,?,?,?,?,?,?)");
  st.bind(1, upload_id).bind(2, int64_t{p.part_number}).bind(3, static_cast<int64_t>(p.size)).bind(4, p.etag);
  st.bind(5, p.last_modified_ms).bind(6, p.checksum.value).bind(7, file);
  if (auto s = st.run(); !s) throw std::runtime_error(s.error().message);
  return old;
}

bool upload_exists(Connection& tx, const std::string& upload_id) {
  auto st = tx.prepare("SELECT 1 FROM uploads WHERE upload_id = ?");
  st.bind(1, upload_id);
  return st.step();
}

}  // namespace

base::Result<UploadInfo> Store::create_upload(const std::string& bucket, const std::string& key, Attributes attributes,
                                              const std::string& checksum_algorithm, Attributes tags) {
  UploadInfo u{base::random_hex(24), bucket, key, base::now_ms(), std::move(attributes), checksum_algorithm,
               std::move(tags)};
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    auto b = tx.prepare("SELECT 1 FROM buckets WHERE name = ?");
    b.bind(1, bucket);
    if (!b.step()) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
    auto st = tx.prepare(
        "INSERT INTO uploads(upload_id, bucket, key, initiated_ms, attributes, checksum_algo, tags) "
        "VALUES(?,?,?,?,?,?,?)");
    st.bind(1, u.upload_id).bind(2, bucket).bind(3, key).bind(4, u.initiated_ms);
    st.bind_blob(5, encode_attributes(u.attributes)).bind(6, checksum_algorithm).bind_blob(7, encode_attributes(u.tags));
    return st.run();
  });
  if (!status) return status.error();
  return u;
}

base::Result<UploadInfo> Store::get_upload(const std::string& bucket, const std::string& key,
                                           const std::string& upload_id) {
  return impl_->read([&](Connection& c) -> base::Result<UploadInfo> {
    auto st = c.prepare(
        "SELECT upload_id, bucket, key, initiated_ms, attributes, checksum_algo, tags FROM uploads "
        "WHERE upload_id = ? AND bucket = ? AND key = ?");
    st.bind(1, upload_id).bind(2, bucket).bind(3, key);
    if (!st.step()) return no_such_upload();
    return UploadInfo{st.text(0), st.text(1), st.text(2), st.integer(3), decode_attributes(st.blob(4)), st.text(5),
                      decode_attributes(st.blob(6))};
  });
}

base::Result<PartInfo> Store::commit_part(const UploadInfo& upload, int part_number, DataWriter& data) {
  if (auto s = data.place(); !s) return s.error();
  PartInfo p{part_number, data.size(), base::to_hex(data.md5()), base::now_ms(), {}};
  if (auto a = data.checksum_algorithm()) p.checksum = {std::string(base::checksum_name(*a)), data.checksum_base64()};
  std::optional<std::string> replaced;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    if (!upload_exists(tx, upload.upload_id)) return no_such_upload();
    replaced = put_part(tx, upload.upload_id, p, data.file_id());
    return {};
  });
  if (!status) {
    impl_->dir.remove(data.file_id());
    return status.error();
  }
  if (replaced) impl_->dir.remove(*replaced);
  return p;
}

base::Result<PartInfo> Store::copy_part(const UploadInfo& upload, int part_number, const CopySource& src) {
  auto opened = open_object(src.bucket, src.key, src.version_id);
  if (!opened) return opened.error();
  uint64_t first = 0, last = opened->meta.size ? opened->meta.size - 1 : 0;
  if (src.range) {
    std::tie(first, last) = *src.range;
    if (last >= opened->meta.size || first > last)
      return make_error(ErrorCode::kPreconditionFailed, "The x-amz-copy-source-range value must be of the form "
                                                  "bytes=first-last where first and last are within the object", base::reason::kInvalidRange);
  }
  auto writer = DataWriter::create(impl_->dir);
  if (!writer) return writer.error();
  if (!upload.checksum_algorithm.empty())
    if (auto a = base::parse_checksum_algorithm(upload.checksum_algorithm)) (*writer)->add_checksum(*a);
  std::string buf(1 << 20, '\0');
  uint64_t end = opened->meta.size == 0 ? 0 : last + 1;
  for (uint64_t off = first; off < end;) {
    auto n = opened->reader->read(off, buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), end - off)));
    if (!n) return n.error();
    if (*n == 0) break;
    if (auto s = (*writer)->write(buf.data(), *n); !s) return s.error();
    off += *n;
  }
  (*writer)->finish_digests();
  return commit_part(upload, part_number, **writer);
}

base::Result<ListPartsResult> Store::list_parts(const UploadInfo& upload, int part_marker, int max_parts) {
  return impl_->read([&](Connection& c) -> base::Result<ListPartsResult> {
    ListPartsResult out;
    auto st = c.prepare(
        "SELECT part_number, size, etag, modified_ms, checksum FROM parts WHERE upload_id = ? AND part_number > ? "
        "ORDER BY part_number LIMIT ?");
    st.bind(1, upload.upload_id).bind(2, int64_t{part_marker}).bind(3, int64_t{max_parts} + 1);
    while (st.step()) {
      if (static_cast<int>(out.parts.size()) == max_parts) {
        out.truncated = true;
        break;
      }
      out.parts.push_back({static_cast<int>(st.integer(0)), static_cast<uint64_t>(st.integer(1)), st.text(2),
                           st.integer(3), {upload.checksum_algorithm, st.text(4), false}});
      out.next_marker = out.parts.back().part_number;
    }
    return out;
  });
}

base::Result<ObjectMeta> Store::complete_upload(const UploadInfo& upload, const std::vector<CompletedPart>& parts,
                                                const RequestContext& ctx, const WriteCondition& condition) {
  if (parts.empty()) return make_error(ErrorCode::kMalformed, "You must specify at least one part");
  ObjectMeta meta;
  std::vector<FileRef> files, unused;
  std::vector<FileRef> replaced;
  Versioning state = Versioning::kUnversioned;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    files.clear();
    unused.clear();
    if (!upload_exists(tx, upload.upload_id)) return no_such_upload();
    if (auto s = Impl::check_condition(tx, upload.bucket, upload.key, condition); !s) return s;
    struct Stored {
      uint64_t size;
      std::string etag, checksum, file;
    };
    std::map<int, Stored> stored;
    auto st = tx.prepare("SELECT part_number, size, etag, checksum, file FROM parts WHERE upload_id = ?");
    st.bind(1, upload.upload_id);
    while (st.step())
      stored[static_cast<int>(st.integer(0))] = {static_cast<uint64_t>(st.integer(1)), st.text(2), st.text(3),
                                                 st.text(4)};
    for (size_t i = 1; i < parts.size(); ++i)
      if (parts[i].part_number <= parts[i - 1].part_number)
        return make_error(ErrorCode::kInvalidArgument, "The list of parts was not in ascending order. "
                                                        "Parts must be ordered by part number.", base::reason::kInvalidPartOrder);
    std::string md5s, checksums;
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto& p = parts[i];
      auto it = stored.find(p.part_number);
      if (it == stored.end() || base::to_lower(it->second.etag) != base::to_lower(p.etag))
        return make_error(ErrorCode::kInvalidArgument, "One or more of the specified parts could not be found. The part "
                                                   "may not have been uploaded, or the specified entity tag may not "
                                                   "match the part's entity tag.", base::reason::kInvalidPart);
      if (i + 1 < parts.size() && it->second.size < impl_->options.min_part_size)
        return make_error(ErrorCode::kInvalidArgument, "Your proposed upload is smaller than the minimum allowed size", base::reason::kEntityTooSmall);
      md5s += *base::from_hex(it->second.etag);
      if (auto raw = base::base64_decode(it->second.checksum)) checksums += *raw;
      files.push_back({it->second.file, it->second.size});
      meta.size += it->second.size;
      stored.erase(it);
    }
    for (const auto& [n, s] : stored) unused.push_back({s.file, s.size});
    meta.bucket = upload.bucket;
    meta.key = upload.key;
    meta.etag = base::to_hex(base::md5(md5s)) + "-" + std::to_string(parts.size());
    meta.last_modified_ms = base::now_ms();
    meta.attributes = upload.attributes;
    meta.tags = upload.tags;
    meta.parts_count = static_cast<int>(parts.size());
    if (auto a = base::parse_checksum_algorithm(upload.checksum_algorithm)) {
      base::Checksummer c(*a);
      c.update(checksums.data(), checksums.size());
      meta.checksum = {upload.checksum_algorithm, c.finish_base64(), true};
    }
    auto seq = Impl::next_sequence(tx, upload.bucket);
    if (!seq) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
    WriteSlot slot = prepare_write(tx, upload.bucket, upload.key);
    replaced = std::move(slot.freed);
    state = slot.state;
    meta.version_id = slot.version_id;
    meta.version_seq = *seq;
    insert_object_row(tx, meta, ObjectData{files, std::nullopt});
    auto dp = tx.prepare("DELETE FROM parts WHERE upload_id = ?");
    dp.bind(1, upload.upload_id);
    if (auto s = dp.run(); !s) return s;
    auto du = tx.prepare("DELETE FROM uploads WHERE upload_id = ?");
    du.bind(1, upload.upload_id);
    if (auto s = du.run(); !s) return s;
    return impl_->fire(tx,
                       {EventKind::kCompleteMultipartUpload, meta.bucket, meta.key, meta.size, meta.etag, "",
                        meta.last_modified_ms, ctx, state == Versioning::kUnversioned ? "" : meta.version_id},
                       *seq);
  });
  if (!status) return status.error();
  if (impl_->hook) impl_->hook->committed();
  for (const auto& f : files) meta.part_sizes.push_back(f.size);
  impl_->remove_files(unused);
  impl_->remove_files(replaced);
  return meta;
}

base::Status Store::abort_upload(const UploadInfo& upload) {
  std::vector<FileRef> files;
  auto status = impl_->writer->run([&](Connection& tx) -> base::Status {
    if (!upload_exists(tx, upload.upload_id)) return no_such_upload();
    auto st = tx.prepare("SELECT file, size FROM parts WHERE upload_id = ?");
    st.bind(1, upload.upload_id);
    while (st.step()) files.push_back({st.text(0), static_cast<uint64_t>(st.integer(1))});
    auto dp = tx.prepare("DELETE FROM parts WHERE upload_id = ?");
    dp.bind(1, upload.upload_id);
    if (auto s = dp.run(); !s) return s;
    auto du = tx.prepare("DELETE FROM uploads WHERE upload_id = ?");
    du.bind(1, upload.upload_id);
    return du.run();
  });
  if (status) impl_->remove_files(files);
  return status;
}

}  // namespace nimbus::storage
