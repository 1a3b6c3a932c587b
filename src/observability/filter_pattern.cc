#include "observability/filter_pattern.h"

namespace nimbus::observability {

base::Result<FilterPattern> FilterPattern::parse(std::string_view pattern) {
  FilterPattern p;
  size_t i = 0;
  auto invalid = [&](const std::string& why) {
    return base::make_error(base::ErrorCode::kInvalidArgument, "Invalid filter pattern: " + why);
  };
  while (i < pattern.size()) {
    if (pattern[i] == ' ' || pattern[i] == '\t') {
      ++i;
      continue;
    }
    if (pattern[i] == '{' || pattern[i] == '[')
      return invalid("JSON and space-delimited patterns are not supported; use terms and \"phrases\"");
    char kind = 0;
    if (pattern[i] == '?' || pattern[i] == '-') kind = pattern[i++];
    std::string term;
    if (i < pattern.size() && pattern[i] == '"') {
      size_t close = pattern.find('"', i + 1);
      if (close == std::string_view::npos) return invalid("unterminated quoted phrase");
      term = std::string(pattern.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      size_t end = pattern.find_first_of(" \t", i);
      if (end == std::string_view::npos) end = pattern.size();
      term = std::string(pattern.substr(i, end - i));
      i = end;
    }
    if (term.empty()) continue;
    (kind == '?' ? p.any_ : kind == '-' ? p.none_ : p.all_).push_back(std::move(term));
  }
  return p;
}

bool FilterPattern::matches(std::string_view message) const {
  for (const auto& t : all_)
    if (message.find(t) == std::string_view::npos) return false;
  for (const auto& t : none_)
    if (message.find(t) != std::string_view::npos) return false;
  if (any_.empty()) return true;
  for (const auto& t : any_)
    if (message.find(t) != std::string_view::npos) return true;
  return false;
}

}  // namespace nimbus::observability
