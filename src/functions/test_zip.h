// For unit tests: a zip built with Debian's zip command from a directory
// tree that `fill` makes.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "base/file.h"
#include "base/ids.h"

namespace nimbus::functions::testing {

inline std::string make_zip(const std::function<void(const std::filesystem::path&)>& fill,
                            const std::string& zip_args = "-r -y") {
  namespace fs = std::filesystem;
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

}  // namespace nimbus::functions::testing
