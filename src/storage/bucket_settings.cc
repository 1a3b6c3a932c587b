// Store: per-bucket configuration documents (bucket_settings table). Writes go
// through the group committer like every other change, so a setting is
// durable on return; reads are point lookups on a reader connection.
#include "storage/store_impl.h"

namespace nimbus::storage {

using base::ErrorCode;
using base::make_error;

namespace {

base::Status no_such_bucket() {
  return make_error(ErrorCode::kNotFound, "The specified bucket does not exist", base::reason::kNoSuchBucket);
}

bool bucket_row_exists(Connection& c, const std::string& bucket) {
  auto st = c.prepare("SELECT 1 FROM buckets WHERE name = ?");
  st.bind(1, bucket);
  return st.step();
}

}  // namespace

base::Status Store::put_bucket_setting(const std::string& bucket, const std::string& name,
                                       const std::string& document) {
  return impl_->writer->run([&](Connection& tx) -> base::Status {
    if (!bucket_row_exists(tx, bucket)) return no_such_bucket();
    auto st = tx.prepare(
        "INSERT INTO bucket_settings(bucket, name, document) VALUES(?, ?, ?) "
        "ON CONFLICT(bucket, name) DO UPDATE SET document = excluded.document");
    st.bind(1, bucket).bind(2, name).bind_blob(3, document);
    return st.run();
  });
}

base::Result<std::optional<std::string>> Store::get_bucket_setting(const std::string& bucket,
                                                                   const std::string& name) {
  return impl_->read([&](Connection& c) -> base::Result<std::optional<std::string>> {
    auto st = c.prepare("SELECT document FROM bucket_settings WHERE bucket = ? AND name = ?");
    st.bind(1, bucket).bind(2, name);
    if (st.step()) return std::optional<std::string>(std::string(st.blob(0)));
    if (!bucket_row_exists(c, bucket)) return no_such_bucket().error();
    return std::optional<std::string>();
  });
}

base::Status Store::delete_bucket_setting(const std::string& bucket, const std::string& name) {
  return impl_->writer->run([&](Connection& tx) -> base::Status {
    if (!bucket_row_exists(tx, bucket)) return no_such_bucket();
    auto st = tx.prepare("DELETE FROM bucket_settings WHERE bucket = ? AND name = ?");
    st.bind(1, bucket).bind(2, name);
    return st.run();
  });
}

}  // namespace nimbus::storage
