#include "storage/store.h"

#include <gtest/gtest.h>

#include <thread>

#include "base/encoding.h"
#include "storage/store_test_util.h"

namespace nimbus::storage {
namespace {

using testing::put;
using testing::read_all;
using testing::TempDir;

class CountingHook : public CommitHook {
 public:
  base::Status on_commit(Connection&, const ObjectEvent& ev) override {
    events.push_back(ev);
    return {};
  }
  std::vector<ObjectEvent> events;
};

TEST(Store, BucketLifecycle) {
  TempDir dir;
  auto s = Store::open(dir.path);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto& store = **s;
  ASSERT_TRUE(store.create_bucket("photos", "us-east-1").ok());
  EXPECT_EQ(store.create_bucket("photos", "us-east-1").error().code, base::ErrorCode::kAlreadyExists);
  ASSERT_TRUE(put(store, "photos", "a.txt", "x").ok());
  EXPECT_EQ(store.delete_bucket("photos").error().code, base::ErrorCode::kConflict);
  ASSERT_TRUE(store.delete_object("photos", "a.txt", {}).ok());
  EXPECT_TRUE(store.delete_bucket("photos").ok());
  EXPECT_EQ(store.get_bucket("photos").error().reason, base::reason::kNoSuchBucket);
}

TEST(Store, PutGetOverwriteDelete) {
  TempDir dir;
  auto store = std::move(*Store::open(dir.path));
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  auto m = put(*store, "b", "../../etc/passwd", "hello");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->etag, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(read_all(*store, "b", "../../etc/passwd"), "hello");

  // A reader opened before an overwrite keeps seeing the old bytes.
  auto before = store->open_object("b", "../../etc/passwd");
  ASSERT_TRUE(put(*store, "b", "../../etc/passwd", "world!").ok());
  std::string old(5, '\0');
  ASSERT_EQ(*before->reader->read(0, old.data(), 5), 5u);
  EXPECT_EQ(old, "hello");
  EXPECT_EQ(read_all(*store, "b", "../../etc/passwd"), "world!");

  EXPECT_TRUE(store->delete_object("b", "../../etc/passwd", {})->existed);
  EXPECT_FALSE(store->delete_object("b", "../../etc/passwd", {})->existed);
  EXPECT_EQ(store->head_object("b", "../../etc/passwd").error().reason, base::reason::kNoSuchKey);
  EXPECT_EQ(store->head_object("nob", "k").error().reason, base::reason::kNoSuchBucket);
}

TEST(Store, HookSeesEveryChangeInOrder) {
  TempDir dir;
  auto store = std::move(*Store::open(dir.path));
  CountingHook hook;
  store->set_commit_hook(&hook);
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  ASSERT_TRUE(put(*store, "b", "k", "1").ok());
  ASSERT_TRUE(store->copy_object({"b", "k", {}}, "b", {"k2", {}, EventKind::kCopy}, {}).ok());
  ASSERT_TRUE(store->delete_object("b", "k", {}).ok());
  ASSERT_EQ(hook.events.size(), 3u);
  EXPECT_EQ(hook.events[0].kind, EventKind::kPut);
  EXPECT_EQ(hook.events[1].kind, EventKind::kCopy);
  EXPECT_EQ(hook.events[2].kind, EventKind::kDelete);
  EXPECT_LT(hook.events[0].sequencer, hook.events[1].sequencer);
  EXPECT_LT(hook.events[1].sequencer, hook.events[2].sequencer);
  EXPECT_EQ(read_all(*store, "b", "k2"), "1");
}

TEST(Store, MultipartCompletesInOrderAndValidates) {
  TempDir dir;
  StoreOptions opts;
  opts.min_part_size = 4;
  auto store = std::move(*Store::open(dir.path, opts));
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  auto up = store->create_upload("b", "big", {{"content-type", "text/plain"}}, "");
  ASSERT_TRUE(up.ok());
  auto part = [&](int n, const std::string& data) {
    auto w = std::move(*store->new_writer("b"));
    EXPECT_TRUE(w->write(data.data(), data.size()).ok());
    w->finish_digests();
    return *store->commit_part(*up, n, *w);
  };
  auto p1 = part(1, "aaaa");
  auto p2 = part(2, "bb");
  auto p3 = part(3, "cccc");
  EXPECT_EQ(store->complete_upload(*up, {{2, p2.etag}, {1, p1.etag}}, {}).error().reason,
            base::reason::kInvalidPartOrder);
  EXPECT_EQ(store->complete_upload(*up, {{1, p1.etag}, {2, "00"}}, {}).error().reason, base::reason::kInvalidPart);
  EXPECT_EQ(store->complete_upload(*up, {{1, p1.etag}, {2, p2.etag}, {3, p3.etag}}, {}).error().reason,
            base::reason::kEntityTooSmall);
  auto listed = store->list_parts(*up, 0, 2);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->parts.size(), 2u);
  EXPECT_TRUE(listed->truncated);
  auto done = store->complete_upload(*up, {{1, p1.etag}, {3, p3.etag}}, {});
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->etag, base::to_hex(base::md5(*base::from_hex(p1.etag) + *base::from_hex(p3.etag))) + "-2");
  EXPECT_EQ(read_all(*store, "b", "big"), "aaaacccc");
  EXPECT_EQ(store->get_upload("b", "big", up->upload_id).error().reason, base::reason::kNoSuchUpload);
  // Part 2 was not used: its file is gone along with the upload.
  EXPECT_EQ(store->data_dir().all_file_ids().size(), 2u);
}

