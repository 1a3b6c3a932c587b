// EventBridge targets' input (buses::validate_target_input, buses::InputPlan):
// the input's first line is an InputPath, the rest an InputTransformer whose
// InputPathsMap is read from "name=path" lines up to a blank line and whose
// template is what follows. Each is validated, and rendered against an event
// whether valid or not (a plan never fails): no crash, no hang, and a JSON
// template renders as valid JSON or as nothing.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>

#include "buses/input.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const boost::json::value kEvent = boost::json::parse(
      R"({"version":"0","id":"1","detail-type":"d","source":"s","account":"0","time":"2026-01-01T00:00:00Z",)"
      R"("region":"us-east-1","resources":["r"],"detail":{"a":{"b":[1,"x",{"c":null}]},"s":"q\"uote","n":0.1}})");
  buses::RuleContext context{"arn:aws:events:us-east-1:000000000000:rule/r", "r", "2026-01-01T00:00:00Z"};

  size_t eol = text.find('\n');
  buses::TargetInput by_path;
  by_path.input_path = std::string(text.substr(0, eol));
  (void)buses::validate_target_input(by_path, "t");
  (void)buses::InputPlan(by_path).render(kEvent, context);

  buses::TargetInput by_template;
  buses::InputTransformer tr;
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty()) break;
    size_t eq = line.find('=');
    tr.paths.emplace_back(std::string(line.substr(0, eq)),
                          eq == std::string_view::npos ? std::string() : std::string(line.substr(eq + 1)));
  }
  tr.input_template = std::string(rest);
  by_template.transformer = std::move(tr);
  bool valid = buses::validate_target_input(by_template, "t").ok();
  auto out = buses::InputPlan(by_template).render(kEvent, context);
  size_t lead = by_template.transformer->input_template.find_first_not_of(" \t\r\n");
  bool json_template = lead != std::string::npos && by_template.transformer->input_template[lead] == '{';
  if (valid && json_template && out) {
    boost::system::error_code ec;
    (void)boost::json::parse(*out, ec);
    if (ec) __builtin_trap();  // a JSON template delivers JSON or nothing
  }
  return 0;
}
