// Unpacking a function's zip (libarchive): entries that would land outside
// the target (zip-slip: "..", absolute paths, symlinks pointing out) are
// refused, executable bits are kept, and Lambda's size limits apply. The
// uploaded zip itself is kept beside its unpacked directory (package_path),
// byte for byte, so GetFunction's Code.Location serves what CodeSha256 names;
// zip_directory re-makes one for code unpacked before nimbus kept them.
// THREADING RULE: every function here blocks on the disk (blocking pool).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nimbus::functions {

struct PackageLimits {
  uint64_t max_zipped = 50ull << 20;     // 50 MB direct upload
  uint64_t max_unzipped = 250ull << 20;  // 250 MB unzipped
};

struct UnpackedCode {
  std::string sha256_base64;
  uint64_t zipped_size = 0;
  uint64_t unzipped_size = 0;
  size_t files = 0;
};

// Unpacks zip bytes into dest (created; must not exist). kInvalidArgument on
// a bad or unsafe package, kEntityTooLarge past the limits.
base::Result<UnpackedCode> unpack_zip(std::string_view zip, const std::string& dest, const PackageLimits& limits = {});

// Where the zip of the code unpacked in code_dir is kept: functions/<name>/<revision>.zip.
inline std::string package_path(const std::string& code_dir) { return code_dir + ".zip"; }

// Zips the tree under dir into dest (temp file, fsync, rename), deterministically:
// entries sorted by path, one fixed timestamp, modes and symlinks kept.
base::Status zip_directory(const std::string& dir, const std::string& dest);

}  // namespace nimbus::functions
