#include "gateway/documents.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace nimbus::gateway {
namespace {

class DocumentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gateway-docs-" + new_id(8));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "gateway.db").string(); }
  std::filesystem::path dir_;
};

base::Status put(Documents& d, std::string scope, std::string kind, std::string id, Doc doc) {
  return d.update([&](const Snapshot&, std::vector<Change>& out) {
    out.push_back(Change::put(scope, kind, id, doc));
    return base::Status{};
  });
}

TEST_F(DocumentsTest, PutListEraseAndReopen) {
  {
    auto d = Documents::open(path());
    ASSERT_TRUE(d);
    ASSERT_TRUE(put(**d, "api1", "route", "r2", {{"routeKey", "GET /b"}}));
    ASSERT_TRUE(put(**d, "api1", "route", "r1", {{"routeKey", "GET /a"}}));
    ASSERT_TRUE(put(**d, "api2", "route", "r3", {{"routeKey", "GET /c"}}));
    auto routes = (*d)->snapshot()->list("api1", "route");
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(routes[0].first, "r2");  // creation order, not id order
    EXPECT_EQ(routes[1].first, "r1");
    // Replacing keeps the place in the listing.
    ASSERT_TRUE(put(**d, "api1", "route", "r2", {{"routeKey", "GET /b2"}}));
    EXPECT_EQ((*d)->snapshot()->list("api1", "route")[0].first, "r2");
    ASSERT_TRUE((*d)->update([](const Snapshot&, std::vector<Change>& out) {
      out.push_back(Change::erase_scope("api2"));
      return base::Status{};
    }));
  }
  auto d = Documents::open(path());
  ASSERT_TRUE(d);
  auto snap = (*d)->snapshot();
  auto routes = snap->list("api1", "route");
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].first, "r2");
  EXPECT_EQ(routes[0].second->at("routeKey").as_string(), "GET /b2");
  EXPECT_EQ(snap->find("api2", "route", "r3"), nullptr);
}

TEST_F(DocumentsTest, AFailedPlanChangesNothing) {
  auto d = Documents::open(path());
  ASSERT_TRUE(d);
  auto before = (*d)->snapshot();
  auto s = (*d)->update([](const Snapshot&, std::vector<Change>& out) {
    out.push_back(Change::put("a", "route", "r", {}));
    return base::Status(base::make_error(base::ErrorCode::kConflict, "taken"));
  });
  EXPECT_FALSE(s);
  EXPECT_EQ((*d)->snapshot(), before);
  EXPECT_EQ((*d)->snapshot()->find("a", "route", "r"), nullptr);
}

TEST_F(DocumentsTest, OldSnapshotsStayAsTheyWere) {
  auto d = Documents::open(path());
  ASSERT_TRUE(d);
  ASSERT_TRUE(put(**d, "a", "stage", "prod", {{"v", 1}}));
  auto old = (*d)->snapshot();
  ASSERT_TRUE(put(**d, "a", "stage", "prod", {{"v", 2}}));
  EXPECT_EQ(old->find("a", "stage", "prod")->at("v").as_int64(), 1);
  EXPECT_EQ((*d)->snapshot()->find("a", "stage", "prod")->at("v").as_int64(), 2);
}

TEST(GatewayIds, AlphabetAndLength) {
  for (int i = 0; i < 100; ++i) {
    auto id = new_id(10);
    ASSERT_EQ(id.size(), 10u);
    EXPECT_TRUE(id[0] >= 'a' && id[0] <= 'z') << id;
    for (char c : id) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << id;
  }
}

}  // namespace
}  // namespace nimbus::gateway
