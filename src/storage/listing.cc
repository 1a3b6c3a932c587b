// Store: listing objects and uploads in UTF-8 byte order, with prefixes,
// delimiters (common prefixes) and markers, as S3 defines them.
#include <cstdint>

#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

// Where a listing resumes: after `key`, or at it when inclusive.
struct Cursor {
  std::string key;
  bool inclusive = true;
};

Cursor start_cursor(const std::string& prefix, const std::string& delimiter, const std::string& start_after) {
  Cursor c{prefix, true};
  if (!start_after.empty() && start_after >= prefix) {
    c = {start_after, false};
    // A marker that is a common prefix skips everything rolled up under it.
    if (!delimiter.empty() && start_after.size() >= delimiter.size() &&
        start_after.compare(start_after.size() - delimiter.size(), delimiter.size(), delimiter) == 0 &&
        start_after.rfind(prefix, 0) == 0) {
      if (auto next = prefix_successor(start_after)) c = {*next, true};
    }
  }
  return c;
}

}  // namespace

base::Result<ListResult> Store::list_objects(const std::string& bucket, const ListQuery& q) {
  return impl_->read([&](Connection& c) -> base::Result<ListResult> {
    auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
    b.bind(1, bucket);
    if (!b.step()) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);

    ListResult out;
    if (q.max_keys <= 0) return out;
    auto upper = q.prefix.empty() ? std::nullopt : prefix_successor(q.prefix);
    Cursor cursor = start_cursor(q.prefix, q.delimiter, q.start_after);
    int count = 0;
    constexpr int kBatch = 1000;
    for (;;) {
      std::string sql = std::string("SELECT ") + kObjectColumns + " FROM objects WHERE bucket = ?1 AND key " +
                        (cursor.inclusive ? ">=" : ">") + " ?2" + (upper ? " AND key < ?3" : "") +
                        " ORDER BY key LIMIT " + std::to_string(kBatch);
      auto st = c.prepare(sql);
      st.bind(1, bucket).bind(2, cursor.key);
      if (upper) st.bind(3, *upper);
      int rows = 0;
      bool jumped = false;
      while (st.step()) {
        ++rows;
        std::string key = st.text(1);
        if (count == q.max_keys) {
          out.truncated = true;
          return out;
        }
        size_t pos = q.delimiter.empty() ? std::string::npos : key.find(q.delimiter, q.prefix.size());
        if (pos != std::string::npos) {
          std::string cp = key.substr(0, pos + q.delimiter.size());
          out.common_prefixes.push_back(cp);
          out.last = cp;
          ++count;
          auto next = prefix_successor(cp);
          if (!next) return out;
          cursor = {*next, true};
          jumped = true;
          break;
        }
        out.objects.push_back(object_from_row(st));
        out.last = key;
        ++count;
        cursor = {key, false};
      }
      if (!jumped && rows < kBatch) return out;
    }
  });
}

base::Result<ListUploadsResult> Store::list_uploads(const std::string& bucket, const ListUploadsQuery& q) {
  return impl_->read([&](Connection& c) -> base::Result<ListUploadsResult> {
    auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
    b.bind(1, bucket);
    if (!b.step()) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
    ListUploadsResult out;
    auto st = c.prepare(
        "SELECT upload_id, key, initiated_ms, attributes, checksum_algo FROM uploads WHERE bucket = ? AND key >= ? "
        "ORDER BY key, initiated_ms, upload_id");
    st.bind(1, bucket).bind(2, q.prefix);
    int count = 0;
    while (st.step()) {
      UploadInfo u{st.text(0), bucket, st.text(1), st.integer(2), decode_attributes(st.blob(3)), st.text(4)};
      if (u.key.rfind(q.prefix, 0) != 0) break;
      if (!q.key_marker.empty()) {
        if (u.key < q.key_marker) continue;
        if (u.key == q.key_marker && (q.upload_id_marker.empty() || u.upload_id <= q.upload_id_marker)) continue;
      }
      size_t pos = q.delimiter.empty() ? std::string::npos : u.key.find(q.delimiter, q.prefix.size());
      std::string cp = pos == std::string::npos ? "" : u.key.substr(0, pos + q.delimiter.size());
      if (!cp.empty() && !out.common_prefixes.empty() && out.common_prefixes.back() == cp) continue;
      if (count == q.max_uploads) {
        out.truncated = true;
        break;
      }
      ++count;
      if (!cp.empty()) {
        out.common_prefixes.push_back(cp);
        out.next_key_marker = cp;
        out.next_upload_id_marker.clear();
      } else {
        out.next_key_marker = u.key;
        out.next_upload_id_marker = u.upload_id;
        out.uploads.push_back(std::move(u));
      }
    }
    return out;
  });
}

