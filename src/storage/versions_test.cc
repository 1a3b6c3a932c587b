// Object versions in storage: the objects/versions invariant across puts,
// delete markers and deletes by version id; listing; data directories
// written before versions existed are upgraded on open.
#include <gtest/gtest.h>

#include "base/sqlite.h"
#include "storage/store.h"
#include "storage/store_test_util.h"

namespace nimbus::storage {
namespace {

using testing::put;
using testing::read_all;
using testing::TempDir;

std::string read_version(Store& s, const std::string& key, const std::string& version) {
  auto o = s.open_object("b", key, version);
  if (!o) return o.error().reason;
  std::string out(o->reader->size(), '\0');
  if (!out.empty()) (void)o->reader->read(0, out.data(), out.size());
  return out;
}

TEST(Versions, EnabledKeepsEveryVersionAndMarkers) {
  TempDir dir;
  auto store = std::move(*Store::open(dir.path));
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  EXPECT_EQ(*store->get_versioning("b"), Versioning::kUnversioned);
  // Never versioned: any id but "null" is refused, and deletes nothing.
  ASSERT_TRUE(put(*store, "b", "k", "v0").ok());
  EXPECT_EQ(store->delete_object("b", "k", {}, {}, std::string("abc")).error().reason, reason::kInvalidVersion);
  EXPECT_EQ(store->head_object("b", "k", std::string(32, 'a')).error().reason, reason::kInvalidVersion);
  EXPECT_EQ(read_version(*store, "k", "null"), "v0");

  ASSERT_TRUE(store->set_versioning("b", Versioning::kEnabled).ok());
  auto v1 = put(*store, "b", "k", "v1");
  auto v2 = put(*store, "b", "k", "v2");
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_NE(v1->version_id, "null");
  EXPECT_NE(v1->version_id, v2->version_id);
  EXPECT_EQ(read_all(*store, "b", "k"), "v2");
  EXPECT_EQ(read_version(*store, "k", v1->version_id), "v1");
  EXPECT_EQ(read_version(*store, "k", "null"), "v0");
  EXPECT_EQ(read_version(*store, "k", std::string(32, '0')), reason::kNoSuchVersion);

  auto marker = store->delete_object("b", "k", {});
  ASSERT_TRUE(marker.ok());
  EXPECT_TRUE(marker->delete_marker);
  EXPECT_EQ(store->head_object("b", "k").error().reason, base::reason::kNoSuchKey);
  EXPECT_EQ(read_version(*store, "k", marker->version_id), reason::kDeleteMarker);
  EXPECT_EQ((*store->latest_delete_marker("b", "k"))->version_id, marker->version_id);
  EXPECT_EQ(store->delete_bucket("b").error().code, base::ErrorCode::kConflict);

  auto listed = store->list_versions("b", {});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->versions.size(), 4u);
  EXPECT_TRUE(listed->versions[0].delete_marker);
  EXPECT_TRUE(listed->versions[0].is_latest);
  EXPECT_EQ(listed->versions[1].version_id, v2->version_id);
  EXPECT_FALSE(listed->versions[1].is_latest);
  EXPECT_EQ(listed->versions[3].version_id, "null");

  // Removing the marker brings v2 back; removing v2 brings v1.
  ASSERT_TRUE(store->delete_object("b", "k", {}, {}, marker->version_id).ok());
  EXPECT_EQ(read_all(*store, "b", "k"), "v2");
  ASSERT_TRUE(store->delete_object("b", "k", {}, {}, v2->version_id).ok());
  EXPECT_EQ(read_all(*store, "b", "k"), "v1");

  // Suspended: writes replace the "null" version only.
  ASSERT_TRUE(store->set_versioning("b", Versioning::kSuspended).ok());
  ASSERT_TRUE(put(*store, "b", "k", "s1").ok());
  ASSERT_TRUE(put(*store, "b", "k", "s2").ok());
  listed = store->list_versions("b", {});
  ASSERT_EQ(listed->versions.size(), 2u);
  EXPECT_EQ(listed->versions[0].version_id, "null");
  EXPECT_EQ(listed->versions[1].version_id, v1->version_id);
  EXPECT_EQ(read_all(*store, "b", "k"), "s2");
  EXPECT_FALSE(store->set_versioning("b", Versioning::kUnversioned).ok());
}

TEST(Versions, ListingPagesByKeyAndVersionMarkers) {
  TempDir dir;
  auto store = std::move(*Store::open(dir.path));
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  ASSERT_TRUE(store->set_versioning("b", Versioning::kEnabled).ok());
  for (const char* k : {"a", "b/x", "b/y", "c"})
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(put(*store, "b", k, std::to_string(i)).ok());
  std::vector<std::pair<std::string, std::string>> all, paged;
  auto everything = store->list_versions("b", {});
  ASSERT_TRUE(everything.ok());
  for (const auto& v : everything->versions) all.emplace_back(v.key, v.version_id);
  ASSERT_EQ(all.size(), 12u);
  ListVersionsQuery q;
  q.max_keys = 5;
  for (;;) {
    auto r = store->list_versions("b", q);
    ASSERT_TRUE(r.ok());
    for (const auto& v : r->versions) paged.emplace_back(v.key, v.version_id);
    if (!r->truncated) break;
    q.key_marker = r->next_key_marker;
    q.version_id_marker = r->next_version_id_marker;
  }
  EXPECT_EQ(paged, all);
  ListVersionsQuery d;
  d.delimiter = "/";
  auto r = store->list_versions("b", d);
  EXPECT_EQ(r->common_prefixes, (std::vector<std::string>{"b/"}));
  EXPECT_EQ(r->versions.size(), 6u);
}

TEST(Versions, OldDataDirectoriesAreUpgraded) {
  TempDir dir;
  {
    // meta.db as nimbus wrote it before versions (schema 0), with one inline object.
    auto c = base::Connection::open(dir.path + "/meta.db", false);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->exec(R"sql(
CREATE TABLE buckets(name TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE objects(bucket TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL, attributes BLOB NOT NULL, checksum_algo TEXT NOT NULL, checksum TEXT NOT NULL,
  checksum_composite INTEGER NOT NULL, files TEXT NOT NULL, parts_count INTEGER NOT NULL, inline_data BLOB,
  PRIMARY KEY(bucket, key)) WITHOUT ROWID;
CREATE TABLE uploads(upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated_ms INTEGER NOT NULL,
  attributes BLOB NOT NULL, checksum_algo TEXT NOT NULL);
INSERT INTO buckets VALUES('b', 'us-east-1', 1, 7);
INSERT INTO objects VALUES('b', 'old', 3, '1bc29b36f623ba82aaf6724fd3b16718', 1, '', '', '', 0, '', 0, 'old');
INSERT INTO uploads VALUES('u1', 'b', 'mp', 1, '', '');
)sql").ok());
  }
  auto s = Store::open(dir.path);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto& store = **s;
  EXPECT_EQ(read_all(store, "b", "old"), "old");
  EXPECT_EQ(store.head_object("b", "old")->version_id, "null");
  EXPECT_TRUE(store.get_upload("b", "mp", "u1").ok());
  ASSERT_TRUE(store.set_versioning("b", Versioning::kEnabled).ok());
  ASSERT_TRUE(put(store, "b", "old", "new").ok());
  EXPECT_EQ(read_version(store, "old", "null"), "old");
  EXPECT_EQ(read_all(store, "b", "old"), "new");
}

}  // namespace
}  // namespace nimbus::storage
