// Hashes and MACs used across nimbus (SigV4, ETags, checksums), on OpenSSL.
// Digest is incremental so streamed bodies are hashed as they pass through.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace nimbus::base {

enum class DigestKind { kMd5, kSha1, kSha256 };

class Digest {
 public:
  explicit Digest(DigestKind kind);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::string finish();  // raw bytes; the object may be reset() and reused
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string md5(std::string_view data);          // raw 16 bytes
std::string sha256(std::string_view data);       // raw 32 bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hmac_sha1(std::string_view key, std::string_view data);    // raw 20 bytes
// Compares secrets (signatures) in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace nimbus::base
