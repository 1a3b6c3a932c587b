// POSIX file helpers with error reporting through Result: an owning Fd,
// full writes and positional reads, and the fsync calls durability needs.
#pragma once

#include <string>
#include <utility>
#include <string_view>

#include "base/result.h"

namespace nimbus::base {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset();

 private:
  int fd_ = -1;
};

Result<Fd> open_file(const std::string& path, int flags, int mode = 0644);
Status write_all(int fd, const void* data, size_t n);
Result<size_t> pread_some(int fd, void* buf, size_t n, uint64_t offset);  // 0 at end of file
Status fsync_fd(int fd);
Status fsync_dir(const std::string& dir);
Status make_dirs(const std::string& dir);
Result<std::string> read_file(const std::string& path);
Status write_file_durably(const std::string& path, std::string_view data);  // temp + fsync + rename
std::string errno_message(std::string_view what);
// kStorageFull for ENOSPC and EDQUOT, else kIo: what a failed call's errno means to a client.
ErrorCode io_error_code();
// Raises the soft RLIMIT_NOFILE to the hard limit (often 1024 -> 524288):
// a server with a thousand clients must not run out of descriptors at the
// default. Returns the soft limit before and after.
std::pair<uint64_t, uint64_t> raise_open_files_limit();

}  // namespace nimbus::base
