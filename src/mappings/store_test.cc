#include "mappings/store.h"

#include <gtest/gtest.h>

#include "queue/test_dir.h"

namespace nimbus::mappings {
namespace {

TEST(MappingStore, PersistsInCreationOrderAndTellsItsListener) {
  queue::TestDir dir{"mappings-"};
  int changes = 0;
  {
    auto store = Store::open(dir.file("mappings.db"));
    ASSERT_TRUE(store) << store.error().message;
    (*store)->on_change([&] { ++changes; });
    Mapping a{.uuid = "b-1", .event_source_arn = "arn:aws:sqs:us-east-1:000000000000:q", .function = "f"};
    a.filters = {R"({"body": ["x"]})"};
    Mapping b = a;
    b.uuid = "a-2";
    b.enabled = false;
    ASSERT_TRUE((*store)->put(a));
    ASSERT_TRUE((*store)->put(b));
    a.batch_size = 100;
    ASSERT_TRUE((*store)->put(a));  // a replacement keeps its place
    EXPECT_EQ(changes, 3);
  }
  auto store = Store::open(dir.file("mappings.db"));
  ASSERT_TRUE(store);
  auto all = (*store)->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].uuid, "b-1");
  EXPECT_EQ(all[0].batch_size, 100);
  EXPECT_EQ(all[0].filters, std::vector<std::string>{R"({"body": ["x"]})"});
  EXPECT_FALSE(all[1].enabled);
  ASSERT_TRUE((*store)->remove("b-1"));
  EXPECT_FALSE((*store)->get("b-1"));
  EXPECT_TRUE((*store)->get("a-2"));
}

}  // namespace
}  // namespace nimbus::mappings
