#include "http/client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "base/encoding.h"

namespace nimbus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

boost::asio::awaitable<base::Result<ClientResponse>> fetch(ClientRequest request) {
  const std::string& url = request.url;
  auto fail = [&](std::string why) {
    return base::make_error(base::ErrorCode::kUnavailable, request.method + " " + url + ": " + why);
  };
  if (url.rfind("https://", 0) == 0) co_return fail("nimbus calls out over http:// only");
  if (url.rfind("http://", 0) != 0) co_return fail("not an http:// URL");
  std::string rest = url.substr(7);
  size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (target[0] == '?') target = "/" + target;
  std::string host = authority, port = "80";
  if (size_t colon = authority.rfind(':'); colon != std::string::npos && authority.find(']') == std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  } else if (authority.size() > 2 && authority.front() == '[') {
    size_t close = authority.find(']');
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  }
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty()) co_return fail("no host");
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(host, port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail("cannot resolve " + host + ": " + ec.message());
  beast::tcp_stream stream(executor);
  stream.expires_after(request.timeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail(ec.message());
  auto verb = beast::http::string_to_verb(request.method);
  if (verb == beast::http::verb::unknown) co_return fail("unknown method");
  beast::http::request<beast::http::string_body> req(verb, target, 11);
  bool has_host = false, has_agent = false;
  for (const auto& [k, v] : request.headers) {
    req.set(k, v);
    has_host |= base::iequals(k, "host");
    has_agent |= base::iequals(k, "user-agent");
  }
  if (!has_host) req.set(beast::http::field::host, authority);
  if (!has_agent) req.set(beast::http::field::user_agent, "nimbus");
  req.body() = std::move(request.body);
  if (verb != beast::http::verb::get || !req.body().empty()) req.prepare_payload();
  co_await beast::http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail(ec.message());
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(request.body_limit);
  co_await beast::http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail(ec.message());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  auto& res = parser.get();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers.emplace_back(base::to_lower(std::string(f.name_string())), std::string(f.value()));
  out.body = std::move(res.body());
  co_return out;
}

}  // namespace nimbus::http
