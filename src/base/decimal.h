// What SQS and SNS accept as a Number message attribute: an optional sign,
// digits with an optional fraction, an optional exponent, at most 38 digits
// of precision; no spaces, hex, inf or nan (which strtod would take).
// THREADING RULE: a pure function; any thread.
#pragma once

#include <cctype>
#include <string_view>

namespace nimbus::base {

inline bool is_aws_decimal(std::string_view t) {
  size_t i = 0, digits = 0;
  auto digit = [&](size_t k) { return k < t.size() && std::isdigit(static_cast<unsigned char>(t[k])); };
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
  while (digit(i)) ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (digit(i)) ++i, ++digits;
  }
  if (digits > 0 && i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    size_t exp = 0;
    while (digit(i)) ++i, ++exp;
    if (exp == 0) digits = 0;
  }
  return digits > 0 && i == t.size() && digits <= 38;
}

}  // namespace nimbus::base
