#include "base/arn.h"

#include <vector>

namespace nimbus::base {

std::optional<LambdaArn> parse_lambda_arn(std::string_view arn) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t colon = arn.find(':');
    parts.push_back(arn.substr(0, colon));
    if (colon == std::string_view::npos) break;
    arn.remove_prefix(colon + 1);
  }
  if (parts.size() < 7 || parts.size() > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" ||
      parts[6].empty())
    return std::nullopt;
  return LambdaArn{std::string(parts[3]), std::string(parts[4]), std::string(parts[6]),
                   parts.size() == 8 ? std::string(parts[7]) : std::string()};
}

}  // namespace nimbus::base
