#include <gtest/gtest.h>

#include <algorithm>

#include "storage/store.h"
#include "storage/store_test_util.h"

namespace nimbus::storage {
namespace {

class Listing : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*Store::open(dir_.path));
    ASSERT_TRUE(store_->create_bucket("b", "us-east-1").ok());
    for (const char* k : {"a", "a/1", "a/2", "a/b/1", "b", "c/x", "c/y", "d", "\xc3\xa9", "Z", "a+b", "a b"})
      ASSERT_TRUE(testing::put(*store_, "b", k, "v").ok());
  }
  std::vector<std::string> keys(const ListResult& r) {
    std::vector<std::string> out;
    for (const auto& o : r.objects) out.push_back(o.key);
    return out;
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(Listing, ByteOrder) {
  auto r = *store_->list_objects("b", {"", "", "", 1000});
  EXPECT_EQ(keys(r), (std::vector<std::string>{"Z", "a", "a b", "a+b", "a/1", "a/2", "a/b/1", "b", "c/x", "c/y", "d",
                                               "\xc3\xa9"}));
  EXPECT_FALSE(r.truncated);
}

TEST_F(Listing, PrefixAndDelimiter) {
  auto r = *store_->list_objects("b", {"", "/", "", 1000});
  EXPECT_EQ(keys(r), (std::vector<std::string>{"Z", "a", "a b", "a+b", "b", "d", "\xc3\xa9"}));
  EXPECT_EQ(r.common_prefixes, (std::vector<std::string>{"a/", "c/"}));
  auto sub = *store_->list_objects("b", {"a/", "/", "", 1000});
  EXPECT_EQ(keys(sub), (std::vector<std::string>{"a/1", "a/2"}));
  EXPECT_EQ(sub.common_prefixes, (std::vector<std::string>{"a/b/"}));
}

TEST_F(Listing, PaginationCountsPrefixesAndResumes) {
  std::vector<std::string> seen;
  std::string marker;
  int pages = 0;
  for (;;) {
    auto r = *store_->list_objects("b", {"", "/", marker, 2});
    ++pages;
    for (const auto& o : r.objects) seen.push_back(o.key);
    for (const auto& p : r.common_prefixes) seen.push_back(p);
    EXPECT_LE(r.objects.size() + r.common_prefixes.size(), 2u);
    if (!r.truncated) break;
    marker = r.last;
  }
  EXPECT_EQ(pages, 5);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"Z", "a", "a b", "a+b", "a/", "b", "c/", "d", "\xc3\xa9"}));
}

TEST_F(Listing, ExactPageIsNotTruncated) {
  auto r = *store_->list_objects("b", {"c/", "", "", 2});
  EXPECT_EQ(keys(r).size(), 2u);
  EXPECT_FALSE(r.truncated);
  auto zero = *store_->list_objects("b", {"", "", "", 0});
  EXPECT_TRUE(zero.objects.empty());
}

}  // namespace
}  // namespace nimbus::storage
