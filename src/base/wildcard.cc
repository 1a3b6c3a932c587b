#include "base/wildcard.h"

#include <cctype>

namespace nimbus::base {

bool wildcard_match(std::string_view p, std::string_view t, bool ci) {
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  auto eq = [ci](char a, char b) {
    return ci ? std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)) : a == b;
  };
  while (ti < t.size()) {
    // A '*' in the pattern is always a wildcard, even against a '*' in the text.
    if (pi < p.size() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti])))) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace nimbus::base
