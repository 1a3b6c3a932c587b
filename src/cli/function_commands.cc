#include "cli/function_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>

#include "base/encoding.h"
#include "base/file.h"
#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

// Prints an AWS JSON error the way the AWS CLI does, and returns 1 (or 255 for transport).
int report_error(const base::Result<ApiResponse>& r) {
  if (!r) {
    std::cerr << r.error().message << "\n";
    return 255;
  }
  std::string type = r->headers.count("x-amzn-errortype") ? r->headers.at("x-amzn-errortype") : "Error";
  std::string message = r->body;
  boost::system::error_code ec;
  auto v = json::parse(r->body, ec);
  if (!ec && v.is_object()) {
    for (const char* k : {"message", "Message"})
      if (auto* m = v.as_object().if_contains(k); m && m->is_string()) message = std::string(m->as_string());
  }
  std::cerr << "An error occurred (" << type << "): " << message << "\n";
  return 1;
}

int list_functions() {
  auto target = ApiTarget::from_environment();
  std::string marker;
  for (;;) {
    std::string path = "/2015-03-31/functions/" + (marker.empty() ? "" : "?Marker=" + base::uri_encode(marker));
    auto r = call(target, "lambda", "GET", path);
    if (!r || r->status != 200) return report_error(r);
    auto v = json::parse(r->body).as_object();
    // The header once nimbus has answered: a failure prints its error alone.
    if (marker.empty()) std::printf("%-32s %-16s %8s %8s  %s\n", "NAME", "RUNTIME", "MEMORY", "TIMEOUT", "LAST MODIFIED");
    for (const auto& f : v["Functions"].as_array()) {
      const auto& o = f.as_object();
      std::printf("%-32s %-16s %8lld %8lld  %s\n", o.at("FunctionName").as_string().c_str(),
                  o.at("Runtime").as_string().c_str(), static_cast<long long>(o.at("MemorySize").as_int64()),
                  static_cast<long long>(o.at("Timeout").as_int64()), o.at("LastModified").as_string().c_str());
    }
    auto* next = v.if_contains("NextMarker");
    if (!next || !next->is_string()) return 0;
    marker = std::string(next->as_string());
  }
}

int invoke(const std::string& name, std::string payload, bool async, bool tail) {
  if (!payload.empty() && payload[0] == '@') {
    auto data = base::read_file(payload.substr(1));
    if (!data) {
      std::cerr << data.error().message << "\n";
      return 2;
    }
    payload = *data;
  }
  auto target = ApiTarget::from_environment();
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                             {"X-Amz-Invocation-Type", async ? "Event" : "RequestResponse"}};
  if (tail) headers["X-Amz-Log-Type"] = "Tail";
  auto r = call(target, "lambda", "POST", "/2015-03-31/functions/" + base::uri_encode(name) + "/invocations",
                payload.empty() ? "{}" : payload, headers);
  if (!r || (r->status != 200 && r->status != 202)) return report_error(r);
  if (async) {
    std::cout << "queued " << (r->headers.count("x-amzn-requestid") ? r->headers.at("x-amzn-requestid") : "") << "\n";
    return 0;
  }
  if (tail && r->headers.count("x-amz-log-result"))
    if (auto log = base::base64_decode(r->headers.at("x-amz-log-result"))) std::cerr << *log;
  std::cout << r->body << "\n";
  return r->headers.count("x-amz-function-error") ? 1 : 0;
}

}  // namespace

void add_function_commands(CLI::App& app, int* exit_code) {
  auto* functions = app.add_subcommand("functions", "Manage functions (through the Lambda API)");
  functions->require_subcommand(1);
  functions->add_subcommand("ls", "List functions")->callback([exit_code] { *exit_code = list_functions(); });

  auto* inv = app.add_subcommand("invoke", "Invoke a function and print its response");
  auto name = std::make_shared<std::string>();
  auto payload = std::make_shared<std::string>();
  auto async = std::make_shared<bool>(false);
  auto tail = std::make_shared<bool>(false);
  inv->add_option("name", *name, "Function name or ARN")->required();
  inv->add_option("--payload", *payload, "JSON event, or @file");
  inv->add_flag("--async", *async, "Queue the event (InvocationType=Event) instead of waiting");
  inv->add_flag("--logs", *tail, "Print the invocation's log (last 4 KB) to stderr");
  inv->callback([=] { *exit_code = invoke(*name, *payload, *async, *tail); });
  app.footer("Commands that talk to a running nimbus use --endpoint, else NIMBUS_ENDPOINT, else AWS_ENDPOINT_URL "
             "(default http://127.0.0.1:4566), and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default test / test).");
}

}  // namespace nimbus::cli
