// SigV2: is_sigv2, v2_string_to_sign and verify_v2 over "AWS key:signature"
// headers and AWSAccessKeyId/Expires/Signature queries, path-style and with
// a virtual-hosted bucket. Input: fuzz/request_text.h framing; seeds are
// botocore-signed requests.
#include <cstdint>
#include <string>

#include "auth/sigv2.h"
#include "request_text.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auth::CredentialStore& creds = fuzz::seed_credentials();
  auto req = fuzz::parse_text_request({reinterpret_cast<const char*>(data), size});
  auth::RequestView view{req.method, req.target, &req.headers, {}};
  (void)auth::is_sigv2(view);
  for (std::string_view bucket : {std::string_view(), std::string_view("bucket")}) {
    (void)auth::v2_string_to_sign(view, req.body, bucket);
    (void)auth::verify_v2(view, creds, fuzz::kSeedTimeMs, bucket);
  }
  return 0;
}
