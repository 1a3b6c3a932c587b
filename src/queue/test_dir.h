// A fresh directory under the system's temp dir for one test, removed after.
#pragma once

#include <filesystem>
#include <string>

#include "base/ids.h"

namespace nimbus::queue {

struct TestDir {
  std::string path;
  explicit TestDir(const std::string& prefix = "queue-")
      : path((std::filesystem::temp_directory_path() / (prefix + base::random_hex(6))).string()) {
    std::filesystem::create_directories(path);
  }
  ~TestDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

}  // namespace nimbus::queue
