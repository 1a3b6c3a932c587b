// CloudWatch Logs filter patterns over unstructured log lines: terms that
// must all appear (`ERROR timeout`), "quoted phrases", terms of which any
// one must appear (`?ERROR ?WARN`) and terms that must not (`-DEBUG`). An
// empty pattern matches everything. Matching is case-sensitive, as in
// CloudWatch. JSON and space-delimited patterns are refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace nimbus::observability {

class FilterPattern {
 public:
  static base::Result<FilterPattern> parse(std::string_view pattern);
  bool matches(std::string_view message) const;

 private:
  std::vector<std::string> all_, any_, none_;
};

}  // namespace nimbus::observability
