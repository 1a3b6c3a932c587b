#include "cli/queue_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "base/encoding.h"
#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

int list_queues() {
  auto r = call(ApiTarget::from_environment(), "nimbus", "GET", "/_nimbus/queues");
  if (!r || r->status != 200) return report_failure(r);
  json::value v = json::parse(r->body);
  std::printf("%-40s %9s %9s %9s  %-30s %s\n", "QUEUE", "VISIBLE", "IN-FLIGHT", "DELAYED", "DEAD-LETTER QUEUE",
              "DLQ OF");
  for (const auto& q : v.as_object().at("queues").as_array()) {
    const auto& o = q.as_object();
    std::string sources;
    for (const auto& s : o.at("dead_letter_sources").as_array())
      sources += (sources.empty() ? "" : ",") + std::string(s.as_string());
    std::printf("%-40s %9lld %9lld %9lld  %-30s %s\n", text_of(o, "name").c_str(), number_of(o, "visible"),
                number_of(o, "in_flight"), number_of(o, "delayed"), text_of(o, "dead_letter_queue").c_str(), sources.c_str());
  }
  return 0;
}

int peek(const std::string& name, int limit) {
  auto r = call(ApiTarget::from_environment(), "nimbus", "GET",
                "/_nimbus/queues/" + base::uri_encode(name) + "/messages?limit=" + std::to_string(limit));
  if (!r || r->status != 200) return report_failure(r);
  json::value v = json::parse(r->body);
  std::printf("%-38s %-10s %8s  %-24s %-12s %s\n", "ID", "STATE", "RECEIVES", "SENT", "GROUP", "BODY");
  for (const auto& m : v.as_object().at("messages").as_array()) {
    const auto& o = m.as_object();
    std::string body = text_of(o, "body");
    if (body.size() > 80) body = body.substr(0, 77) + "...";
    std::printf("%-38s %-10s %8lld  %-24s %-12s %s\n", text_of(o, "id").c_str(), text_of(o, "state").c_str(),
                number_of(o, "receive_count"), text_of(o, "sent").c_str(), text_of(o, "group").c_str(), body.c_str());
  }
  return 0;
}

int redrive(const std::string& name) {
  auto r = call(ApiTarget::from_environment(), "nimbus", "POST", "/_nimbus/queues/" + base::uri_encode(name) + "/redrive");
  if (!r || r->status != 200) return report_failure(r);
  json::value v = json::parse(r->body);
  std::cout << "moved " << v.as_object().at("redriven").as_int64() << " messages of " << name
            << " back to their source queues\n";
  return 0;
}

}  // namespace

void add_queue_commands(CLI::App& app, int* exit_code) {
  auto* queues = app.add_subcommand("queues", "SQS queues: counts, messages without receiving them, DLQ redrive");
  queues->require_subcommand(1);
  queues->add_subcommand("ls", "List queues: visible, in flight, delayed, dead-letter queues")
      ->callback([exit_code] { *exit_code = list_queues(); });
  auto name = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(10);
  auto* peek_cmd = queues->add_subcommand("peek", "Show a queue's messages without receiving them");
  peek_cmd->add_option("name", *name, "The queue")->required();
  peek_cmd->add_option("--limit", *limit, "Messages at most (1-1000)");
  peek_cmd->callback([exit_code, name, limit] { *exit_code = peek(*name, *limit); });
  auto* redrive_cmd = queues->add_subcommand("redrive", "Move a dead-letter queue's messages back to their queues");
  redrive_cmd->add_option("name", *name, "The dead-letter queue")->required();
  redrive_cmd->callback([exit_code, name] { *exit_code = redrive(*name); });
}

}  // namespace nimbus::cli
