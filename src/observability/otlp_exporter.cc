#include "observability/otlp_exporter.h"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>

namespace nimbus::observability {

namespace json = boost::json;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

json::object attribute(const char* key, json::value value) {
  json::object v;
  if (value.is_bool()) v["boolValue"] = value;
  else if (value.is_int64()) v["intValue"] = std::to_string(value.as_int64());
  else v["stringValue"] = value;
  return json::object{{"key", key}, {"value", std::move(v)}};
}

std::string hex_trace_id(const std::string& root) {  // "1-5759e988-bd86..." -> 32 hex
  if (root.size() != 35) return std::string(32, '0');
  return root.substr(2, 8) + root.substr(11);
}

}  // namespace

struct OtlpExporter::Impl {
  std::string host, port, target;
  boost::asio::io_context io;
  std::chrono::steady_clock::time_point last_warning{};
};

OtlpExporter::OtlpExporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OtlpExporter::~OtlpExporter() = default;

base::Result<std::unique_ptr<OtlpExporter>> OtlpExporter::create(const std::string& endpoint) {
  auto url = boost::urls::parse_absolute_uri(endpoint);
  if (!url || url->scheme() != "http" || url->host().empty())
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "--otlp-endpoint wants http://host:port (OTLP/HTTP; https is not supported): " + endpoint);
  auto impl = std::make_unique<Impl>();
  impl->host = std::string(url->host());
  impl->port = url->has_port() ? std::string(url->port()) : "80";
  std::string path(url->path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  impl->target = path.size() >= 10 && path.compare(path.size() - 10, 10, "/v1/traces") == 0 ? path : path + "/v1/traces";
  return std::unique_ptr<OtlpExporter>(new OtlpExporter(std::move(impl)));
}

std::string OtlpExporter::to_json(const std::vector<Span>& spans) {
  json::array out;
  for (const auto& s : spans) {
    json::array attributes{attribute("nimbus.service", json::string(s.service)),
                           attribute("nimbus.resource", json::string(s.resource)),
                           attribute("nimbus.status", json::string(s.status)),
                           attribute("rpc.system", json::string(s.service == "s3" ? "aws-api" : "aws-lambda"))};
    if (s.service == "lambda") {
      attributes.push_back(attribute("faas.name", json::string(s.resource)));
      attributes.push_back(attribute("faas.coldstart", json::value(s.cold_start)));
      if (!s.request_id.empty()) attributes.push_back(attribute("faas.invocation_id", json::string(s.request_id)));
    } else if (!s.request_id.empty()) {
      attributes.push_back(attribute("aws.request_id", json::string(s.request_id)));
    }
    bool error = s.status == "error" || s.status == "timeout" || s.status == "throttled" ||
                 (!s.status.empty() && s.status[0] == '5');
    json::object span{{"traceId", hex_trace_id(s.trace_id)},
                      {"spanId", s.span_id},
                      {"name", s.service + " " + s.operation},
                      {"kind", 2},  // SERVER
                      {"startTimeUnixNano", std::to_string(s.start_us * 1000)},
                      {"endTimeUnixNano", std::to_string((s.start_us + s.duration_us) * 1000)},
                      {"attributes", std::move(attributes)},
                      {"status", json::object{{"code", error ? 2 : 1}}}};
    if (!s.parent_id.empty()) span["parentSpanId"] = s.parent_id;
    out.push_back(std::move(span));
  }
  json::object resource{{"attributes", json::array{attribute("service.name", json::string("nimbus"))}}};
  json::object scope{{"scope", json::object{{"name", "nimbus"}}}, {"spans", std::move(out)}};
  return json::serialize(json::object{
      {"resourceSpans", json::array{json::object{{"resource", std::move(resource)},
                                                 {"scopeSpans", json::array{std::move(scope)}}}}}});
}

void OtlpExporter::send(const std::vector<Span>& spans) {
  if (spans.empty()) return;
  auto& i = *impl_;
  beast::error_code ec;
  try {
    boost::asio::ip::tcp::resolver resolver(i.io);
    beast::tcp_stream stream(i.io);
    stream.expires_after(std::chrono::seconds(2));
    auto addresses = resolver.resolve(i.host, i.port);
    stream.connect(addresses);
    http::request<http::string_body> req{http::verb::post, i.target, 11};
    req.set(http::field::host, i.host + ":" + i.port);
    req.set(http::field::content_type, "application/json");
    req.body() = to_json(spans);
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    if (res.result_int() / 100 != 2) throw std::runtime_error("the collector answered " + std::to_string(res.result_int()));
  } catch (const std::exception& e) {
    auto now = std::chrono::steady_clock::now();
    if (now - i.last_warning > std::chrono::seconds(10)) {
      spdlog::warn("traces: could not export {} spans to http://{}:{}{}: {}", spans.size(), i.host, i.port, i.target,
                   e.what());
      i.last_warning = now;
    }
  }
}

}  // namespace nimbus::observability
