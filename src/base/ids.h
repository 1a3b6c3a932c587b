// Random identifiers: request ids as S3 prints them, upload ids, file names.
#pragma once

#include <string>

namespace nimbus::base {

std::string random_bytes(size_t n);
std::string random_hex(size_t n_bytes);       // lowercase hex of n random bytes
std::string request_id();                     // 16 uppercase hex chars, like S3's x-amz-request-id
std::string uuid_from_hex(const std::string& hex32);  // 8-4-4-4-12, version 4 layout
std::string uuid4();                          // a random one, like Lambda's request ids

}  // namespace nimbus::base
