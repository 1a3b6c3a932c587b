// The additional checksums S3 accepts (x-amz-checksum-crc32, -crc32c,
// -crc64nvme, -sha1, -sha256), computed incrementally over streamed bodies.
// Values are base64 of the big-endian digest, as S3 sends them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus::base {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name);  // "CRC32", "crc32c", ...
std::string_view checksum_name(ChecksumAlgorithm a);        // "CRC32"
std::string checksum_header(ChecksumAlgorithm a);           // "x-amz-checksum-crc32"

class Checksummer {
 public:
  explicit Checksummer(ChecksumAlgorithm a);
  ~Checksummer();
  Checksummer(Checksummer&&) noexcept;
  Checksummer& operator=(Checksummer&&) noexcept;
  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void update(const void* data, size_t n);
  std::string finish_base64();

 private:
  struct Impl;
  ChecksumAlgorithm algorithm_;
  std::unique_ptr<Impl> impl_;
};

uint32_t crc32(std::string_view data);
uint32_t crc32c(std::string_view data);

}  // namespace nimbus::base
