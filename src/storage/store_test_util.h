// Helpers for storage tests: a temporary data directory and one-call puts.
#pragma once

#include <filesystem>
#include <string>

#include "base/ids.h"
#include "storage/store.h"

namespace nimbus::storage::testing {

struct TempDir {
  std::string path;
  TempDir() {
    path = (std::filesystem::temp_directory_path() / ("nimbus-test-" + base::random_hex(6))).string();
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

inline base::Result<ObjectMeta> put(Store& s, const std::string& bucket, const std::string& key,
                                    const std::string& data) {
  auto w = s.new_writer(bucket);
  if (!w) return w.error();
  if (auto st = (*w)->write(data.data(), data.size()); !st) return st.error();
  (*w)->finish_digests();
  return s.commit_object(bucket, {key, {}, EventKind::kPut}, **w, {});
}

inline std::string read_all(Store& s, const std::string& bucket, const std::string& key) {
  auto o = s.open_object(bucket, key);
  if (!o) return "<" + o.error().message + ">";
  std::string out(o->reader->size(), '\0');
  uint64_t off = 0;
  while (off < out.size()) {
    auto n = o->reader->read(off, out.data() + off, out.size() - off);
    if (!n || *n == 0) break;
    off += *n;
  }
  return out;
}

}  // namespace nimbus::storage::testing
