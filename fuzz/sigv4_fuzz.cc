// SigV4: is_sigv4, peek_scope and verify over Authorization headers and
// presigned queries (S3's single-encoded path and other services' double
// encoding), then the verified request's body through PayloadDecoder.
// Input: fuzz/request_text.h framing; seeds are botocore-signed requests.
#include <cstdint>
#include <string>

#include "auth/payload.h"
#include "auth/sigv4.h"
#include "base/encoding.h"
#include "request_text.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auth::CredentialStore& creds = fuzz::seed_credentials();
  static auth::SigningKeyCache cache;
  auto req = fuzz::parse_text_request({reinterpret_cast<const char*>(data), size});
  std::string body_sha = base::sha256_hex(req.body);
  auth::RequestView view{req.method, req.target, &req.headers, body_sha};
  (void)auth::is_sigv4(view);
  (void)auth::peek_scope(view);
  size_t q = req.target.find('?');
  (void)auth::canonical_uri(req.target.substr(0, q), true);
  (void)auth::canonical_query(q == std::string::npos ? "" : req.target.substr(q + 1), true);
  for (bool double_encode : {false, true}) {
    auth::VerifyOptions opts;
    opts.double_encode_path = double_encode;
    opts.key_cache = double_encode ? &cache : nullptr;
    auto verified = auth::verify(view, creds, fuzz::kSeedTimeMs, opts);
    if (!verified) continue;
    auth::PayloadDecoder decoder(*verified);
    std::string out;
    if (decoder.feed(req.body, out)) (void)decoder.finish();
  }
  return 0;
}
