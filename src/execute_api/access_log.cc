#include "execute_api/access_log.h"

#include <cmath>
#include <functional>
#include <string>
#include <unordered_map>

#include "execute_api/proxy_event.h"

namespace nimbus::execute_api {

namespace {

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }
std::string status_text(int s) { return s ? std::to_string(s) : "-"; }
std::string ms_text(double ms) { return ms < 0 ? "-" : std::to_string(std::llround(ms)); }

using Getter = std::function<std::string(const RequestFacts&)>;

// The $context variables of HTTP APIs' access logs that nimbus knows a
// value for (docs/apigateway.md lists them); every other one is "-".
const std::unordered_map<std::string_view, Getter>& variables() {
  static const std::unordered_map<std::string_view, Getter> v = {
      {"accountId", [](const RequestFacts& f) { return or_dash(f.account_id); }},
      {"apiId", [](const RequestFacts& f) { return or_dash(f.api_id); }},
      {"domainName", [](const RequestFacts& f) { return or_dash(f.domain_name); }},
      {"domainPrefix", [](const RequestFacts& f) { return or_dash(f.domain_prefix); }},
      {"error.message", [](const RequestFacts& f) { return or_dash(f.error_message); }},
      {"error.messageString",
       [](const RequestFacts& f) { return f.error_message.empty() ? "-" : "\"" + f.error_message + "\""; }},
      {"extendedRequestId", [](const RequestFacts& f) { return or_dash(f.request_id); }},
      {"httpMethod", [](const RequestFacts& f) { return or_dash(f.method); }},
      {"identity.sourceIp", [](const RequestFacts& f) { return or_dash(f.source_ip); }},
      {"identity.userAgent", [](const RequestFacts& f) { return or_dash(f.user_agent); }},
      {"integration.error", [](const RequestFacts& f) { return or_dash(f.integration_error); }},
      {"integration.integrationStatus", [](const RequestFacts& f) { return status_text(f.integration_status); }},
      {"integration.latency", [](const RequestFacts& f) { return ms_text(f.integration_latency_ms); }},
      {"integration.status", [](const RequestFacts& f) { return status_text(f.function_status); }},
      {"integrationErrorMessage", [](const RequestFacts& f) { return or_dash(f.integration_error); }},
      {"integrationLatency", [](const RequestFacts& f) { return ms_text(f.integration_latency_ms); }},
      {"integrationStatus", [](const RequestFacts& f) { return status_text(f.integration_status); }},
      {"path", [](const RequestFacts& f) { return or_dash(f.path); }},
      {"protocol", [](const RequestFacts& f) { return or_dash(f.protocol); }},
      {"requestId", [](const RequestFacts& f) { return or_dash(f.request_id); }},
      {"requestTime", [](const RequestFacts& f) { return clf_time(f.request_time_ms); }},
      {"requestTimeEpoch", [](const RequestFacts& f) { return std::to_string(f.request_time_ms); }},
      {"responseLatency", [](const RequestFacts& f) { return ms_text(f.response_latency_ms); }},
      {"responseLength", [](const RequestFacts& f) { return std::to_string(f.response_length); }},
      {"routeKey", [](const RequestFacts& f) { return or_dash(f.route_key); }},
      {"stage", [](const RequestFacts& f) { return or_dash(f.stage); }},
      {"status", [](const RequestFacts& f) { return status_text(f.status); }},
      {"dataProcessed", [](const RequestFacts& f) { return std::to_string(f.response_length); }},
  };
  return v;
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

}  // namespace

std::string render_access_log(std::string_view format, const RequestFacts& facts) {
  static constexpr std::string_view kPrefix = "$context.";
  std::string out;
  out.reserve(format.size() + 64);
  size_t i = 0;
  while (i < format.size()) {
    size_t at = format.find(kPrefix, i);
    if (at == std::string_view::npos) {
      out.append(format.substr(i));
      break;
    }
    out.append(format.substr(i, at - i));
    size_t begin = at + kPrefix.size(), end = begin;
    while (end < format.size() && name_char(format[end])) ++end;
    // A sentence's full stop or a hyphen after the name is not part of it.
    while (end > begin && (format[end - 1] == '.' || format[end - 1] == '-')) --end;
    std::string_view name = format.substr(begin, end - begin);
    if (name.empty()) {
      out.append(kPrefix);
    } else {
      auto it = variables().find(name);
      out += it == variables().end() ? std::string("-") : it->second(facts);
    }
    i = end;
  }
  return out;
}

std::optional<std::string> log_group_of_arn(std::string_view arn) {
  // arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]
  static constexpr std::string_view kStart = "arn:aws:logs:";
  if (!arn.starts_with(kStart)) return std::nullopt;
  std::string_view rest = arn.substr(kStart.size());
  for (int field = 0; field < 2; ++field) {  // region, account
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
  static constexpr std::string_view kGroup = "log-group:";
  if (!rest.starts_with(kGroup)) return std::nullopt;
  rest.remove_prefix(kGroup.size());
  if (rest.ends_with(":*")) rest.remove_suffix(2);
  if (rest.empty() || rest.size() > 512) return std::nullopt;
  for (char c : rest)
    if (!(name_char(c) || c == '/' || c == '#')) return std::nullopt;
  return std::string(rest);
}

std::string access_log_stream(const RequestFacts& facts) { return facts.api_id + "_" + facts.stage; }

}  // namespace nimbus::execute_api
