#include "base/crypto.h"

#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "base/encoding.h"

namespace nimbus::base {

struct Digest::Impl {
  EVP_MD_CTX* ctx = nullptr;
  const EVP_MD* md = nullptr;
};

static const EVP_MD* md_for(DigestKind kind) {
  switch (kind) {
    case DigestKind::kMd5: return EVP_md5();
    case DigestKind::kSha1: return EVP_sha1();
    case DigestKind::kSha256: return EVP_sha256();
  }
  return EVP_sha256();
}

Digest::Digest(DigestKind kind) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  impl_->md = md_for(kind);
  if (!impl_->ctx) throw std::bad_alloc();
  reset();
}

Digest::~Digest() {
  if (impl_ && impl_->ctx) EVP_MD_CTX_free(impl_->ctx);
}
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::reset() { EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr); }

void Digest::update(const void* data, size_t n) { EVP_DigestUpdate(impl_->ctx, data, n); }

std::string Digest::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, out, &len);
  reset();
  return std::string(reinterpret_cast<char*>(out), len);
}

static std::string one_shot(DigestKind kind, std::string_view data) {
  Digest d(kind);
  d.update(data);
  return d.finish();
}

std::string md5(std::string_view data) { return one_shot(DigestKind::kMd5, data); }
std::string sha256(std::string_view data) { return one_shot(DigestKind::kSha256, data); }
std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

static std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hmac_sha256(std::string_view key, std::string_view data) { return hmac(EVP_sha256(), key, data); }
std::string hmac_sha1(std::string_view key, std::string_view data) { return hmac(EVP_sha1(), key, data); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace nimbus::base
