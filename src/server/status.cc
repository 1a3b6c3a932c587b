#include "server/status.h"

#include <boost/json.hpp>

#include "base/time.h"
#include "functions/async_queue.h"
#include "functions/registry.h"

namespace nimbus::server {

namespace json = boost::json;

void StatusBoard::record(const functions::InvocationRecord& r) {
  using Outcome = functions::InvocationRecord::Outcome;
  if (r.outcome == Outcome::kSuccess) return;
  LastError e{base::now_ms(), "", "", std::string(r.request_id)};
  if (r.outcome == Outcome::kThrottled) {
    e.type = "TooManyRequestsException";
    e.message = "throttled: over its concurrency limit";
  } else {
    boost::system::error_code ec;
    json::value v = json::parse(r.error, ec);
    if (!ec && v.is_object()) {
      const auto& o = v.as_object();
      if (auto* t = o.if_contains("errorType"); t && t->is_string()) e.type = std::string(t->as_string());
      if (auto* m = o.if_contains("errorMessage"); m && m->is_string()) e.message = std::string(m->as_string());
    }
    if (e.type.empty()) e.type = r.outcome == Outcome::kTimeout ? "Timeout" : "Unhandled";
    if (e.message.empty()) e.message = std::string(r.error.substr(0, 300));
  }
  std::lock_guard lock(mu_);
  last_errors_[std::string(r.function)] = std::move(e);
}

json::object StatusBoard::snapshot(functions::Registry& registry, functions::Invoker& invoker,
                                   functions::AsyncQueue& queue) {
  std::map<std::string, json::object> functions;
  for (const auto& f : registry.list())
    functions[f.name] = json::object{{"name", f.name}, {"runtime", f.runtime}, {"memory_mb", f.memory_mb},
                                     {"starting", 0}, {"idle", 0}, {"busy", 0},
                                     {"pending", 0}, {"in_flight", 0}, {"dead", 0}};
  for (const auto& l : invoker.load()) {
    auto it = functions.find(l.function);
    if (it == functions.end()) continue;
    it->second["starting"] = l.starting;
    it->second["idle"] = l.idle;
    it->second["busy"] = l.busy;
  }
  for (const auto& s : queue.stats()) {
    auto it = functions.find(s.function);
    if (it == functions.end()) continue;
    it->second["pending"] = s.pending;
    it->second["in_flight"] = s.in_flight;
    it->second["dead"] = s.dead;
  }
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, e] : last_errors_) {
      auto it = functions.find(name);
      if (it == functions.end()) continue;
      it->second["last_error"] = json::object{{"time", base::iso8601(e.at_ms)}, {"type", e.type},
                                              {"message", e.message}, {"request_id", e.request_id}};
    }
  }
  json::array list;
  for (auto& [name, f] : functions) list.push_back(std::move(f));
  json::array layers, missing;
  for (const auto& l : functions::isolation_layers()) layers.push_back(json::string(l));
  for (const auto& l : functions::isolation_missing()) missing.push_back(json::string(l));
  int64_t now = base::now_ms();
  return json::object{{"version", "0.1.0"},
                      {"started", base::iso8601(started_ms_)},
                      {"uptime_s", (now - started_ms_) / 1000},
                      {"isolation", json::object{{"active", layers}, {"not_active", missing}}},
                      {"functions", std::move(list)}};
}

}  // namespace nimbus::server
