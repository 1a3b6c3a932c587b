// Store: per-object ACL documents (object_acls table), kept apart from the
// objects table so the object data path owns its schema alone. A row exists
// only for an ACL other than the default (private); it goes when its object
// is overwritten or deleted (drop_object_acl, called inside those
// transactions) and with its bucket. Writes go through the group committer.
#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

base::Error missing_object(Connection& c, const std::string& bucket) {
  auto b = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
  b.bind(1, bucket);
  if (!b.step()) return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
  return make_error(ErrorCode::kNotFound, "The specified key does not exist.", base::reason::kNoSuchKey);
}

}  // namespace

void drop_object_acl(Connection& tx, const std::string& bucket, const std::string& key) {
  auto st = tx.prepare("DELETE FROM object_acls WHERE bucket = ? AND key = ?");
  st.bind(1, bucket).bind(2, key);
  if (auto s = st.run(); !s) throw std::runtime_error(s.error().message);
}

base::Status Store::put_object_acl(const std::string& bucket, const std::string& key, const std::string& document,
                                   const std::string& expected_etag) {
  return impl_->writer->run([&](Connection& tx) -> base::Status {
    auto obj = tx.prepare("SELECT etag FROM objects WHERE bucket = ? AND key = ?");
    obj.bind(1, bucket).bind(2, key);
    if (!obj.step()) return missing_object(tx, bucket);
    // The object was replaced since the write this ACL belongs to: the newer write's ACL stands.
    if (!expected_etag.empty() && obj.text(0) != expected_etag) return {};
    if (document.empty()) {
      drop_object_acl(tx, bucket, key);
      return {};
    }
    auto st = tx.prepare(
        "INSERT INTO object_acls(bucket, key, document) VALUES(?, ?, ?) "
        "ON CONFLICT(bucket, key) DO UPDATE SET document = excluded.document");
    st.bind(1, bucket).bind(2, key).bind_blob(3, document);
    return st.run();
  });
}

base::Result<std::optional<std::string>> Store::get_object_acl(const std::string& bucket, const std::string& key) {
  return impl_->read([&](Connection& c) -> base::Result<std::optional<std::string>> {
    auto obj = c.prepare("SELECT 1 FROM objects WHERE bucket = ? AND key = ?");
    obj.bind(1, bucket).bind(2, key);
    if (!obj.step()) return missing_object(c, bucket);
    auto st = c.prepare("SELECT document FROM object_acls WHERE bucket = ? AND key = ?");
    st.bind(1, bucket).bind(2, key);
    if (st.step()) return std::optional<std::string>(std::string(st.blob(0)));
    return std::optional<std::string>();
  });
}

}  // namespace nimbus::storage
