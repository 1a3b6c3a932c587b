// Object data on disk: files named by random ids under objects/xx/, written
// to tmp/ first, fsynced, then renamed into place. Files never change once
// placed, so readers holding a descriptor see a stable object.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/checksum.h"
#include "base/crypto.h"
#include "base/file.h"
#include "base/result.h"

namespace nimbus::storage {

class DataDir {
 public:
  explicit DataDir(std::string root);
  const std::string& root() const { return root_; }
  std::string tmp_dir() const { return root_ + "/tmp"; }
  std::string path_of(const std::string& file_id) const;
  base::Status prepare();      // creates the directories
  void clean_tmp();            // removes temp files a crash left behind
  std::vector<std::string> all_file_ids() const;
  void remove(const std::string& file_id) const;
  // A new hard link (or copy) of an existing data file under a new id.
  base::Result<std::string> clone(const std::string& file_id) const;

  // New data is refused while the filesystem has less than this free, so
  // that deletes and metadata updates always find room (SQLite's journal).
  void set_reserve(uint64_t bytes) { reserve_ = bytes; }
  uint64_t reserve() const { return reserve_; }
  struct Space {
    uint64_t free = 0, total = 0;  // bytes available to nimbus, and the filesystem's size
  };
  Space space() const;
  base::Status check_room() const;  // kStorageFull when free space is below the reserve

 private:
  std::string root_;
  uint64_t reserve_ = 0;
};

// Streams bytes into a temp file while computing MD5 and, optionally, an
// additional checksum. place() makes it durable under its final name.
// Objects up to inline_limit bytes stay in memory (no file is created) so
// that they can be stored in the metadata transaction itself: one shared WAL
// fsync instead of three per small object.
class DataWriter {
 public:
  static base::Result<std::unique_ptr<DataWriter>> create(const DataDir& dir, size_t inline_limit = 0);
  ~DataWriter();
  base::Status write(const void* data, size_t n);
  void add_checksum(base::ChecksumAlgorithm a);
  uint64_t size() const { return size_; }
  const std::string& file_id() const { return file_id_; }
  // Finishes the digests; call once after the last write.
  void finish_digests();
  const std::string& md5() const { return md5_; }                  // raw bytes
  const std::string& checksum_base64() const { return checksum_; } // "" without a checksum
  std::optional<base::ChecksumAlgorithm> checksum_algorithm() const;
  base::Status place();  // (spills to a file if inline) fsync, rename into objects/, fsync the directory
  bool is_inline() const { return !fd_.valid() && !placed_; }
  const std::string& inline_data() const { return memory_; }

 private:
  DataWriter(const DataDir& dir, std::string id, size_t inline_limit);
  base::Status open_file();
  const DataDir& dir_;
  std::string file_id_;
  size_t inline_limit_;
  uint64_t next_room_check_ = 8u << 20;  // size at which free space is looked at again (create() did at 0)
  std::string memory_;
  base::Fd fd_;
  uint64_t size_ = 0;
  base::Digest md5_digest_{base::DigestKind::kMd5};
  std::unique_ptr<base::Checksummer> checksummer_;
  std::string md5_, checksum_;
  bool placed_ = false;
};

// Reads an object made of one or more data files as one byte range.
class ObjectReader {
 public:
  struct Extent {
    base::Fd fd;
    uint64_t size;
  };
  explicit ObjectReader(std::vector<Extent> extents);
  explicit ObjectReader(std::string inline_data);
  uint64_t size() const { return size_; }
  // Reads up to n bytes at offset; 0 at the end.
  base::Result<size_t> read(uint64_t offset, void* buf, size_t n) const;

 private:
  std::vector<Extent> extents_;
  std::string memory_;
  bool in_memory_ = false;
  uint64_t size_ = 0;
};

}  // namespace nimbus::storage
