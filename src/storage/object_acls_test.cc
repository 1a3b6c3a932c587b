#include <gtest/gtest.h>

#include "storage/store.h"
#include "storage/store_test_util.h"

namespace nimbus::storage {
namespace {

using testing::TempDir;

TEST(ObjectAcls, LiveAndDieWithTheirObject) {
  TempDir dir;
  {
    auto s = Store::open(dir.path);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto& store = **s;
    ASSERT_TRUE(store.create_bucket("b", "us-east-1").ok());
    EXPECT_EQ(store.put_object_acl("b", "k", "acl").error().reason, base::reason::kNoSuchKey);
    EXPECT_EQ(store.put_object_acl("nope", "k", "acl").error().reason, base::reason::kNoSuchBucket);
    EXPECT_EQ(store.get_object_acl("b", "k").error().reason, base::reason::kNoSuchKey);
    auto first = testing::put(store, "b", "k", "one");
    ASSERT_TRUE(first.ok());
    EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());  // private: no row
    ASSERT_TRUE(store.put_object_acl("b", "k", "public", first->etag).ok());
  }
  auto s = Store::open(dir.path);  // durable across a reopen
  ASSERT_TRUE(s.ok());
  auto& store = **s;
  EXPECT_EQ(**store.get_object_acl("b", "k"), "public");
  // An overwrite starts private; an ACL meant for the replaced object is not applied to the new one.
  auto old_etag = store.head_object("b", "k")->etag;
  ASSERT_TRUE(testing::put(store, "b", "k", "two").ok());
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
  ASSERT_TRUE(store.put_object_acl("b", "k", "stale", old_etag).ok());
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
  ASSERT_TRUE(store.put_object_acl("b", "k", "public").ok());
  ASSERT_TRUE(store.put_object_acl("b", "k", "").ok());  // back to private
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
  // Deleting the object deletes its ACL: a new object of that key is private.
  ASSERT_TRUE(store.put_object_acl("b", "k", "public").ok());
  ASSERT_TRUE(store.delete_object("b", "k", {}).ok());
  ASSERT_TRUE(testing::put(store, "b", "k", "three").ok());
  EXPECT_FALSE(store.get_object_acl("b", "k")->has_value());
}

}  // namespace
}  // namespace nimbus::storage
