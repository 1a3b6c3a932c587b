#include "cli/schedule_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>

#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

int list_schedules() {
  auto r = call(ApiTarget::from_environment(), "nimbus", "GET", "/_nimbus/schedules");
  if (!r || r->status != 200) return report_failure(r);
  json::value v = json::parse(r->body);
  std::printf("%-8s %-60s %-40s %s\n", "KIND", "NAME", "EXPRESSION", "NEXT FIRES (UTC)");
  for (const auto& s : v.as_object().at("schedules").as_array()) {
    const auto& o = s.as_object();
    std::string next;
    for (const auto& t : o.at("next").as_array()) next += (next.empty() ? "" : "  ") + std::string(t.as_string());
    std::printf("%-8s %-60s %-40s %s\n", text_of(o, "kind").c_str(), text_of(o, "arn").c_str(),
                text_of(o, "expression").c_str(), next.c_str());
  }
  return 0;
}

}  // namespace

void add_schedule_commands(CLI::App& app, int* exit_code) {
  auto* schedules =
      app.add_subcommand("schedules", "Scheduled rules and EventBridge Scheduler schedules, with their next fire times");
  schedules->require_subcommand(1);
  schedules->add_subcommand("ls", "List every schedule with its next three fire times")
      ->callback([exit_code] { *exit_code = list_schedules(); });
}

}  // namespace nimbus::cli
