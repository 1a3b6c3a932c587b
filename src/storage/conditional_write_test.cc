// Conditional writes are decided inside the commit's transaction: of many
// racing If-None-Match: * writers exactly one wins (issue 12, Terraform's lock).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/store.h"
#include "storage/store_test_util.h"

namespace nimbus::storage {
namespace {

using testing::read_all;
using testing::TempDir;

base::Result<ObjectMeta> put_if(Store& s, const std::string& key, const std::string& data, WriteCondition c) {
  auto w = s.new_writer("b");
  if (!w) return w.error();
  if (auto st = (*w)->write(data.data(), data.size()); !st) return st.error();
  (*w)->finish_digests();
  return s.commit_object("b", {key, {}, EventKind::kPut, std::move(c)}, **w, {});
}

TEST(ConditionalWrite, IfNoneMatchAndIfMatch) {
  TempDir dir;
  auto store = std::move(*Store::open(dir.path));
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  WriteCondition absent{true, std::nullopt};
  auto first = put_if(*store, "lock", "one", absent);
  ASSERT_TRUE(first.ok());
  auto again = put_if(*store, "lock", "two", absent);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, base::ErrorCode::kPreconditionFailed);
  EXPECT_EQ(again.error().reason, base::reason::kConditionFailed);
  EXPECT_EQ(read_all(*store, "lock", "lock"), "<The specified bucket does not exist>");
  EXPECT_EQ(read_all(*store, "b", "lock"), "one");

  EXPECT_FALSE(put_if(*store, "lock", "x", {false, "0123"}).ok());
  EXPECT_FALSE(put_if(*store, "missing", "x", {false, "*"}).ok());
  ASSERT_TRUE(put_if(*store, "lock", "three", {false, first->etag}).ok());
  EXPECT_EQ(read_all(*store, "b", "lock"), "three");

  // Deletes too: only the version the client saw.
  EXPECT_FALSE(store->delete_object("b", "lock", {}, {false, first->etag}).ok());
  EXPECT_EQ(read_all(*store, "b", "lock"), "three");
  ASSERT_TRUE(store->delete_object("b", "lock", {}, {false, "*"}).ok());
  ASSERT_TRUE(put_if(*store, "lock", "four", absent).ok());
}

TEST(ConditionalWrite, ExactlyOneRacingCreatorWins) {
  TempDir dir;
  auto store = std::move(*Store::open(dir.path));
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] {
      auto r = put_if(*store, "lock", "writer " + std::to_string(i), {true, std::nullopt});
      (r.ok() ? won : lost)++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), 15);
}

}  // namespace
}  // namespace nimbus::storage
