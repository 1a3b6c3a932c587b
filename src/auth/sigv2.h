// AWS Signature Version 2 for S3, which boto3/botocore still use by default
// for presigned URLs (AWSAccessKeyId, Expires, Signature in the query) and a
// few older tools use in the Authorization header ("AWS key:signature").
#pragma once

#include <cstdint>

#include "auth/sigv4.h"

namespace nimbus::auth {

// True when the request carries SigV2 credentials (header or query).
bool is_sigv2(const RequestView& req);

// Verifies a SigV2 request. The result's payload mode is kUnsigned: V2 signs
// headers only. `virtual_bucket` is the bucket taken from the Host header
// (virtual-hosted style), which V2 puts in front of the path.
base::Result<VerifiedRequest> verify_v2(const RequestView& req, const CredentialStore& creds, int64_t now_ms,
                                        std::string_view virtual_bucket = {});

// The string V2 signs; exposed for tests.
std::string v2_string_to_sign(const RequestView& req, std::string_view expires_or_date, std::string_view virtual_bucket);

}  // namespace nimbus::auth
