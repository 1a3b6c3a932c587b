#include "cli/trace_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>

#include "base/encoding.h"
#include "base/time.h"
#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

base::Result<json::object> admin_get(const std::string& path) {
  auto r = call(ApiTarget::from_environment(), "nimbus", "GET", path);
  if (!r) return r.error();
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  if (ec || !v.is_object()) return base::make_error(base::ErrorCode::kIo, "nimbus answered " + std::to_string(r->status));
  if (r->status != 200) {
    const auto* m = v.as_object().if_contains("message");
    return base::make_error(r->status == 404 ? base::ErrorCode::kNotFound : base::ErrorCode::kIo,
                            m && m->is_string() ? std::string(m->as_string()) : r->body);
  }
  return v.as_object();
}

int64_t num(const json::object& o, const char* key) { return o.at(key).to_number<int64_t>(); }

int list_traces() {
  auto r = admin_get("/_nimbus/traces");
  if (!r) {
    std::cerr << r.error().message << "\n";
    return 1;
  }
  std::printf("%-37s %-24s %10s %5s  %s\n", "TRACE", "STARTED", "DURATION", "SPANS", "FIRST");
  for (const auto& t : r->at("traces").as_array()) {
    const auto& o = t.as_object();
    std::printf("%-37s %-24s %7.1f ms %5lld  %s\n", std::string(o.at("trace_id").as_string()).c_str(),
                base::iso8601(num(o, "start_us") / 1000).c_str(), (num(o, "end_us") - num(o, "start_us")) / 1000.0,
                static_cast<long long>(num(o, "spans")), std::string(o.at("first").as_string()).c_str());
  }
  return 0;
}

int show_trace(const std::string& id) {
  auto r = admin_get("/_nimbus/traces/" + base::uri_encode(id, false));
  if (!r) {
    std::cerr << r.error().message << "\n";
    return 1;
  }
  const auto& spans = r->at("spans").as_array();
  std::map<std::string, const json::object*> by_id;
  int64_t start = INT64_MAX, end = 0;
  for (const auto& s : spans) {
    const auto& o = s.as_object();
    by_id[std::string(o.at("span_id").as_string())] = &o;
    start = std::min(start, num(o, "start_us"));
    end = std::max(end, num(o, "start_us") + num(o, "duration_us"));
  }
  // Children under their parent, each level in start order (spans come sorted by start).
  std::map<std::string, std::vector<const json::object*>> children;
  std::vector<const json::object*> roots;
  for (const auto& s : spans) {
    const auto& o = s.as_object();
    std::string parent(o.at("parent_id").as_string());
    if (by_id.count(parent)) children[parent].push_back(&o);
    else roots.push_back(&o);
  }
  std::printf("trace %s  %zu spans, %.1f ms, from %s\n", std::string(r->at("trace_id").as_string()).c_str(),
              spans.size(), (end - start) / 1000.0, base::iso8601(start / 1000).c_str());
  std::function<void(const json::object&, int)> print = [&](const json::object& o, int depth) {
    std::string what = std::string(depth * 2, ' ') + std::string(o.at("service").as_string()) + " " +
                       std::string(o.at("operation").as_string()) + " " + std::string(o.at("resource").as_string());
    std::printf("%9.1f ms  %-60s %9.2f ms  %s%s\n", (num(o, "start_us") - start) / 1000.0, what.c_str(),
                num(o, "duration_us") / 1000.0, std::string(o.at("status").as_string()).c_str(),
                o.at("cold_start").as_bool() ? "  cold start" : "");
    for (const auto* c : children[std::string(o.at("span_id").as_string())]) print(*c, depth + 1);
  };
  for (const auto* root : roots) print(*root, 0);
  return 0;
}

}  // namespace

void add_trace_commands(CLI::App& app, int* exit_code) {
  auto id = std::make_shared<std::string>();
  auto* trace = app.add_subcommand("trace", "Recent traces, or one trace's spans as a timeline");
  trace->add_option("id", *id, "A trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx, or an X-Amzn-Trace-Id value)");
  trace->callback([id, exit_code] { *exit_code = id->empty() ? list_traces() : show_trace(*id); });
}

}  // namespace nimbus::cli
