// topics::Signer: SignatureVersion 1 signatures (SHA1withRSA over the
// canonical string of topics/messages.h) with a per-data-directory RSA key
// and a self-signed certificate for it, made once and kept in
// DATA_DIR/sns/signing-key.pem and signing-cert.pem. nimbus serves the
// certificate at its SigningCertURL, so a subscriber's verifier can fetch it
// and check the Signature as it would AWS's.
// THREADING RULE: open() writes files (call it at start); sign() and the
// accessors are const and thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nimbus::topics {

class Signer {
 public:
  static base::Result<std::unique_ptr<Signer>> open(const std::string& dir);
  ~Signer();
  // base64; SignatureVersion 1 is SHA1withRSA, 2 SHA256withRSA.
  std::string sign(std::string_view canonical, int version = 1) const;
  const std::string& certificate_pem() const { return cert_pem_; }
  // "SimpleNotificationService-<md5 of the certificate>.pem", as AWS names its certificates.
  const std::string& certificate_name() const { return cert_name_; }

 private:
  struct Key;
  Signer() = default;
  std::unique_ptr<Key> key_;
  std::string cert_pem_, cert_name_;
};

}  // namespace nimbus::topics
