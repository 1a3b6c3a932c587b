#include "gateway/http_routes.h"

#include <algorithm>

#include "base/encoding.h"

namespace nimbus::gateway {

namespace {

constexpr std::string_view kMethods[] = {"ANY", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};

base::Error bad_key(std::string_view key, std::string_view why) {
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "Unable to create route with route key '" + std::string(key) + "': " + std::string(why));
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

base::Result<RouteKey> parse_route_key(std::string_view key) {
  RouteKey k;
  if (key == "$default") {
    k.is_default = true;
    return k;
  }
  size_t space = key.find(' ');
  if (space == std::string_view::npos) return bad_key(key, "a route key is $default or 'METHOD /path'");
  k.method = std::string(key.substr(0, space));
  if (std::find(std::begin(kMethods), std::end(kMethods), k.method) == std::end(kMethods))
    return bad_key(key, "unknown HTTP method " + k.method);
  k.path = std::string(key.substr(space + 1));
  if (k.path.empty() || k.path[0] != '/') return bad_key(key, "the path must start with '/'");
  auto parts = split_path(k.path);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.empty()) {
      if (i + 1 == parts.size()) break;  // "/pets/" : a trailing slash
      return bad_key(key, "empty path segment");
    }
    RouteKey::Segment seg;
    if (p.front() == '{') {
      if (p.back() != '}' || p.size() < 3) return bad_key(key, "a path parameter is written {name}");
      std::string_view name = p.substr(1, p.size() - 2);
      if (name.back() == '+') {
        if (i + 1 != parts.size()) return bad_key(key, "a greedy path parameter {name+} must be the last segment");
        name.remove_suffix(1);
        seg.kind = RouteKey::Segment::kGreedy;
      } else {
        seg.kind = RouteKey::Segment::kParam;
      }
      if (name.empty() || name.find_first_of("{}/+") != std::string_view::npos)
        return bad_key(key, "invalid path parameter name");
      seg.text = std::string(name);
    } else {
      if (p.find_first_of("{}") != std::string_view::npos)
        return bad_key(key, "a path parameter must be a whole segment");
      seg.text = std::string(p);
    }
    k.segments.push_back(std::move(seg));
  }
  return k;
}

void RouteTable::add(std::string route_id, std::string route_key, RouteKey parsed) {
  routes_.push_back(Row{std::move(route_id), std::move(route_key), std::move(parsed)});
}

std::optional<RouteMatch> RouteTable::select(std::string_view method, std::string_view path) const {
  auto raw = split_path(path);
  // A trailing slash is its own empty segment only for a path of more than "/".
  std::vector<std::string> parts;
  for (auto p : raw) parts.push_back(base::uri_decode(p));

  const Row* best = nullptr;
  const Row* fallback = nullptr;
  std::vector<int> best_rank;
  std::map<std::string, std::string> best_params;
  for (const auto& row : routes_) {
    const RouteKey& k = row.parsed;
    if (k.is_default) {
      fallback = &row;
      continue;
    }
    if (k.method != "ANY" && k.method != method) continue;
    std::vector<int> rank;
    std::map<std::string, std::string> params;
    bool fits = true;
    size_t i = 0;
    for (; i < k.segments.size() && fits; ++i) {
      const auto& seg = k.segments[i];
      if (seg.kind == RouteKey::Segment::kGreedy) {
        if (i >= parts.size()) {
          fits = false;
          break;
        }
        std::string rest;
        for (size_t j = i; j < raw.size(); ++j) rest += (j == i ? "" : "/") + base::uri_decode(raw[j]);
        params[seg.text] = rest;
        rank.push_back(2);
        i = parts.size();
        break;
      }
      if (i >= parts.size()) {
        fits = false;
        break;
      }
      if (seg.kind == RouteKey::Segment::kLiteral) {
        fits = seg.text == parts[i];
        rank.push_back(0);
      } else {
        fits = !parts[i].empty();
        params[seg.text] = parts[i];
        rank.push_back(1);
      }
    }
    if (!fits || i != parts.size()) continue;
    // At equal paths, a named method beats ANY.
    rank.push_back(k.method == "ANY" ? 1 : 0);
    if (!best || rank < best_rank) {
      best = &row;
      best_rank = std::move(rank);
      best_params = std::move(params);
    }
  }
  if (best) return RouteMatch{best->id, best->key, std::move(best_params)};
  if (fallback) return RouteMatch{fallback->id, fallback->key, {}};
  return std::nullopt;
}

}  // namespace nimbus::gateway
