#include "functions/code_package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "base/encoding.h"
#include "base/file.h"
#include "base/ids.h"

namespace nimbus::functions {
namespace {

namespace fs = std::filesystem;

// Builds a zip with Debian's zip command from a directory tree made by `fill`.
std::string make_zip(const std::function<void(const fs::path&)>& fill, const std::string& zip_args = "-r -y") {
  fs::path dir = fs::temp_directory_path() / ("zipsrc-" + base::random_hex(4));
  fs::create_directories(dir);
  fill(dir);
  std::string zip = dir.string() + ".zip";
  std::string cmd = "cd " + dir.string() + " && zip -q " + zip_args + " " + zip + " . >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  auto bytes = base::read_file(zip);
  fs::remove_all(dir);
  fs::remove(zip);
  return bytes.ok() ? *bytes : "";
}

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

}  // namespace
}  // namespace nimbus::functions
