#include "aws/rest_routes.h"

namespace nimbus::aws {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_capture(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

PathTemplate::PathTemplate(std::string_view pattern) : pattern_(pattern) {
  for (auto s : split_path(pattern)) segments_.emplace_back(s);
}

std::optional<std::map<std::string, std::string>> PathTemplate::match(std::string_view path) const {
  path = path.substr(0, path.find('?'));
  // "/2015-03-31/functions/" is "/2015-03-31/functions", as AWS routes it.
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  auto parts = split_path(path);
  std::map<std::string, std::string> params;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const std::string& seg = segments_[i];
    bool greedy = is_capture(seg) && seg[seg.size() - 2] == '+';
    if (greedy) {
      if (i >= parts.size()) return std::nullopt;
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) rest += (j > i ? "/" : "") + std::string(parts[j]);
      if (rest.empty()) return std::nullopt;
      params[seg.substr(1, seg.size() - 3)] = base::uri_decode(rest);
      return params;
    }
    if (i >= parts.size()) return std::nullopt;
    if (is_capture(seg)) {
      if (parts[i].empty()) return std::nullopt;
      params[seg.substr(1, seg.size() - 2)] = base::uri_decode(parts[i]);
    } else if (seg != parts[i]) {
      return std::nullopt;
    }
  }
  if (parts.size() != segments_.size()) return std::nullopt;
  return params;
}

}  // namespace nimbus::aws
