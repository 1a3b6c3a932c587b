// The input framing the request-shaped fuzz targets share: a request as
// text, "METHOD TARGET\nname: value\n...\n\nbody" (names lowercased, as the
// HTTP server hands them on). This only splits the fuzzer's bytes; every
// parser under test is nimbus's own code. Seeds are written by make_seeds.py.
#pragma once

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/credentials.h"
#include "base/headers.h"

namespace nimbus::fuzz {

// The moment the seeds were signed at (2026-12-02T12:00:00Z), so their
// signatures verify and mutations reach past the clock checks.
constexpr int64_t kSeedTimeMs = 1796212800000;

// The keys the seeds were signed with: nimbus's default and AWS's documented example.
inline const auth::CredentialStore& seed_credentials() {
  static const auth::CredentialStore creds = [] {
    auth::CredentialStore c = auth::CredentialStore::with_defaults();
    c.add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return c;
  }();
  return creds;
}

struct TextRequest {
  std::string method;
  std::string target;
  base::HeaderList headers;
  std::string body;
};

inline TextRequest parse_text_request(std::string_view in) {
  TextRequest r;
  auto next_line = [&]() {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  std::string_view first = next_line();
  size_t space = first.find(' ');
  r.method = std::string(first.substr(0, space));
  if (space != std::string_view::npos) r.target = std::string(first.substr(space + 1));
  while (!in.empty()) {
    std::string_view line = next_line();
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::move(name), std::string(value));
  }
  r.body = std::string(in);
  return r;
}

}  // namespace nimbus::fuzz
