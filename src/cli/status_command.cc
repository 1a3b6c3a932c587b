#include "cli/status_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

std::string joined(const json::value& list) {
  std::string out;
  for (const auto& v : list.as_array()) out += (out.empty() ? "" : ", ") + std::string(v.as_string());
  return out;
}

int show_status() {
  auto r = call(ApiTarget::from_environment(), "nimbus", "GET", "/_nimbus/status");
  if (!r || r->status != 200) {
    std::cerr << (r ? "nimbus answered " + std::to_string(r->status) + ": " + r->body : r.error().message) << "\n";
    return r ? 1 : 255;
  }
  json::object s = json::parse(r->body).as_object();
  long long up = number_of(s, "uptime_s");
  std::printf("nimbus %s, up %lldd %02lldh %02lldm %02llds (since %s)\n", text_of(s, "version").c_str(), up / 86400,
              up / 3600 % 24, up / 60 % 60, up % 60, text_of(s, "started").c_str());
  const auto& iso = s.at("isolation").as_object();
  std::printf("isolation: %s\n  not active: %s\n", joined(iso.at("active")).c_str(),
              joined(iso.at("not_active")).c_str());
  if (auto* st = s.if_contains("storage"); st && st->is_object()) {
    const auto& o = st->as_object();
    auto gib = [&](const char* k) { return static_cast<double>(number_of(o, k)) / (1 << 30); };
    std::printf("storage: %.2f GiB free of %.2f GiB (uploads refused below %.0f MiB)\n", gib("free_bytes"),
                gib("total_bytes"), gib("reserve_bytes") * 1024);
  }
  const auto& functions = s.at("functions").as_array();
  if (functions.empty()) {
    std::printf("no functions\n");
    return 0;
  }
  std::printf("\n%-24s %-16s %5s %5s %5s %8s %9s %5s  %s\n", "FUNCTION", "RUNTIME", "START", "IDLE", "BUSY",
              "PENDING", "IN-FLIGHT", "DEAD", "LAST ERROR");
  for (const auto& f : functions) {
    const auto& o = f.as_object();
    std::string last;
    if (auto* e = o.if_contains("last_error")) {
      const auto& eo = e->as_object();
      last = text_of(eo, "time") + " " + text_of(eo, "type") + ": " + text_of(eo, "message");
      if (last.size() > 100) last = last.substr(0, 97) + "...";
    }
    std::printf("%-24s %-16s %5lld %5lld %5lld %8lld %9lld %5lld  %s\n", text_of(o, "name").c_str(),
                text_of(o, "runtime").c_str(), number_of(o, "starting"), number_of(o, "idle"), number_of(o, "busy"),
                number_of(o, "pending"), number_of(o, "in_flight"), number_of(o, "dead"), last.c_str());
  }
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, int* exit_code) {
  app.add_subcommand("status", "Uptime, isolation, and per function: instances, queued events, last error")
      ->callback([exit_code] { *exit_code = show_status(); });
}

}  // namespace nimbus::cli
