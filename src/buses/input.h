// buses: what a rule's target receives for a matched event. EventBridge's
// three ways to shape it, at most one per target (API_Target):
//   Input             constant JSON text, sent as given; nothing of the event
//   InputPath         a JSON path into the event; the selected value, as JSON
//   InputTransformer  InputPathsMap (name -> JSON path) and an InputTemplate
//                     whose <name> placeholders are filled from the event
// and none: the whole event, as JSON.
//
// validate_target_input() is PutTargets' check, in AWS's words where they are
// known; InputPlan parses a target's choice once (the path, the template's
// pieces) and renders it per matched event; select_path() is the JSON path
// subset EventBridge documents ($, .name, [n], [*], .*).
//
// Sources (cited where each rule is applied, in input.cc):
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
//   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
//   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
//   the events-2015-10-07 API model (botocore service-2.json) for lengths and patterns,
//   and LocalStack's tests recorded against AWS (tests/aws/services/events/
//   test_events_inputs.py and its .snapshot.json) for what AWS delivers and refuses.
//
// THREADING RULE: values and pure functions. An InputPlan is immutable once
// built and may be shared by any number of threads rendering at once.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace nimbus::buses {

struct InputTransformer {
  // InputPathsMap, in the request's order: placeholder name -> JSON path.
  std::vector<std::pair<std::string, std::string>> paths;
  std::string input_template;  // InputTemplate
};

// A target's Input, InputPath and InputTransformer as PutTargets gave them.
struct TargetInput {
  std::optional<std::string> input;
  std::optional<std::string> input_path;
  std::optional<InputTransformer> transformer;
};

// The predefined placeholders' values for one delivery. Views: the caller
// keeps the strings alive for the render call.
struct RuleContext {
  std::string_view rule_arn;        // <aws.events.rule-arn>
  std::string_view rule_name;       // <aws.events.rule-name>
  std::string_view ingestion_time;  // <aws.events.event.ingestion-time>, ISO 8601 ("2015-11-11T21:29:54Z")
};

// PutTargets' check of one target's input (the `index`th of its Targets,
// from 1). First the API model's constraints, all of them, as AWS's framework
// words them ("1 validation error detected: Value '...' at
// 'targets.1.member.inputPath' failed to satisfy constraint: ..."); then
// EventBridge's own rules, the first that fails ("Only one of Input,
// InputPath, or InputTransformer must be provided for target t1."). Errors
// are kInvalidArgument (ValidationException).
base::Status validate_target_input(const TargetInput& in, std::string_view target_id, size_t index = 1);

// The constraint messages alone, for a caller that gathers every target's
// into one "N validation errors detected: a; b" (aws::Validation::add).
std::vector<std::string> target_input_constraint_errors(const TargetInput& in, size_t index = 1);

// A JSON path in the subset EventBridge supports: "$", then any of .name
// (letters, digits, '-', '_', '/'), [n], [*], .* and, with bracket_names,
// ['name'] / ["name"] (API_Target allows bracket notation for InputPath;
// API_InputTransformer asks dot notation of InputPathsMap).
class JsonPath {
 public:
  static std::optional<JsonPath> parse(std::string_view text, bool bracket_names = false);
  // The value at the path; with a wildcard, an array of every match, in
  // document order. nullopt: nothing matched.
  std::optional<boost::json::value> select(const boost::json::value& doc) const;

  struct Step {
    enum Kind { kName, kIndex, kAll } kind = kName;
    std::string name;  // kName
    size_t index = 0;  // kIndex
  };
  const std::vector<Step>& steps() const { return steps_; }
  bool wildcard() const { return wildcard_; }

 private:
  std::vector<Step> steps_;
  bool wildcard_ = false;
};

// select_path("$.detail.items[0].sku", event): nullopt when the path is not
// one (see JsonPath) or matches nothing.
std::optional<boost::json::value> select_path(std::string_view path, const boost::json::value& doc);

// A target's input, parsed once (at PutTargets) and rendered per matched
// event. Building one never fails: what validate_target_input() would refuse
// renders as best it can and deterministically (a path that is not one
// matches nothing; a <name> neither in InputPathsMap nor predefined stays as
// written). With more than one of the three set, Input wins, then InputPath.
//
// Placeholders: in a JSON template (one opening with '{'), outside string
// literals a value goes in as JSON ("i-1" quoted; a path matching nothing
// as ""), inside a literal as its text (strings JSON-escaped, numbers and
// booleans as written); the result is minified. In a text template
// (anything else, a quoted string included) values go in as their text,
// unescaped, objects and arrays without their quotes; a path matching
// nothing leaves nothing. A wildcard path gives the array of its matches.
class InputPlan {
 public:
  explicit InputPlan(const TargetInput& in);

  // What the target receives for `event` (the event envelope). nullopt: AWS
  // delivers nothing, because InputPath matched nothing or a JSON template
  // did not come out as valid JSON (a JSON object or the predefined
  // <aws.events.event> inside a string literal, or a malformed template).
  std::optional<std::string> render(const boost::json::value& event, const RuleContext& rule) const;

  // The template, parsed: literal text and placeholders, each with where it
  // stands (plain text, inside a JSON string literal, elsewhere in JSON).
  struct Piece {
    enum Kind : unsigned char { kLiteral, kVar, kRuleArn, kRuleName, kIngestionTime, kEvent, kEventJson };
    enum Where : unsigned char { kText, kInString, kInJson };
    Kind kind = kLiteral;
    Where where = kText;
    size_t begin = 0, end = 0;  // kLiteral: its span of text_
    size_t var = 0;             // kVar: index into vars_
  };

 private:
  enum class Mode { kEvent, kConstant, kPath, kJsonTemplate, kTextTemplate } mode_ = Mode::kEvent;
  std::string text_;                   // kConstant: the Input; templates: the InputTemplate
  std::optional<JsonPath> path_;       // kPath (nullopt: not a path, matches nothing)
  std::vector<std::optional<JsonPath>> vars_;  // InputPathsMap's paths, by position
  std::vector<Piece> pieces_;
};

// One-off convenience: InputPlan(in).render(event, rule).
std::optional<std::string> render_target_input(const TargetInput& in, const boost::json::value& event,
                                               const RuleContext& rule);

// JSON text for a value as EventBridge writes it: minified, numbers in their
// shortest exact form (0.1, not boost::json's 1E-1), strings escaped only
// where JSON requires ('"', '\\', control characters).
void append_json(std::string& out, const boost::json::value& v);
std::string to_json(const boost::json::value& v);

}  // namespace nimbus::buses
