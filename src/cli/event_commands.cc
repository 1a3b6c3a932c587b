#include "cli/event_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

// A function error is kept as Lambda's JSON; "Type: message" reads better in a table.
std::string readable_error(std::string_view stored) {
  boost::system::error_code ec;
  json::value v = json::parse(stored, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.as_object();
    const auto* type = o.if_contains("errorType");
    const auto* message = o.if_contains("errorMessage");
    if (type && type->is_string() && message && message->is_string())
      return std::string(type->as_string()) + ": " + std::string(message->as_string());
  }
  return std::string(stored);
}

int list_events() {
  auto r = call(ApiTarget::from_environment(), "nimbus", "GET", "/_nimbus/events");
  if (!r || r->status != 200) return report_failure(r);
  json::value v = json::parse(r->body);
  const auto& o = v.as_object();
  if (auto* outbox = o.if_contains("outbox")) std::printf("outbox (not yet queued): %lld\n", static_cast<long long>(outbox->as_int64()));
  std::printf("%-38s %-24s %-9s %8s  %-24s %s\n", "ID", "FUNCTION", "STATE", "ATTEMPTS", "CREATED", "LAST ERROR");
  for (const auto& e : o.at("events").as_array()) {
    const auto& ev = e.as_object();
    std::string err = readable_error(ev.at("last_error").as_string());
    if (err.size() > 80) err = err.substr(0, 77) + "...";
    std::printf("%-38s %-24s %-9s %8lld  %-24s %s\n", ev.at("id").as_string().c_str(),
                ev.at("function").as_string().c_str(), ev.at("state").as_string().c_str(),
                static_cast<long long>(ev.at("attempts").as_int64()), ev.at("created").as_string().c_str(), err.c_str());
  }
  return 0;
}

int redrive() {
  auto r = call(ApiTarget::from_environment(), "nimbus", "POST", "/_nimbus/events/redrive");
  if (!r || r->status != 200) return report_failure(r);
  json::value v = json::parse(r->body);
  std::cout << "redriven " << v.as_object().at("redriven").as_int64() << " dead letters\n";
  return 0;
}

}  // namespace

void add_event_commands(CLI::App& app, int* exit_code) {
  auto* events = app.add_subcommand("events", "The durable event queue: async invocations and bucket notifications");
  events->require_subcommand(1);
  events->add_subcommand("ls", "List pending, in-flight and dead events")->callback([exit_code] { *exit_code = list_events(); });
  events->add_subcommand("redrive", "Queue every dead letter again")->callback([exit_code] { *exit_code = redrive(); });
}

}  // namespace nimbus::cli