base::Result<ListVersionsResult> Store::list_versions(const std::string& bucket, const ListVersionsQuery& q) {
  return impl_->read([&](Connection& c) -> base::Result<ListVersionsResult> {
    auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
    b.bind(1, bucket);
    if (!b.step()) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
    ListVersionsResult out;
    if (q.max_keys <= 0) return out;
    auto upper = q.prefix.empty() ? std::nullopt : prefix_successor(q.prefix);
    // The cursor: rows of `key` older than `below` (its vseq), then the keys after it.
    constexpr int64_t kAll = INT64_MAX, kNone = INT64_MIN;
    std::string key = q.prefix;
    int64_t below = kAll;
    if (!q.key_marker.empty() && q.key_marker >= q.prefix) {
      if (q.version_id_marker.empty()) {
        Cursor start = start_cursor(q.prefix, q.delimiter, q.key_marker);
        key = start.key;
        below = start.inclusive ? kAll : kNone;
      } else {
        auto row = find_version(c, bucket, q.key_marker, q.version_id_marker);
        if (!row)
          return make_error(ErrorCode::kInvalidArgument, "Invalid version id specified", reason::kInvalidVersion);
        key = q.key_marker;
        below = row->meta.version_seq;
      }
    }
    // A key resumed in the middle of its versions has its latest on an earlier page.
    std::optional<std::string> previous;
    if (below != kAll) previous = key;
    int count = 0;
    constexpr int kBatch = 1000;
    const std::string where = std::string(" WHERE bucket = ?1 AND key >= ?2 AND NOT (key = ?2 AND vseq >= ?4)") +
                              (upper ? " AND key < ?3" : "");
    const std::string sql = std::string("SELECT ") + kObjectColumns + ", 0 AS marker FROM objects" + where +
                            " UNION ALL SELECT " + kObjectColumns + ", delete_marker AS marker FROM versions" + where +
                            " ORDER BY key, vseq DESC LIMIT " + std::to_string(kBatch);
    for (;;) {
      auto st = c.prepare(sql);
      st.bind(1, bucket).bind(2, key).bind(4, below);
      if (upper) st.bind(3, *upper);
      int rows = 0;
      bool jumped = false;
      while (st.step()) {
        ++rows;
        std::string k = st.text(1);
        size_t pos = q.delimiter.empty() ? std::string::npos : k.find(q.delimiter, q.prefix.size());
        if (count == q.max_keys) {
          out.truncated = true;
          return out;
        }
        if (pos != std::string::npos) {
          std::string cp = k.substr(0, pos + q.delimiter.size());
          out.common_prefixes.push_back(cp);
          out.next_key_marker = cp;
          out.next_version_id_marker.clear();
          ++count;
          auto next = prefix_successor(cp);
          if (!next) return out;
          key = *next;
          below = kAll;
          previous.reset();
          jumped = true;
          break;
        }
        ObjectMeta m = object_from_row(st);
        m.delete_marker = st.integer(kObjectColumnCount) != 0;
        m.is_latest = !previous || *previous != k;
        previous = k;
        out.next_key_marker = k;
        out.next_version_id_marker = m.version_id;
        key = k;
        below = m.version_seq;
        out.versions.push_back(std::move(m));
        ++count;
      }
      if (!jumped && rows < kBatch) return out;
    }
  });
}

}  // namespace nimbus::storage
