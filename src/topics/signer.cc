#include "topics/signer.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <filesystem>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/file.h"

namespace nimbus::topics {

struct Signer::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

base::Error failed(const std::string& what) { return base::make_error(base::ErrorCode::kInternal, "sns signing key: " + what); }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// A new key and a ten-year self-signed certificate for it, as PEM.
base::Status make_key(const std::string& key_path, const std::string& cert_path) {
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  if (!pkey) return failed("cannot generate an RSA key");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_guard(pkey, EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), pkey);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("nimbus"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("sns.nimbus.local"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  if (!X509_sign(cert.get(), pkey, EVP_sha256())) return failed("cannot sign the certificate");
  std::unique_ptr<BIO, decltype(&BIO_free)> kb(BIO_new(BIO_s_mem()), BIO_free), cb(BIO_new(BIO_s_mem()), BIO_free);
  if (!PEM_write_bio_PrivateKey(kb.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) ||
      !PEM_write_bio_X509(cb.get(), cert.get()))
    return failed("cannot write PEM");
  if (auto s = base::write_file_durably(key_path, bio_text(kb.get())); !s) return s;
  std::error_code ec;
  std::filesystem::permissions(key_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  return base::write_file_durably(cert_path, bio_text(cb.get()));
}

}  // namespace

base::Result<std::unique_ptr<Signer>> Signer::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return base::make_error(base::ErrorCode::kIo, "cannot create " + dir + ": " + ec.message());
  std::string key_path = dir + "/signing-key.pem", cert_path = dir + "/signing-cert.pem";
  if (!std::filesystem::exists(key_path, ec) || !std::filesystem::exists(cert_path, ec))
    if (auto s = make_key(key_path, cert_path); !s) return s.error();
  auto key_pem = base::read_file(key_path);
  if (!key_pem) return key_pem.error();
  auto cert_pem = base::read_file(cert_path);
  if (!cert_pem) return cert_pem.error();
  std::unique_ptr<BIO, decltype(&BIO_free)> kb(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())),
                                              BIO_free);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr);
  if (!pkey) return failed("cannot read " + key_path);
  std::unique_ptr<Signer> s(new Signer());
  s->key_ = std::make_unique<Key>();
  s->key_->pkey = pkey;
  s->cert_pem_ = std::move(*cert_pem);
  s->cert_name_ = "SimpleNotificationService-" + base::to_hex(base::md5(s->cert_pem_)) + ".pem";
  return s;
}

Signer::~Signer() = default;

std::string Signer::sign(std::string_view canonical, int version) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t n = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, version == 2 ? EVP_sha256() : EVP_sha1(), nullptr, key_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size()) != 1)
    return {};
  std::string sig(n, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n,
                     reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size()) != 1)
    return {};
  sig.resize(n);
  return base::base64_encode(sig);
}

}  // namespace nimbus::topics
