#include "storage/data_files.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "base/encoding.h"
#include "base/ids.h"

namespace nimbus::storage {

namespace fs = std::filesystem;

DataDir::DataDir(std::string root) : root_(std::move(root)) {}

DataDir::Space DataDir::space() const {
  struct statvfs st {};
  if (::statvfs(root_.c_str(), &st) != 0) return {};
  return {static_cast<uint64_t>(st.f_bavail) * st.f_frsize, static_cast<uint64_t>(st.f_blocks) * st.f_frsize};
}

base::Status DataDir::check_room() const {
  if (reserve_ == 0) return {};
  auto s = space();
  if (s.total == 0 || s.free >= reserve_) return {};
  return base::make_error(base::ErrorCode::kStorageFull,
                          "The disk nimbus stores data on has less free space than its reserve (--min-free-mb " +
                              std::to_string(reserve_ >> 20) + "). Delete objects to make room.");
}

std::string DataDir::path_of(const std::string& file_id) const {
  return root_ + "/objects/" + file_id.substr(0, 2) + "/" + file_id;
}

base::Status DataDir::prepare() {
  if (auto s = base::make_dirs(tmp_dir()); !s) return s;
  for (int i = 0; i < 256; ++i) {
    char sub[3];
    std::snprintf(sub, sizeof sub, "%02x", i);
    if (auto s = base::make_dirs(root_ + "/objects/" + sub); !s) return s;
  }
  return {};
}

void DataDir::clean_tmp() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(tmp_dir(), ec)) fs::remove(e.path(), ec);
}

std::vector<std::string> DataDir::all_file_ids() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root_ + "/objects", ec))
    if (e.is_regular_file()) ids.push_back(e.path().filename().string());
  return ids;
}

void DataDir::remove(const std::string& file_id) const { ::unlink(path_of(file_id).c_str()); }

base::Result<std::string> DataDir::clone(const std::string& file_id) const {
  std::string id = base::random_hex(16);
  if (::link(path_of(file_id).c_str(), path_of(id).c_str()) == 0) {
    if (auto s = base::fsync_dir(fs::path(path_of(id)).parent_path().string()); !s) return s.error();
    return id;
  }
  std::error_code ec;
  std::string tmp = tmp_dir() + "/" + id;
  if (!fs::copy_file(path_of(file_id), tmp, ec))
    return base::make_error(base::ErrorCode::kIo, "copy data file: " + ec.message());
  auto fd = base::open_file(tmp, O_RDONLY);
  if (!fd) return fd.error();
  if (auto s = base::fsync_fd(fd->get()); !s) return s.error();
  if (::rename(tmp.c_str(), path_of(id).c_str()) != 0)
    return base::make_error(base::ErrorCode::kIo, base::errno_message("rename"));
  if (auto s = base::fsync_dir(fs::path(path_of(id)).parent_path().string()); !s) return s.error();
  return id;
}

base::Result<std::unique_ptr<DataWriter>> DataWriter::create(const DataDir& dir, size_t inline_limit) {
  if (auto room = dir.check_room(); !room) return room.error();
  std::unique_ptr<DataWriter> w(new DataWriter(dir, base::random_hex(16), inline_limit));
  if (inline_limit == 0)
    if (auto s = w->open_file(); !s) return s.error();
  return w;
}

DataWriter::DataWriter(const DataDir& dir, std::string id, size_t inline_limit)
    : dir_(dir), file_id_(std::move(id)), inline_limit_(inline_limit) {}

DataWriter::~DataWriter() {
  if (fd_.valid() && !placed_) ::unlink((dir_.tmp_dir() + "/" + file_id_).c_str());
}

base::Status DataWriter::open_file() {
  auto fd = base::open_file(dir_.tmp_dir() + "/" + file_id_, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (!fd) return fd.error();
  fd_ = std::move(*fd);
  if (auto s = base::write_all(fd_.get(), memory_.data(), memory_.size()); !s) return s;
  memory_.clear();
  memory_.shrink_to_fit();
  return {};
}

void DataWriter::add_checksum(base::ChecksumAlgorithm a) { checksummer_ = std::make_unique<base::Checksummer>(a); }

std::optional<base::ChecksumAlgorithm> DataWriter::checksum_algorithm() const {
  if (!checksummer_) return std::nullopt;
  return checksummer_->algorithm();
}

base::Status DataWriter::write(const void* data, size_t n) {
  // A large upload looks at free space every 8 MiB: it must not eat the reserve either.
  if (size_ + n >= next_room_check_) {
    if (auto room = dir_.check_room(); !room) return room;
    next_room_check_ = size_ + n + (8u << 20);
  }
  md5_digest_.update(data, n);
  if (checksummer_) checksummer_->update(data, n);
  size_ += n;
  if (!fd_.valid()) {
    if (size_ <= inline_limit_) {
      memory_.append(static_cast<const char*>(data), n);
      return {};
    }
    if (auto s = open_file(); !s) return s;
  }
  return base::write_all(fd_.get(), data, n);
}

void DataWriter::finish_digests() {
  md5_ = md5_digest_.finish();
  if (checksummer_) checksum_ = checksummer_->finish_base64();
}

base::Status DataWriter::place() {
  if (!fd_.valid() && !placed_)
    if (auto s = open_file(); !s) return s;
  if (auto s = base::fsync_fd(fd_.get()); !s) return s;
  std::string final_path = dir_.path_of(file_id_);
  if (::rename((dir_.tmp_dir() + "/" + file_id_).c_str(), final_path.c_str()) != 0)
    return base::make_error(base::ErrorCode::kIo, base::errno_message("rename data file"));
  placed_ = true;
  fd_.reset();
  return base::fsync_dir(fs::path(final_path).parent_path().string());
}

ObjectReader::ObjectReader(std::vector<Extent> extents) : extents_(std::move(extents)) {
  for (const auto& e : extents_) size_ += e.size;
}

ObjectReader::ObjectReader(std::string inline_data)
    : memory_(std::move(inline_data)), in_memory_(true), size_(memory_.size()) {}

base::Result<size_t> ObjectReader::read(uint64_t offset, void* buf, size_t n) const {
  if (in_memory_) {
    if (offset >= memory_.size()) return size_t{0};
    size_t k = std::min<size_t>(n, memory_.size() - static_cast<size_t>(offset));
    std::memcpy(buf, memory_.data() + offset, k);
    return k;
  }
  uint64_t base_off = 0;
  for (const auto& e : extents_) {
    if (offset < base_off + e.size) {
      uint64_t in_extent = offset - base_off;
      size_t want = static_cast<size_t>(std::min<uint64_t>(n, e.size - in_extent));
      auto r = base::pread_some(e.fd.get(), buf, want, in_extent);
      if (r.ok() && *r == 0 && want > 0)
        return base::make_error(base::ErrorCode::kIo, "data file shorter than its metadata");
      return r;
    }
    base_off += e.size;
  }
  return size_t{0};
}

}  // namespace nimbus::storage
