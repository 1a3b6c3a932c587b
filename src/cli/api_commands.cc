#include "cli/api_commands.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "base/encoding.h"
#include "cli/api_client.h"

namespace nimbus::cli {

namespace json = boost::json;

namespace {

// Every item of a paged v2 listing (items / nextToken); on a failure it is
// reported, *exit_code set, and nullopt returned.
std::optional<json::array> all_items(const ApiTarget& target, const std::string& path, int* exit_code) {
  json::array out;
  std::string token;
  do {
    std::string page = path + (token.empty() ? "" : "?nextToken=" + base::uri_encode(token));
    auto r = call(target, "apigateway", "GET", page);
    if (!r || r->status != 200) {
      *exit_code = report_failure(r);
      return std::nullopt;
    }
    json::object o = json::parse(r->body).as_object();
    for (auto& item : o["items"].as_array()) out.push_back(std::move(item));
    token = o.contains("nextToken") ? std::string(o["nextToken"].as_string()) : "";
  } while (!token.empty());
  return out;
}

void print_row(const char* kind, std::string_view name, std::string_view id, std::string_view stage,
               std::string_view url) {
  std::printf("%-6s %-24.*s %-12.*s %-12.*s %.*s\n", kind, static_cast<int>(name.size()), name.data(),
              static_cast<int>(id.size()), id.data(), static_cast<int>(stage.size()), stage.data(),
              static_cast<int>(url.size()), url.data());
}

// Function URLs: a "url" row per URL (function, qualifier or "-", url id). 0, or the failure's exit code.
int list_function_urls(const ApiTarget& target) {
  std::string marker;
  do {
    auto r = call(target, "lambda", "GET",
                  "/2015-03-31/functions" + (marker.empty() ? "" : "?Marker=" + base::uri_encode(marker)));
    if (!r || r->status != 200) return report_failure(r);
    json::object page = json::parse(r->body).as_object();
    for (const auto& f : page["Functions"].as_array()) {
      std::string name(f.as_object().at("FunctionName").as_string());
      auto u = call(target, "lambda", "GET", "/2021-10-31/functions/" + base::uri_encode(name) + "/urls");
      if (!u || u->status != 200) return report_failure(u);
      json::value configs = json::parse(u->body);  // kept: the loop reads into it
      for (const auto& c : configs.as_object()["FunctionUrlConfigs"].as_array()) {
        std::string url(c.as_object().at("FunctionUrl").as_string()), arn(c.as_object().at("FunctionArn").as_string());
        std::string qualifier = arn.substr(arn.find(":function:") + 10);
        qualifier = qualifier.find(':') == std::string::npos ? "-" : qualifier.substr(qualifier.find(':') + 1);
        std::string id = url.substr(url.find("://") + 3, 32);
        print_row("url", name, id, qualifier, url);
      }
    }
    marker = page.contains("NextMarker") && page["NextMarker"].is_string() ? std::string(page["NextMarker"].as_string()) : "";
  } while (!marker.empty());
  return 0;
}

int list_apis() {
  ApiTarget target = ApiTarget::from_environment();
  int exit_code = 0;
  auto apis = all_items(target, "/v2/apis", &exit_code);
  if (!apis) return exit_code;
  print_row("KIND", "NAME", "ID", "STAGE", "INVOKE URL");
  for (const auto& a : *apis) {
    const auto& api = a.as_object();
    std::string id(api.at("apiId").as_string()), endpoint(api.at("apiEndpoint").as_string());
    auto stages = all_items(target, "/v2/apis/" + id + "/stages", &exit_code);
    if (!stages) return exit_code;
    if (stages->empty()) print_row("http", api.at("name").as_string(), id, "-", "(no stage: create one to serve it)");
    for (const auto& s : *stages) {
      std::string stage(s.as_object().at("stageName").as_string());
      print_row("http", api.at("name").as_string(), id, stage,
                endpoint + (stage == "$default" ? "/" : "/" + stage + "/"));
    }
  }
  return list_function_urls(target);
}

}  // namespace

void add_api_commands(CLI::App& app, int* exit_code) {
  auto* apis = app.add_subcommand("apis", "API Gateway APIs and their invoke URLs");
  apis->require_subcommand(1);
  apis->add_subcommand("ls", "List every API's invoke URL, one line per stage, and every function URL")->callback([exit_code] {
    *exit_code = list_apis();
  });
}

}  // namespace nimbus::cli
