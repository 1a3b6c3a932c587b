// Rest-json routing: a table of (method, path template, operation) rows.
// Templates name path segments to capture: "/2015-03-31/functions/{FunctionName}/invocations";
// a trailing "{Key+}" captures the rest of the path. Captures are URL-decoded.
//
// Usage:
//   RouteTable<Handler> routes;
//   routes.add("POST", "/2015-03-31/functions/{FunctionName}/invocations", "Invoke", &invoke);
//   auto m = routes.match(req.method, path);
//   if (!m) ... m.status() says 404 (no path) or 405 (path, not method)
//   call.operation = m->operation; m->param("FunctionName"); m->handler
//
// THREADING RULE: build once, then match from any thread (const).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/encoding.h"

namespace nimbus::aws {

// A template split into segments; matching is pure and separate from the
// handler type so it is tested once.
class PathTemplate {
 public:
  explicit PathTemplate(std::string_view pattern);
  // Captures when `path` (no query) fits, URL-decoded.
  std::optional<std::map<std::string, std::string>> match(std::string_view path) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::vector<std::string> segments_;  // "{Name}", "{Name+}" or literal
};

template <typename H>
class RouteTable {
 public:
  struct Match {
    std::string_view operation;
    const H* handler = nullptr;
    std::map<std::string, std::string> params;
    std::string param(const std::string& name) const {
      auto it = params.find(name);
      return it == params.end() ? std::string() : it->second;
    }
  };
  enum class Miss { kNoPath, kNoMethod };  // 404 / 405 as the service renders them

  void add(std::string method, std::string_view pattern, std::string operation, H handler) {
    rows_.push_back(Row{std::move(method), PathTemplate(pattern), std::move(operation), std::move(handler)});
  }
  // First row in table order that matches both; Miss otherwise.
  std::optional<Match> match(std::string_view method, std::string_view path, Miss* miss = nullptr) const {
    bool path_seen = false;
    for (const auto& r : rows_) {
      auto params = r.path.match(path);
      if (!params) continue;
      path_seen = true;
      if (r.method != method) continue;
      return Match{r.operation, &r.handler, std::move(*params)};
    }
    if (miss) *miss = path_seen ? Miss::kNoMethod : Miss::kNoPath;
    return std::nullopt;
  }
  size_t size() const { return rows_.size(); }

 private:
  struct Row {
    std::string method;
    PathTemplate path;
    std::string operation;
    H handler;
  };
  std::vector<Row> rows_;
};

}  // namespace nimbus::aws
