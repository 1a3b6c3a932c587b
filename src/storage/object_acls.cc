// Store: per-version object ACL documents (object_acls table, keyed by
// bucket, key and version id, as S3 keeps an ACL per version), apart from
// the objects table so the object data path owns its schema alone. A row
// exists only for an ACL other than the default (private). It goes with its
// version, in the transaction that removes it (remove_version) or replaces
// the "null" version (insert_object_row), and with its bucket; a version
// that becomes noncurrent keeps it. Writes go through the group committer.
#include "storage/store_impl.h"

namespace nimbus::storage {

void drop_object_acl(Connection& tx, const std::string& bucket, const std::string& key, const std::string& version_id) {
  auto st = tx.prepare("DELETE FROM object_acls WHERE bucket = ? AND key = ? AND version_id = ?");
  st.bind(1, bucket).bind(2, key).bind(3, version_id);
  if (auto s = st.run(); !s) throw std::runtime_error(s.error().message);
}

base::Status Store::put_object_acl(const std::string& bucket, const std::string& key,
                                   const std::optional<std::string>& version_id, const std::string& document,
                                   const std::string& expected_etag) {
  return impl_->writer->run([&](Connection& tx) -> base::Status {
    auto found = find_object(tx, bucket, key, version_id);
    if (!found) return found.error();
    const ObjectMeta& m = found->first;
    // The version was replaced since the write this ACL belongs to (a "null" version is
    // replaced in place): the newer write's ACL stands.
    if (!expected_etag.empty() && m.etag != expected_etag) return {};
    if (document.empty()) {
      drop_object_acl(tx, bucket, key, m.version_id);
      return {};
    }
    auto st = tx.prepare(
        "INSERT INTO object_acls(bucket, key, version_id, document) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(bucket, key, version_id) DO UPDATE SET document = excluded.document");
    st.bind(1, bucket).bind(2, key).bind(3, m.version_id).bind_blob(4, document);
    return st.run();
  });
}

base::Result<std::optional<std::string>> Store::get_object_acl(const std::string& bucket, const std::string& key,
                                                               const std::optional<std::string>& version_id) {
  return impl_->read([&](Connection& c) -> base::Result<std::optional<std::string>> {
    auto found = find_object(c, bucket, key, version_id);
    if (!found) return found.error();
    auto st = c.prepare("SELECT document FROM object_acls WHERE bucket = ? AND key = ? AND version_id = ?");
    st.bind(1, bucket).bind(2, key).bind(3, found->first.version_id);
    if (st.step()) return std::optional<std::string>(std::string(st.blob(0)));
    return std::optional<std::string>();
  });
}

}  // namespace nimbus::storage
