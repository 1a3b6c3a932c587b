#include "functions/registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "functions/test_zip.h"

namespace nimbus::functions {
namespace {

namespace fs = std::filesystem;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nimbus-registry-" + base::random_hex(6));
    reopen();
  }
  void TearDown() override {
    registry_.reset();
    fs::remove_all(dir_);
  }
  void reopen() {
    registry_.reset();
    auto r = Registry::open(dir_.string());
    ASSERT_TRUE(r) << r.error().message;
    registry_ = std::move(*r);
  }
  FunctionConfig create(const std::string& name) {
    static const std::string zip = testing::make_zip([](const fs::path& d) {
      ASSERT_TRUE(base::write_file_durably((d / "bootstrap").string(), "#!/bin/sh\n").ok());
    });
    FunctionConfig c;
    c.name = name;
    c.runtime = "provided";
    c.handler = "h";
    auto created = registry_->create(c, zip);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : c;
  }
  // A second connection to functions.db, as another process would have.
  base::Connection other() {
    auto c = base::Connection::open((dir_ / "functions.db").string(), false);
    EXPECT_TRUE(c);
    return std::move(*c);
  }

  fs::path dir_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, ResolvesQualifiersAndKeepsEverythingAcrossARestart) {
  create("f");
  ASSERT_TRUE(registry_->set_reserved_concurrency("f", 3));
  auto v1 = registry_->publish_version("f", "first");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->version, "1");
  EXPECT_EQ(registry_->publish_version("f", "")->version, "1") << "nothing new: the last version";
  ASSERT_TRUE(registry_->create_alias("f", "live", "1", "d"));
  ASSERT_TRUE(registry_->set_provisioned("f", "live", 2));
  EventInvokeConfig eic;
  eic.max_retry_attempts = 1;
  ASSERT_TRUE(registry_->set_event_invoke_config("f", "", eic));
  reopen();
  auto live = registry_->resolve("f", "live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->version, "1");
  EXPECT_EQ(live->description, "first");
  EXPECT_EQ(live->reserved_concurrency, 3) << "concurrency belongs to the function";
  EXPECT_EQ(registry_->resolve("f", "")->version, "$LATEST");
  EXPECT_FALSE(registry_->resolve("f", "2"));
  EXPECT_FALSE(registry_->resolve("f", "99999999999999999999"));
  EXPECT_EQ(registry_->all_provisioned().size(), 1u);
  EXPECT_EQ(registry_->get_event_invoke_config("f")->max_retry_attempts, 1);
  EXPECT_EQ(registry_->list_versions("f")->size(), 2u);
  ASSERT_TRUE(registry_->remove("f"));
  EXPECT_FALSE(registry_->get("f"));
  EXPECT_FALSE(registry_->get_alias("f", "live"));
  EXPECT_TRUE(registry_->all_provisioned().empty());
  reopen();
  EXPECT_TRUE(registry_->list().empty());
}

TEST_F(RegistryTest, KeepsEachRevisionsZipBesideItsCode) {
  auto first = create("z");
  std::string zip = testing::make_zip([](const fs::path& d) {
    ASSERT_TRUE(base::write_file_durably((d / "bootstrap").string(), "#!/bin/sh\necho two\n").ok());
  });
  auto second = registry_->update_code("z", zip);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->code_dir, (dir_ / "functions" / "z" / second->revision_id).string());
  auto kept = base::read_file(package_path(second->code_dir));
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, zip);
  EXPECT_EQ(base::base64_encode(base::sha256(*kept)), second->code_sha256);
  EXPECT_TRUE(fs::exists(package_path(first.code_dir)));  // the first revision's, for its versions
  // A refused package leaves no zip behind.
  EXPECT_FALSE(registry_->update_code("z", "not a zip"));
  size_t zips = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "functions" / "z")) zips += e.path().extension() == ".zip";
  EXPECT_EQ(zips, 2u);
}

TEST_F(RegistryTest, AnOlderFunctionWideEventInvokeConfigBecomesLatests) {
  create("f");
  registry_.reset();
  {
    auto db = other();
    ASSERT_TRUE(db.exec("CREATE TABLE event_invoke_configs(function TEXT PRIMARY KEY, max_retry INTEGER, max_age "
                        "INTEGER, on_failure TEXT NOT NULL, last_modified_ms INTEGER NOT NULL); INSERT INTO "
                        "event_invoke_configs VALUES('f', 1, NULL, 'arn:aws:s3:::dlq', 5)"));
  }
  reopen();
  auto c = registry_->get_event_invoke_config("f", "$LATEST");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->max_retry_attempts, 1);
  EXPECT_EQ(c->on_failure, "arn:aws:s3:::dlq");
  reopen();  // migrated once: the old table is gone
  EXPECT_EQ(registry_->list_event_invoke_configs("f")->size(), 1u);
  auto db = other();
  auto t = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'event_invoke_configs'");
  ASSERT_TRUE(t.step());
  EXPECT_EQ(t.integer(0), 0);
}

