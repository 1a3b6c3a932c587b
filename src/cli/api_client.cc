#include "cli/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>

#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/time.h"

namespace nimbus::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

ApiTarget ApiTarget::from_environment() {
  ApiTarget t;
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (auto v = env("NIMBUS_ENDPOINT"); !v.empty()) t.endpoint = v;
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
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::minutes(16));
    stream.connect(resolver.resolve(host, port));

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
    bhttp::write(stream, req);

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::read(stream, buffer, parser);
    auto& res = parser.get();
    ApiResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers[base::to_lower(f.name_string())] = std::string(f.value());
    out.body = std::move(res.body());
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return out;
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kIo, "cannot reach nimbus at " + target.endpoint + ": " + e.what());
  }
}

}  // namespace nimbus::cli
