#include "base/arn.h"

#include <vector>

namespace nimbus::base {

namespace {

std::vector<std::string_view> split_colons(std::string_view s, size_t max_parts) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t colon = parts.size() + 1 == max_parts ? std::string_view::npos : s.find(':');
    parts.push_back(s.substr(0, colon));
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  return parts;
}

}  // namespace

std::optional<Arn> Arn::parse(std::string_view text) {
  auto parts = split_colons(text, 6);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2].empty() || parts[5].empty())
    return std::nullopt;
  return Arn{std::string(parts[1]), std::string(parts[2]), std::string(parts[3]), std::string(parts[4]),
             std::string(parts[5])};
}

std::string Arn::str() const { return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource; }

std::string Arn::resource_of(std::string_view type) const {
  if (resource.size() <= type.size() || resource.compare(0, type.size(), type) != 0) return {};
  char sep = resource[type.size()];
  return sep == '/' || sep == ':' ? resource.substr(type.size() + 1) : std::string();
}

std::string make_arn(std::string_view service, std::string_view region, std::string_view resource) {
  return Arn{"aws", std::string(service), std::string(region), std::string(kAccountId), std::string(resource)}.str();
}

std::optional<LambdaArn> parse_lambda_arn(std::string_view arn) {
  auto parts = split_colons(arn, std::string_view::npos);
  if (parts.size() < 7 || parts.size() > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" ||
      parts[6].empty())
    return std::nullopt;
  return LambdaArn{std::string(parts[3]), std::string(parts[4]), std::string(parts[6]),
                   parts.size() == 8 ? std::string(parts[7]) : std::string()};
}

}  // namespace nimbus::base
