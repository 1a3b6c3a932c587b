#include "cli/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstdlib>
#include <iostream>

#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/time.h"

namespace nimbus::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {
std::string& endpoint_flag() {
  static std::string flag;
  return flag;
}
}  // namespace

void ApiTarget::set_endpoint_flag(std::string endpoint) { endpoint_flag() = std::move(endpoint); }

std::string connection_error(const std::string& endpoint, const boost::system::error_code& ec, bool connecting) {
  namespace errc = boost::asio::error;
  std::string what;
  if (ec == errc::connection_refused) what = "connection refused";
  else if (ec == errc::host_not_found || ec == errc::host_not_found_try_again) what = "no such host";
  else if (ec == errc::service_not_found) what = "not a port number";
  else if (ec == errc::timed_out || ec == beast::error::timeout) what = "timed out";
  else if (ec == errc::connection_reset || ec == errc::eof || ec == bhttp::error::end_of_stream)
    what = "the connection was closed before nimbus answered";
  else if (ec == errc::network_unreachable || ec == errc::host_unreachable) what = "the host is unreachable";
  else {
    what = ec.message();  // the system's words, without the library's source location
    if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  }
  std::string out = (connecting ? "cannot connect to nimbus at " : "lost the connection to nimbus at ") + endpoint + ": " + what;
  if (ec == errc::connection_refused) out += " \u2014 is `nimbus serve` running?";
  return out;
}

ApiTarget ApiTarget::from_environment() {
  ApiTarget t;
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (!endpoint_flag().empty()) t.endpoint = endpoint_flag();
  else if (auto v = env("NIMBUS_ENDPOINT"); !v.empty()) t.endpoint = v;
  else if (auto v2 = env("AWS_ENDPOINT_URL"); !v2.empty()) t.endpoint = v2;
  if (auto v = env("AWS_ACCESS_KEY_ID"); !v.empty()) t.access_key = v;
  if (auto v = env("AWS_SECRET_ACCESS_KEY"); !v.empty()) t.secret_key = v;
  if (auto v = env("AWS_REGION"); !v.empty()) t.region = v;
  else if (auto v2 = env("AWS_DEFAULT_REGION"); !v2.empty()) t.region = v2;
  return t;
}

base::Result<ApiResponse> call(const ApiTarget& target, const std::string& service, const std::string& method,
                               const std::string& path, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  std::string hostport = target.endpoint;
  if (hostport.rfind("http://", 0) == 0) hostport = hostport.substr(7);
  else if (hostport.rfind("https://", 0) == 0)
    return base::make_error(base::ErrorCode::kInvalidArgument, "https endpoints are not supported by the nimbus CLI");
  if (auto slash = hostport.find('/'); slash != std::string::npos) hostport.resize(slash);
  std::string host = hostport, port = "80";
  if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (host.empty() || port.empty())
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "the endpoint " + target.endpoint + " is not a URL like http://127.0.0.1:4566");
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::minutes(16));
  boost::system::error_code ec;
  auto addresses = resolver.resolve(host, port, ec);
  if (!ec) stream.connect(addresses, ec);
  if (ec) return base::make_error(base::ErrorCode::kIo, connection_error(target.endpoint, ec, true));

  size_t q = path.find('?');
  std::string raw_path = path.substr(0, q), raw_query = q == std::string::npos ? "" : path.substr(q + 1);
  int64_t now = base::now_ms();
  std::string amz_date = base::amz_date(now);
  std::string payload_hash = base::sha256_hex(body);
  base::HeaderList signed_headers = {{"host", hostport}, {"x-amz-date", amz_date}};
  if (service == "s3") signed_headers.emplace_back("x-amz-content-sha256", payload_hash);
  for (const auto& [k, v] : headers) signed_headers.emplace_back(base::to_lower(k), v);
  auth::Scope scope{amz_date.substr(0, 8), target.region, service};
  std::string authz = auth::authorization_header(method, raw_path, raw_query, signed_headers, payload_hash,
                                                 target.access_key, target.secret_key, scope, amz_date,
                                                 service != "s3");

  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), path, 11};
  for (const auto& [k, v] : signed_headers) req.set(k, v);
  req.set(bhttp::field::authorization, authz);
  req.set(bhttp::field::user_agent, "nimbus-cli/0.1");
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  if (ec) return base::make_error(base::ErrorCode::kIo, connection_error(target.endpoint, ec, false));

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  bhttp::read(stream, buffer, parser, ec);
  if (ec) return base::make_error(base::ErrorCode::kIo, connection_error(target.endpoint, ec, false));
  auto& res = parser.get();
  ApiResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers[base::to_lower(f.name_string())] = std::string(f.value());
  out.body = std::move(res.body());
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return out;
}

int report_failure(const base::Result<ApiResponse>& r) {
  std::cerr << (r ? "nimbus answered " + std::to_string(r->status) + ": " + r->body : r.error().message) << "\n";
  return r ? 1 : 255;
}

std::string text_of(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

long long number_of(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<long long>() : 0;
}

}  // namespace nimbus::cli
