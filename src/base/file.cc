#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace nimbus::base {

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string errno_message(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

ErrorCode io_error_code() { return errno == ENOSPC || errno == EDQUOT ? ErrorCode::kStorageFull : ErrorCode::kIo; }

Result<Fd> open_file(const std::string& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return make_error(errno == ENOENT ? ErrorCode::kNotFound : io_error_code(), errno_message("open " + path));
  return Fd(fd);
}

Status write_all(int fd, const void* data, size_t n) {
  auto p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return make_error(io_error_code(), errno_message("write"));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return {};
}

Result<size_t> pread_some(int fd, void* buf, size_t n, uint64_t offset) {
  for (;;) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) return make_error(ErrorCode::kIo, errno_message("pread"));
  }
}

Status fsync_fd(int fd) {
  if (::fdatasync(fd) != 0) return make_error(io_error_code(), errno_message("fdatasync"));
  return {};
}

Status fsync_dir(const std::string& dir) {
  auto fd = open_file(dir, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error();
  if (::fsync(fd->get()) != 0) return make_error(ErrorCode::kIo, errno_message("fsync " + dir));
  return {};
}

Status make_dirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kIo, "mkdir " + dir + ": " + ec.message());
  return {};
}

Result<std::string> read_file(const std::string& path) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return fd.error();
  std::string out;
  char buf[65536];
  uint64_t off = 0;
  for (;;) {
    auto n = pread_some(fd->get(), buf, sizeof buf, off);
    if (!n) return n.error();
    if (*n == 0) break;
    out.append(buf, *n);
    off += *n;
  }
  return out;
}

Status write_file_durably(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  auto fd = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!fd) return fd.error();
  if (auto s = write_all(fd->get(), data.data(), data.size()); !s) return s;
  if (auto s = fsync_fd(fd->get()); !s) return s;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return make_error(ErrorCode::kIo, errno_message("rename " + tmp));
  return fsync_dir(std::filesystem::path(path).parent_path().string());
}

std::pair<uint64_t, uint64_t> raise_open_files_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return {0, 0};
  uint64_t before = lim.rlim_cur;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) return {before, before};
  }
  return {before, lim.rlim_cur};
}

}  // namespace nimbus::base
