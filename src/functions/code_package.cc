#include "functions/code_package.h"

#include <algorithm>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/file.h"

namespace nimbus::functions {

namespace fs = std::filesystem;
using base::ErrorCode;
using base::make_error;

namespace {

// True when `path` (relative, from the archive) stays inside the tree.
bool stays_inside(const fs::path& path) {
  if (path.empty() || path.is_absolute()) return false;
  int depth = 0;
  for (const auto& part : path.lexically_normal()) {
    if (part == "..") {
      if (--depth < 0) return false;
    } else if (part != "." && !part.empty()) {
      ++depth;
    }
  }
  return true;
}

// libarchive may fail without a message (archive_error_string returns NULL,
// e.g. on a damaged zip entry), and a NULL must not reach std::string.
base::Error unzip_error(archive* a) {
  const char* why = archive_error_string(a);
  return make_error(ErrorCode::kInvalidArgument,
                    std::string("Could not unzip uploaded file: ") + (why ? why : "the archive is damaged"));
}

}  // namespace

base::Result<UnpackedCode> unpack_zip(std::string_view zip, const std::string& dest, const PackageLimits& limits) {
  UnpackedCode out;
  out.zipped_size = zip.size();
  if (zip.size() > limits.max_zipped)
    return make_error(ErrorCode::kTooLarge, "Unzipped size must be smaller than " +
                                                      std::to_string(limits.max_unzipped) + " bytes; zipped upload "
                                                      "must be smaller than " + std::to_string(limits.max_zipped) + " bytes");
  out.sha256_base64 = base::base64_encode(base::sha256(zip));

  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
    return unzip_error(a.get());
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot create " + dest + ": " + ec.message());

  // Lexical checks are not enough once symlinks exist: "d/l -> .." then
  // "d/l/l2 -> .." each look inside, yet together climb out. Every entry's
  // real parent directory must be inside the real destination.
  fs::path root = fs::canonical(dest, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot resolve " + dest + ": " + ec.message());
  auto really_inside = [&](const fs::path& p) {
    std::error_code rec;
    fs::path real = fs::weakly_canonical(p, rec);
    if (rec) return false;
    auto [r_end, _] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    return r_end == root.end();
  };

  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    fs::path rel(archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "");
    if (!stays_inside(rel))
      return make_error(ErrorCode::kInvalidArgument, "Could not unzip uploaded file: entry '" + rel.string() +
                                                         "' would be written outside the function's directory");
    fs::path target = fs::path(dest) / rel.lexically_normal();
    if (!really_inside(target.parent_path()))
      return make_error(ErrorCode::kInvalidArgument, "Could not unzip uploaded file: entry '" + rel.string() +
                                                         "' would be written outside the function's directory");
    auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      if (!really_inside(target))
        return make_error(ErrorCode::kInvalidArgument, "Could not unzip uploaded file: entry '" + rel.string() +
                                                           "' would be written outside the function's directory");
      fs::create_directories(target, ec);
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    if (type == AE_IFLNK) {
      const char* link = archive_entry_symlink(entry);
      fs::path resolved = rel.parent_path() / (link ? link : "");
      if (!link || !stays_inside(resolved))
        return make_error(ErrorCode::kInvalidArgument, "Could not unzip uploaded file: symlink '" + rel.string() +
                                                           "' points outside the function's directory");
      fs::create_symlink(link, target, ec);
      if (ec) return make_error(ErrorCode::kIo, "symlink " + target.string() + ": " + ec.message());
      ++out.files;
      continue;
    }
    if (type != AE_IFREG) continue;
    mode_t mode = archive_entry_perm(entry);
    // Zips made without Unix attributes carry no mode: readable by default.
    if (mode == 0) mode = 0644;
    auto fd = base::open_file(target.string(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, (mode & 0777) | 0400);
    if (!fd) return fd.error();
    char buf[65536];
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n < 0)
        return unzip_error(a.get());
      if (n == 0) break;
      out.unzipped_size += static_cast<uint64_t>(n);
      if (out.unzipped_size > limits.max_unzipped)
        return make_error(ErrorCode::kTooLarge, "Unzipped size must be smaller than " +
                                                          std::to_string(limits.max_unzipped) + " bytes");
      if (auto s = base::write_all(fd->get(), buf, static_cast<size_t>(n)); !s) return s.error();
    }
    ::fchmod(fd->get(), (mode & 0777) | 0400);
    ++out.files;
  }
  if (r != ARCHIVE_EOF)
    return unzip_error(a.get());
  return out;
}

base::Status zip_directory(const std::string& dir, const std::string& dest) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    entries.push_back(it->path());
  if (ec) return make_error(ErrorCode::kIo, "cannot list " + dir + ": " + ec.message());
  std::sort(entries.begin(), entries.end());
  std::string tmp = dest + ".tmp";
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
  archive_write_set_format_zip(a.get());
  auto failed = [&](const std::string& what) {
    const char* why = archive_error_string(a.get());
    fs::remove(tmp, ec);
    return make_error(ErrorCode::kIo, what + ": " + (why ? why : "libarchive failed"));
  };
  if (archive_write_open_filename(a.get(), tmp.c_str()) != ARCHIVE_OK) return failed("cannot write " + tmp);
  // 1980-01-02, the zip format's earliest time (and a fixed one: the same tree gives the same bytes).
  constexpr time_t kFixedTime = 315619200;
  for (const auto& path : entries) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return failed(base::errno_message("lstat " + path.string()));
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
    std::string rel = path.lexically_relative(dir).string();
    archive_entry_set_mtime(e.get(), kFixedTime, 0);
    archive_entry_set_perm(e.get(), st.st_mode & 0777);
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_pathname(e.get(), (rel + "/").c_str());
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return failed("zip " + rel);
      continue;
    }
    archive_entry_set_pathname(e.get(), rel.c_str());
    if (S_ISLNK(st.st_mode)) {
      auto target = fs::read_symlink(path, ec);
      if (ec) return failed("readlink " + rel + ": " + ec.message());
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink(e.get(), target.c_str());
      if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return failed("zip " + rel);
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_size(e.get(), st.st_size);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return failed("zip " + rel);
    auto fd = base::open_file(path.string(), O_RDONLY);
    if (!fd) return failed(fd.error().message);
    char buf[65536];
    for (uint64_t off = 0;;) {
      auto n = base::pread_some(fd->get(), buf, sizeof buf, off);
      if (!n) return failed(n.error().message);
      if (*n == 0) break;
      if (archive_write_data(a.get(), buf, *n) < 0) return failed("zip " + rel);
      off += *n;
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return failed("cannot finish " + tmp);
  {
    auto fd = base::open_file(tmp, O_RDONLY);
    if (!fd) return fd.error();
    if (auto s = base::fsync_fd(fd->get()); !s) return s;
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) return make_error(ErrorCode::kIo, base::errno_message("rename " + tmp));
  return base::fsync_dir(fs::path(dest).parent_path().string());
}

}  // namespace nimbus::functions