TEST_F(RegistryTest, FunctionUrlsPersistAndGoWithTheirFunctionOrAlias) {
  create("f");
  ASSERT_TRUE(registry_->publish_version("f", ""));
  ASSERT_TRUE(registry_->create_alias("f", "live", "1", ""));
  auto u = registry_->create_url("f", "", R"({"AuthType":"NONE"})");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->url_id.size(), 32u);
  EXPECT_EQ(registry_->create_url("f", "", "{}").error().code, base::ErrorCode::kAlreadyExists);
  EXPECT_EQ(registry_->create_url("f", "nope", "{}").error().code, base::ErrorCode::kNotFound);
  auto a = registry_->create_url("f", "live", R"({"AuthType":"AWS_IAM"})");
  ASSERT_TRUE(a);
  ASSERT_TRUE(registry_->update_url("f", "", R"({"AuthType":"AWS_IAM"})"));
  reopen();
  auto back = registry_->get_url("f", "");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->url_id, u->url_id);
  EXPECT_EQ(back->config, R"({"AuthType":"AWS_IAM"})");
  EXPECT_EQ(registry_->snapshot()->url_ids.count(a->url_id), 1u);
  ASSERT_TRUE(registry_->delete_alias("f", "live"));
  EXPECT_EQ(registry_->snapshot()->url_ids.count(a->url_id), 0u);
  ASSERT_TRUE(registry_->list_urls("f"));
  EXPECT_EQ(registry_->list_urls("f")->size(), 1u);
  ASSERT_TRUE(registry_->remove("f"));
  reopen();
  EXPECT_TRUE(registry_->snapshot()->urls.empty());
  EXPECT_TRUE(registry_->snapshot()->url_ids.empty());
}

TEST_F(RegistryTest, ASnapshotNeverChanges) {
  create("f");
  auto before = registry_->snapshot();
  ASSERT_TRUE(registry_->set_reserved_concurrency("f", 5));
  EXPECT_FALSE(before->functions.at("f").reserved_concurrency);
  EXPECT_EQ(registry_->snapshot()->functions.at("f").reserved_concurrency, 5);
}

// The defect issue 11 names: a write waiting on the disk held the lock that
// the invoker's resolve() takes. Here a write waits on SQLite's lock (held
// by another connection) while reads go on unhindered.
TEST_F(RegistryTest, ReadersDoNotWaitOnAWrite) {
  create("f");
  auto blocker = other();
  ASSERT_TRUE(blocker.exec("BEGIN IMMEDIATE"));
  auto write = std::async(std::launch::async, [&] { return registry_->set_reserved_concurrency("f", 2); });
  ASSERT_EQ(write.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout) << "the write is waiting";
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(registry_->resolve("f", ""));
    ASSERT_TRUE(registry_->get("f"));
    ASSERT_EQ(registry_->list().size(), 1u);
    (void)registry_->get_event_invoke_config("f");
    (void)registry_->all_provisioned();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_FALSE(registry_->get("f")->reserved_concurrency) << "not published before it is written";
  ASSERT_TRUE(blocker.exec("COMMIT"));
  auto written = write.get();
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(registry_->get("f")->reserved_concurrency, 2);
}

TEST_F(RegistryTest, AFailedWriteIsAnErrorAndChangesNothing) {
  create("f");
  ASSERT_TRUE(registry_->publish_version("f", ""));
  ASSERT_TRUE(registry_->create_alias("f", "a", "1", ""));
  auto changed = *registry_->get("f");
  changed.description = "changed since version 1";
  ASSERT_TRUE(registry_->update_config(changed));
  // Tables gone from under the registry: every kind of write fails.
  auto db = other();
  ASSERT_TRUE(db.exec("DROP TABLE aliases; DROP TABLE versions; ALTER TABLE functions RENAME TO gone;"));
  auto reserved = registry_->set_reserved_concurrency("f", 4);
  ASSERT_FALSE(reserved);
  EXPECT_FALSE(registry_->get("f")->reserved_concurrency);
  auto cfg = *registry_->get("f");
  cfg.description = "new";
  EXPECT_FALSE(registry_->update_config(cfg));
  EXPECT_EQ(registry_->get("f")->description, "changed since version 1");
  EXPECT_FALSE(registry_->create_alias("f", "b", "1", ""));
  EXPECT_FALSE(registry_->get_alias("f", "b"));
  EXPECT_FALSE(registry_->update_alias("f", "a", std::string("$LATEST"), std::nullopt));
  EXPECT_EQ(registry_->get_alias("f", "a")->version, "1");
  auto before = *registry_->get("f");
  ASSERT_TRUE(db.exec("ALTER TABLE gone RENAME TO functions;"));
  EXPECT_FALSE(registry_->publish_version("f", "x")) << "versions is still gone";
  EXPECT_EQ(registry_->list_versions("f")->size(), 2u);
  EXPECT_FALSE(registry_->remove("f")) << "one transaction: its aliases' table is gone";
  EXPECT_TRUE(registry_->get("f"));
  EXPECT_EQ(registry_->get("f")->revision_id, before.revision_id);
}

}  // namespace
}  // namespace nimbus::functions
