// Function code packages: functions::unpack_zip into a fresh directory,
// removed after each input. Whatever the archive holds, nothing may land
// outside that directory (zip-slip through "..", absolute paths or
// symlinks). Seeds: small zips made by make_seeds.py, traversal attempts included.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "functions/code_package.h"

using namespace nimbus;
namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One scratch root per process: dest inside it, and a sibling that a
  // traversal would reach.
  static const fs::path root = [] {
    std::string tmpl = (fs::temp_directory_path() / "nimbus-zip-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(root, ec);
    });
    return fs::path(tmpl);
  }();
  fs::path dest = root / "code";
  functions::PackageLimits limits;
  limits.max_unzipped = 8 << 20;  // keeps zip bombs cheap
  (void)functions::unpack_zip({reinterpret_cast<const char*>(data), size}, dest.string(), limits);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec))
    if (entry.path() != dest) std::abort();  // something escaped the code directory
  fs::remove_all(dest, ec);
  if (ec) std::abort();
  return 0;
}
