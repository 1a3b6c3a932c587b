#include "execute_api/lambda_target.h"

#include "base/arn.h"

namespace nimbus::execute_api {

std::optional<LambdaTarget> lambda_target(std::string_view uri) {
  constexpr std::string_view kFunctions = "/functions/";
  if (uri.rfind("arn:aws:apigateway:", 0) == 0) {
    size_t at = uri.find(kFunctions);
    if (at == std::string_view::npos) return std::nullopt;
    uri = uri.substr(at + kFunctions.size());
    constexpr std::string_view kInvocations = "/invocations";
    if (uri.size() < kInvocations.size() || uri.substr(uri.size() - kInvocations.size()) != kInvocations)
      return std::nullopt;
    uri.remove_suffix(kInvocations.size());
  }
  auto arn = base::parse_lambda_arn(uri);
  if (!arn) return std::nullopt;
  LambdaTarget t;
  t.function = arn->function;
  t.qualifier = arn->qualifier;
  return t;
}

}  // namespace nimbus::execute_api