TEST(Store, SmallObjectsLiveInlineLargeOnesInFiles) {
  TempDir dir;
  StoreOptions opts;
  opts.inline_limit = 1000;
  auto store = std::move(*Store::open(dir.path, opts));
  ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
  ASSERT_TRUE(put(*store, "b", "small", std::string(1000, 's')).ok());
  EXPECT_TRUE(store->data_dir().all_file_ids().empty());
  ASSERT_TRUE(put(*store, "b", "large", std::string(1001, 'l')).ok());
  EXPECT_EQ(store->data_dir().all_file_ids().size(), 1u);
  EXPECT_EQ(read_all(*store, "b", "small"), std::string(1000, 's'));
  EXPECT_EQ(read_all(*store, "b", "large"), std::string(1001, 'l'));
  ASSERT_TRUE(store->copy_object({"b", "small", {}}, "b", {"small2", {}, EventKind::kCopy}, {}).ok());
  EXPECT_EQ(read_all(*store, "b", "small2"), std::string(1000, 's'));
  // Overwriting a file-backed object with a small one frees the file.
  ASSERT_TRUE(put(*store, "b", "large", "now small").ok());
  EXPECT_TRUE(store->data_dir().all_file_ids().empty());
  EXPECT_EQ(store->new_writer("nob").error().reason, base::reason::kNoSuchBucket);
}

TEST(Store, ConcurrentWritersAllDurable) {
  TempDir dir;
  {
    auto store = std::move(*Store::open(dir.path));
    ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i)
          EXPECT_TRUE(put(*store, "b", "k" + std::to_string(t) + "-" + std::to_string(i), std::to_string(i)).ok());
      });
    for (auto& th : threads) th.join();
  }
  auto reopened = std::move(*Store::open(dir.path));
  auto all = reopened->list_objects("b", {"", "", "", 1000});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->objects.size(), 200u);
  EXPECT_EQ(read_all(*reopened, "b", "k7-24"), "24");
}

TEST(Store, RecoveryRemovesOrphansAndTempFiles) {
  TempDir dir;
  std::string orphan;
  StoreOptions files_only;
  files_only.inline_limit = 0;
  {
    auto store = std::move(*Store::open(dir.path, files_only));
    ASSERT_TRUE(store->create_bucket("b", "us-east-1").ok());
    ASSERT_TRUE(put(*store, "b", "kept", "data").ok());
    // A writer placed but never committed: as after kill -9 before the commit.
    auto w = std::move(*store->new_writer("b"));
    ASSERT_TRUE(w->write("zz", 2).ok());
    w->finish_digests();
    ASSERT_TRUE(w->place().ok());
    orphan = w->file_id();
    auto tmp = std::move(*store->new_writer("b"));
    ASSERT_TRUE(tmp->write("yy", 2).ok());
    std::filesystem::copy_file(store->data_dir().tmp_dir() + "/" + tmp->file_id(),
                               store->data_dir().tmp_dir() + "/leftover");
  }
  auto store = std::move(*Store::open(dir.path, files_only));
  auto ids = store->data_dir().all_file_ids();
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_TRUE(std::find(ids.begin(), ids.end(), orphan) == ids.end());
  EXPECT_TRUE(std::filesystem::is_empty(store->data_dir().tmp_dir()));
  EXPECT_EQ(read_all(*store, "b", "kept"), "data");
}

}  // namespace
}  // namespace nimbus::storage

namespace nimbus::storage {
namespace {

TEST(Store, BucketSettingsPersistAndGoWithTheBucket) {
  TempDir dir;
  {
    auto s = Store::open(dir.path);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto& store = **s;
    EXPECT_EQ(store.put_bucket_setting("nope", "cors", "x").error().reason, base::reason::kNoSuchBucket);
    EXPECT_EQ(store.get_bucket_setting("nope", "cors").error().reason, base::reason::kNoSuchBucket);
    ASSERT_TRUE(store.create_bucket("b", "us-east-1").ok());
    EXPECT_FALSE(store.get_bucket_setting("b", "cors")->has_value());
    ASSERT_TRUE(store.put_bucket_setting("b", "cors", std::string("one\0two", 7)).ok());
    ASSERT_TRUE(store.put_bucket_setting("b", "policy", "{}").ok());
    ASSERT_TRUE(store.put_bucket_setting("b", "policy", "{\"v\":2}").ok());
  }
  auto s = Store::open(dir.path);
  ASSERT_TRUE(s.ok());
  auto& store = **s;
  EXPECT_EQ(**store.get_bucket_setting("b", "cors"), std::string("one\0two", 7));
  EXPECT_EQ(**store.get_bucket_setting("b", "policy"), "{\"v\":2}");
  ASSERT_TRUE(store.delete_bucket_setting("b", "cors").ok());
  EXPECT_FALSE(store.get_bucket_setting("b", "cors")->has_value());
  ASSERT_TRUE(store.delete_bucket("b").ok());
  ASSERT_TRUE(store.create_bucket("b", "us-east-1").ok());
  EXPECT_FALSE(store.get_bucket_setting("b", "policy")->has_value());
}

}  // namespace
}  // namespace nimbus::storage
