#include "base/checksum.h"

#include <boost/crc.hpp>

#include "base/crypto.h"
#include "base/encoding.h"

namespace nimbus::base {

using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;
using Crc64Nvme = boost::crc_optimal<64, 0xAD93D23594C93659ULL, ~0ULL, ~0ULL, true, true>;

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name) {
  if (iequals(name, "CRC32")) return ChecksumAlgorithm::kCrc32;
  if (iequals(name, "CRC32C")) return ChecksumAlgorithm::kCrc32c;
  if (iequals(name, "CRC64NVME")) return ChecksumAlgorithm::kCrc64Nvme;
  if (iequals(name, "SHA1")) return ChecksumAlgorithm::kSha1;
  if (iequals(name, "SHA256")) return ChecksumAlgorithm::kSha256;
  return std::nullopt;
}

std::string_view checksum_name(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32: return "CRC32";
    case ChecksumAlgorithm::kCrc32c: return "CRC32C";
    case ChecksumAlgorithm::kCrc64Nvme: return "CRC64NVME";
    case ChecksumAlgorithm::kSha1: return "SHA1";
    case ChecksumAlgorithm::kSha256: return "SHA256";
  }
  return "";
}

std::string checksum_header(ChecksumAlgorithm a) { return "x-amz-checksum-" + to_lower(checksum_name(a)); }

struct Checksummer::Impl {
  boost::crc_32_type crc32;
  Crc32c crc32c;
  Crc64Nvme crc64;
  std::optional<Digest> digest;
};

Checksummer::Checksummer(ChecksumAlgorithm a) : algorithm_(a), impl_(std::make_unique<Impl>()) {
  if (a == ChecksumAlgorithm::kSha1) impl_->digest.emplace(DigestKind::kSha1);
  if (a == ChecksumAlgorithm::kSha256) impl_->digest.emplace(DigestKind::kSha256);
}
Checksummer::~Checksummer() = default;
Checksummer::Checksummer(Checksummer&&) noexcept = default;
Checksummer& Checksummer::operator=(Checksummer&&) noexcept = default;

void Checksummer::update(const void* data, size_t n) {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32: impl_->crc32.process_bytes(data, n); break;
    case ChecksumAlgorithm::kCrc32c: impl_->crc32c.process_bytes(data, n); break;
    case ChecksumAlgorithm::kCrc64Nvme: impl_->crc64.process_bytes(data, n); break;
    default: impl_->digest->update(data, n);
  }
}

template <typename T>
static std::string big_endian(T v) {
  std::string out(sizeof(T), '\0');
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>(v >> (8 * (sizeof(T) - 1 - i)));
  return out;
}

std::string Checksummer::finish_base64() {
  switch (algorithm_) {
    case ChecksumAlgorithm::kCrc32: return base64_encode(big_endian<uint32_t>(impl_->crc32.checksum()));
    case ChecksumAlgorithm::kCrc32c: return base64_encode(big_endian<uint32_t>(impl_->crc32c.checksum()));
    case ChecksumAlgorithm::kCrc64Nvme: return base64_encode(big_endian<uint64_t>(impl_->crc64.checksum()));
    default: return base64_encode(impl_->digest->finish());
  }
}

uint32_t crc32(std::string_view data) {
  boost::crc_32_type c;
  c.process_bytes(data.data(), data.size());
  return c.checksum();
}

uint32_t crc32c(std::string_view data) {
  Crc32c c;
  c.process_bytes(data.data(), data.size());
  return c.checksum();
}

}  // namespace nimbus::base
