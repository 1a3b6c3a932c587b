// Object ACLs in storage: one per version, gone with its version, durable,
// and older data directories' per-key rows moved to the current version.
#include <gtest/gtest.h>

#include "base/sqlite.h"
#include "storage/store.h"
#include "storage/store_test_util.h"

namespace nimbus::storage {
namespace {

using testing::TempDir;

const std::optional<std::string> kCurrent;

TEST(ObjectAcls, LiveAndDieWithTheirObject) {
  TempDir dir;
  {
    auto s = Store::open(dir.path);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto& store = **s;
    ASSERT_TRUE(store.create_bucket("b", "us-east-1").ok());
    EXPECT_EQ(store.put_object_acl("b", "k", kCurrent, "acl").error().reason, base::reason::kNoSuchKey);
    EXPECT_EQ(store.put_object_acl("nope", "k", kCurrent, "acl").error().reason, base::reason::kNoSuchBucket);
    EXPECT_EQ(store.get_object_acl("b", "k").error().reason, base::reason::kNoSuchKey);
    auto first = testing::put(store, "b", "k", "one");
    ASSERT_TRUE(first.ok());
    EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());  // private: no row
    ASSERT_TRUE(store.put_object_acl("b", "k", first->version_id, "public", first->etag).ok());
  }
  auto s = Store::open(dir.path);  // durable across a reopen
  ASSERT_TRUE(s.ok());
  auto& store = **s;
  EXPECT_EQ(**store.get_object_acl("b", "k"), "public");
  // An overwrite starts private; an ACL meant for the replaced object is not applied to the new one.
  auto old_etag = store.head_object("b", "k")->etag;
  ASSERT_TRUE(testing::put(store, "b", "k", "two").ok());
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
  ASSERT_TRUE(store.put_object_acl("b", "k", "null", "stale", old_etag).ok());
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
  ASSERT_TRUE(store.put_object_acl("b", "k", kCurrent, "public").ok());
  ASSERT_TRUE(store.put_object_acl("b", "k", kCurrent, "").ok());  // back to private
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
  // Deleting the object deletes its ACL: a new object of that key is private.
  ASSERT_TRUE(store.put_object_acl("b", "k", kCurrent, "public").ok());
  ASSERT_TRUE(store.delete_object("b", "k", {}).ok());
  ASSERT_TRUE(testing::put(store, "b", "k", "three").ok());
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
}

TEST(ObjectAcls, EachVersionHasItsOwn) {
  TempDir dir;
  auto s = Store::open(dir.path);
  ASSERT_TRUE(s.ok());
  auto& store = **s;
  ASSERT_TRUE(store.create_bucket("b", "us-east-1").ok());
  ASSERT_TRUE(store.set_versioning("b", Versioning::kEnabled).ok());
  auto v1 = testing::put(store, "b", "k", "one");
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(store.put_object_acl("b", "k", kCurrent, "public-1").ok());
  auto v2 = testing::put(store, "b", "k", "two");
  ASSERT_TRUE(v2.ok());
  // The new version starts private; the old one keeps its ACL.
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
  EXPECT_EQ(**store.get_object_acl("b", "k", v1->version_id), "public-1");
  ASSERT_TRUE(store.put_object_acl("b", "k", v2->version_id, "public-2").ok());
  EXPECT_EQ(**store.get_object_acl("b", "k"), "public-2");
  EXPECT_EQ(**store.get_object_acl("b", "k", v1->version_id), "public-1");
  EXPECT_EQ(store.get_object_acl("b", "k", std::string(32, 'a')).error().reason, reason::kNoSuchVersion);
  // A delete marker hides the current version but keeps its ACL; the marker itself has none.
  auto marker = store.delete_object("b", "k", {});
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(store.get_object_acl("b", "k").error().reason, base::reason::kNoSuchKey);
  EXPECT_EQ(store.get_object_acl("b", "k", marker->version_id).error().reason, reason::kDeleteMarker);
  EXPECT_EQ(store.put_object_acl("b", "k", marker->version_id, "x").error().reason, reason::kDeleteMarker);
  EXPECT_EQ(**store.get_object_acl("b", "k", v2->version_id), "public-2");
  // Removing the marker makes v2 current again, with its ACL.
  ASSERT_TRUE(store.delete_object("b", "k", {}, {}, marker->version_id).ok());
  EXPECT_EQ(**store.get_object_acl("b", "k"), "public-2");
  // Removing a version removes its ACL: nothing is left over for the key.
  ASSERT_TRUE(store.delete_object("b", "k", {}, {}, v2->version_id).ok());
  EXPECT_EQ(**store.get_object_acl("b", "k"), "public-1");  // v1 is current again
  ASSERT_TRUE(store.delete_object("b", "k", {}, {}, v1->version_id).ok());
  ASSERT_TRUE(store.delete_bucket("b").ok());
  ASSERT_TRUE(store.create_bucket("b", "us-east-1").ok());
  ASSERT_TRUE(testing::put(store, "b", "k", "again").ok());
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
}

TEST(ObjectAcls, SuspendedBucketsReplaceTheNullVersionsAcl) {
  TempDir dir;
  auto s = Store::open(dir.path);
  ASSERT_TRUE(s.ok());
  auto& store = **s;
  ASSERT_TRUE(store.create_bucket("b", "us-east-1").ok());
  ASSERT_TRUE(testing::put(store, "b", "k", "null one").ok());
  ASSERT_TRUE(store.put_object_acl("b", "k", kCurrent, "public-null").ok());
  ASSERT_TRUE(store.set_versioning("b", Versioning::kEnabled).ok());
  auto v = testing::put(store, "b", "k", "versioned");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(**store.get_object_acl("b", "k", "null"), "public-null");  // noncurrent, still its own
  ASSERT_TRUE(store.set_versioning("b", Versioning::kSuspended).ok());
  ASSERT_TRUE(testing::put(store, "b", "k", "null two").ok());  // replaces the null version
  EXPECT_FALSE(store.get_object_acl("b", "k", "null")->has_value());
  EXPECT_FALSE(store.get_object_acl("b", "k", v->version_id)->has_value());
}

TEST(ObjectAcls, PerKeyRowsOfOlderDataDirectoriesBelongToTheCurrentVersion) {
  TempDir dir;
  {
    // meta.db of schema 1: ACLs keyed by (bucket, key); one for a current object, one left over.
    auto c = base::Connection::open(dir.path + "/meta.db", false);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->exec(R"sql(
CREATE TABLE buckets(name TEXT PRIMARY KEY, region TEXT NOT NULL, created_ms INTEGER NOT NULL, seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE objects(bucket TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified_ms INTEGER NOT NULL, attributes BLOB NOT NULL, checksum_algo TEXT NOT NULL, checksum TEXT NOT NULL,
  checksum_composite INTEGER NOT NULL, files TEXT NOT NULL, parts_count INTEGER NOT NULL, inline_data BLOB,
  version_id TEXT NOT NULL DEFAULT 'null', vseq INTEGER NOT NULL DEFAULT 0, tags BLOB NOT NULL DEFAULT '',
  PRIMARY KEY(bucket, key)) WITHOUT ROWID;
CREATE TABLE uploads(upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated_ms INTEGER NOT NULL,
  attributes BLOB NOT NULL, checksum_algo TEXT NOT NULL, tags BLOB NOT NULL DEFAULT '');
CREATE TABLE object_acls(bucket TEXT NOT NULL, key TEXT NOT NULL, document BLOB NOT NULL,
  PRIMARY KEY(bucket, key)) WITHOUT ROWID;
INSERT INTO buckets VALUES('b', 'us-east-1', 1, 7);
INSERT INTO objects VALUES('b', 'pub', 3, '1bc29b36f623ba82aaf6724fd3b16718', 1, '', '', '', 0, '', 0, 'old',
  '0123456789abcdef0123456789abcdef', 5, '');
INSERT INTO object_acls VALUES('b', 'pub', 'public');
INSERT INTO object_acls VALUES('b', 'gone', 'orphan');
PRAGMA user_version = 1;
)sql").ok());
  }
  auto s = Store::open(dir.path);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto& store = **s;
  EXPECT_EQ(**store.get_object_acl("b", "pub"), "public");
  ASSERT_TRUE(store.set_versioning("b", Versioning::kEnabled).ok());
  EXPECT_EQ(**store.get_object_acl("b", "pub", "0123456789abcdef0123456789abcdef"), "public");
  auto c = base::Connection::open(dir.path + "/meta.db", false);
  auto v = c->prepare("PRAGMA user_version");
  ASSERT_TRUE(v.step());
  EXPECT_EQ(v.integer(0), 2);
  auto rows = c->prepare("SELECT key, version_id FROM object_acls");  // the leftover row did not survive
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.text(0), "pub");
  EXPECT_EQ(rows.text(1), "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(rows.step());
}

}  // namespace
}  // namespace nimbus::storage
