// STUB (replaced by the input branch's file)
#pragma once
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include "base/result.h"
namespace nimbus::buses {
struct InputTransformer { std::vector<std::pair<std::string, std::string>> paths; std::string input_template; };
struct TargetInput { std::optional<std::string> input, input_path; std::optional<InputTransformer> transformer; };
struct RuleContext { std::string rule_arn, rule_name, ingestion_time; };
base::Status validate_target_input(const TargetInput& in);
std::string render_target_input(const TargetInput& in, const boost::json::value& event, const RuleContext& rule);
}
