#include "cli/log_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>
#include <thread>

#include "base/time.h"
#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

struct LogsArgs {
  std::string name;
  bool follow = false;
  std::string since = "10m";
  std::string filter;
  std::string request_id;
};

base::Result<json::object> logs_call(const std::string& op, const json::object& in) {
  auto r = call(ApiTarget::from_environment(), "logs", "POST", "/", json::serialize(in),
                {{"X-Amz-Target", "Logs_20140328." + op}, {"Content-Type", "application/x-amz-json-1.1"}});
  if (!r) return r.error();
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  if (r->status != 200 || ec || !v.is_object()) {
    std::string message = r->body;
    if (!ec && v.is_object() && v.as_object().contains("message"))
      message = std::string(v.as_object().at("message").as_string());
    return base::make_error(r->status == 400 ? base::ErrorCode::kNotFound : base::ErrorCode::kIo, message);
  }
  return v.as_object();
}

// "10m", "2h", "30s", "1d", "1w" before now, in ms since the epoch.
// One call, or nullopt after saying on stderr why it failed.
std::optional<json::object> fetch(const std::string& op, const json::object& in) {
  auto page = logs_call(op, in);
  if (page) return std::move(*page);
  std::cerr << "nimbus logs: " << in.at("logGroupName").as_string().c_str() << ": " << page.error().message
            << (page.error().code == base::ErrorCode::kNotFound ? " (has the function run yet?)" : "") << "\n";
  return std::nullopt;
}

base::Result<int64_t> since_ms(const std::string& since) {
  static const std::map<char, int64_t> unit{{'s', 1000}, {'m', 60'000}, {'h', 3'600'000}, {'d', 86'400'000},
                                            {'w', 604'800'000}};
  if (since.size() >= 2 && unit.count(since.back())) {
    try {
      size_t used = 0;
      long long n = std::stoll(since.substr(0, since.size() - 1), &used);
      if (used == since.size() - 1 && n >= 0) return base::now_ms() - n * unit.at(since.back());
    } catch (const std::exception&) {
    }
  }
  return base::make_error(base::ErrorCode::kInvalidArgument, "--since wants a duration such as 30s, 10m, 2h or 1d");
}

void print_event(const json::object& e) {
  std::printf("%s %s\n", base::iso8601(e.at("timestamp").to_number<int64_t>()).c_str(),
              std::string(e.at("message").as_string()).c_str());
  std::fflush(stdout);
}

// Lambda marks each invocation with START / END / REPORT lines carrying its
// request id: find them, then read the instance's stream between them.
int print_invocation(const std::string& group, const std::string& request_id) {
  json::object in{{"logGroupName", group}, {"filterPattern", "\"RequestId: " + request_id + "\""}};
  std::string stream;
  int64_t from = -1, to = -1;
  for (;;) {
    auto page = fetch("FilterLogEvents", in);
    if (!page) return 1;
    for (const auto& ev : page->at("events").as_array()) {
      const auto& e = ev.as_object();
      std::string_view message = e.at("message").as_string();
      int64_t ts = e.at("timestamp").to_number<int64_t>();
      if (message.rfind("START RequestId: " + request_id, 0) == 0) {
        stream = std::string(e.at("logStreamName").as_string());
        from = ts;
      }
      if (message.rfind("REPORT RequestId: " + request_id, 0) == 0) to = ts;
    }
    if (!page->contains("nextToken")) break;
    in["nextToken"] = page->at("nextToken");
  }
  if (stream.empty()) {
    std::cerr << "no invocation " << request_id << " in " << group << "\n";
    return 1;
  }
  json::object get{{"logGroupName", group}, {"logStreamName", stream}, {"startTime", from}, {"startFromHead", true}};
  if (to >= 0) get["endTime"] = to + 1;
  bool printing = false;
  std::string last_token;
  for (;;) {
    auto page = fetch("GetLogEvents", get);
    if (!page) return 1;
    for (const auto& ev : page->at("events").as_array()) {
      const auto& e = ev.as_object();
      std::string_view message = e.at("message").as_string();
      if (message.rfind("START RequestId: " + request_id, 0) == 0) printing = true;
      if (printing) print_event(e);
      if (message.rfind("REPORT RequestId: " + request_id, 0) == 0) return 0;
    }
    std::string token(page->at("nextForwardToken").as_string());
    if (token == last_token || page->at("events").as_array().empty()) return 0;
    get["nextToken"] = token;
    last_token = token;
  }
}

int show_logs(const LogsArgs& args) {
  std::string group = args.name.rfind('/', 0) == 0 ? args.name : "/aws/lambda/" + args.name;
  if (!args.request_id.empty()) {
    if (args.follow) {
      std::cerr << "--request-id shows one invocation: it cannot be combined with --follow\n";
      return 2;
    }
    return print_invocation(group, args.request_id);
  }
  auto start = since_ms(args.since);
  if (!start) {
    std::cerr << start.error().message << "\n";
    return 2;
  }
  json::object in{{"logGroupName", group}, {"startTime", *start}, {"interleaved", true}};
  if (!args.filter.empty()) in["filterPattern"] = args.filter;
  // Following: poll from the newest timestamp seen, skipping events already
  // printed at that timestamp (as `aws logs tail --follow` does).
  int64_t newest = *start;
  std::set<std::string> seen_at_newest;
  for (;;) {
    auto page = fetch("FilterLogEvents", in);
    if (!page) return 1;
    for (const auto& ev : page->at("events").as_array()) {
      const auto& e = ev.as_object();
      int64_t ts = e.at("timestamp").to_number<int64_t>();
      std::string id(e.at("eventId").as_string());
      if (ts == newest && seen_at_newest.count(id)) continue;
      if (ts > newest) {
        newest = ts;
        seen_at_newest.clear();
      }
      seen_at_newest.insert(id);
      print_event(e);
    }
    if (page->contains("nextToken")) {
      in["nextToken"] = page->at("nextToken");
      continue;
    }
    if (!args.follow) return 0;
    in.erase("nextToken");
    in["startTime"] = newest;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace

void add_log_commands(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<LogsArgs>();
  auto* logs = app.add_subcommand("logs", "Show a function's log (its log group /aws/lambda/NAME)");
  logs->add_option("name", args->name, "Function name, or a log group name starting with /")->required();
  logs->add_flag("-f,--follow", args->follow, "Keep printing new lines as they arrive");
  logs->add_option("--since", args->since, "How far back to start: 30s, 10m, 2h, 1d, 1w")->capture_default_str();
  logs->add_option("--filter", args->filter, "Only lines matching: terms, \"a phrase\", ?either ?or, -not");
  logs->add_option("--request-id", args->request_id, "Only one invocation: its START to REPORT lines");
  logs->callback([args, exit_code] { *exit_code = show_logs(*args); });
}

}  // namespace nimbus::cli
