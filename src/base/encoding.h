// Byte encodings AWS protocols use: hex, base64, and URI percent-encoding with
// the exact rules of SigV4 (RFC 3986 unreserved characters kept, all else %XX).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nimbus::base {

std::string to_hex(std::string_view bytes);                       // lowercase
std::optional<std::string> from_hex(std::string_view hex);
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);   // strict: bad input -> nullopt

// SigV4 URI encoding: keeps A-Z a-z 0-9 - . _ ~, and '/' unless encode_slash.
std::string uri_encode(std::string_view s, bool encode_slash = true);
// Decodes %XX; '+' becomes ' ' only when plus_is_space (HTML forms, not paths).
// Malformed escapes are kept literally, as S3 does.
std::string uri_decode(std::string_view s, bool plus_is_space = false);

struct QueryParam {
  std::string key;    // decoded
  std::string value;  // decoded
  bool has_value = false;  // "a=" versus "a"
};
// Splits a raw query string ("a=1&b&c=x%20y") into decoded parameters, in order.
std::vector<QueryParam> parse_query(std::string_view query, bool plus_is_space = false);

std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool is_valid_utf8(std::string_view s);

}  // namespace nimbus::base
