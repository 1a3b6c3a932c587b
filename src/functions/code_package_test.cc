#include "functions/code_package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "base/encoding.h"
#include "base/file.h"
#include "base/ids.h"
#include "functions/test_zip.h"

namespace nimbus::functions {
namespace {

namespace fs = std::filesystem;

using testing::make_zip;

TEST(CodePackage, UnpacksKeepingExecutableBits) {
  std::string zip = make_zip([](const fs::path& d) {
    ASSERT_TRUE(base::write_file_durably((d / "bootstrap").string(), "#!/bin/sh\n").ok());
    fs::permissions(d / "bootstrap", fs::perms(0755));
    fs::create_directories(d / "lib");
    ASSERT_TRUE(base::write_file_durably((d / "lib" / "data.txt").string(), "data").ok());
  });
  fs::path dest = fs::temp_directory_path() / ("unz-" + base::random_hex(4));
  auto r = unpack_zip(zip, dest.string());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->files, 2u);
  EXPECT_FALSE(r->sha256_base64.empty());
  struct stat st{};
  ASSERT_EQ(::stat((dest / "bootstrap").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  EXPECT_EQ(*base::read_file((dest / "lib" / "data.txt").string()), "data");
  fs::remove_all(dest);
}

TEST(CodePackage, RefusesSymlinksOutOfTheTree) {
  std::string zip = make_zip([](const fs::path& d) { fs::create_symlink("../../etc/passwd", d / "escape"); });
  fs::path dest = fs::temp_directory_path() / ("unz-" + base::random_hex(4));
  auto r = unpack_zip(zip, dest.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, base::ErrorCode::kInvalidArgument);
  fs::remove_all(dest);
}

TEST(CodePackage, RefusesGarbageAndOversizedPackages) {
  fs::path dest = fs::temp_directory_path() / ("unz-" + base::random_hex(4));
  EXPECT_EQ(unpack_zip("this is not a zip", dest.string()).error().code, base::ErrorCode::kInvalidArgument);
  std::string zip = make_zip([](const fs::path& d) {
    ASSERT_TRUE(base::write_file_durably((d / "big").string(), std::string(200000, 'x')).ok());
  });
  PackageLimits tiny{1 << 20, 100000};
  EXPECT_EQ(unpack_zip(zip, dest.string() + "2", tiny).error().code, base::ErrorCode::kTooLarge);
  fs::remove_all(dest);
  fs::remove_all(dest.string() + "2");
}

// Found by fuzz/zip_fuzz.cc (reproducer: fuzz/corpus/zip/crash-damaged-entry):
// libarchive fails this entry without a message, and the NULL message used to
// be appended to a std::string, crashing the server on CreateFunction.
TEST(CodePackage, RefusesDamagedEntryWithoutMessage) {
  auto zip = base::base64_decode(
      "ULMDBBQAAAAIAABggl0vOtrpFAAAABLXAAAACQAAAGJvb3RUVFRUVFRUVFRUVFRUVFRUVFRUVFRUVFRUVFRUVFRUVFRUVFRUVFRUVHN0"
      "cmFwP1bUT8rM0wAIAAAAYWxpYXMucHnLyUzSL0pNzNErqAQAUEsBAhQDFAAAAEAIAABwUEsFBgAAAAABAAEAOAAAADsAAAAAAA==");
  ASSERT_TRUE(zip);
  fs::path dest = fs::temp_directory_path() / ("unz-" + base::random_hex(4));
  auto r = unpack_zip(*zip, dest.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("Could not unzip uploaded file"), std::string::npos);
  fs::remove_all(dest);
}

TEST(CodePackage, ZipDirectoryIsDeterministicAndUnpacksToTheSameTree) {
  std::string zip = make_zip([](const fs::path& d) {
    ASSERT_TRUE(base::write_file_durably((d / "bootstrap").string(), "#!/bin/sh\necho hi\n").ok());
    fs::permissions(d / "bootstrap", fs::perms(0755));
    fs::create_directories(d / "lib");
    ASSERT_TRUE(base::write_file_durably((d / "lib" / "data.txt").string(), "data").ok());
    fs::create_symlink("lib/data.txt", d / "link");
  });
  fs::path root = fs::temp_directory_path() / ("rez-" + base::random_hex(4));
  ASSERT_TRUE(unpack_zip(zip, (root / "code").string()).ok());
  ASSERT_TRUE(zip_directory((root / "code").string(), (root / "a.zip").string()).ok());
  ASSERT_TRUE(zip_directory((root / "code").string(), (root / "b.zip").string()).ok());
  EXPECT_EQ(*base::read_file((root / "a.zip").string()), *base::read_file((root / "b.zip").string()));
  auto again = unpack_zip(*base::read_file((root / "a.zip").string()), (root / "again").string());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->files, 3u);
  EXPECT_EQ(*base::read_file((root / "again" / "lib" / "data.txt").string()), "data");
  EXPECT_EQ(fs::read_symlink(root / "again" / "link"), "lib/data.txt");
  struct stat st{};
  ASSERT_EQ(::stat((root / "again" / "bootstrap").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  fs::remove_all(root);
}

}  // namespace
}  // namespace nimbus::functions
