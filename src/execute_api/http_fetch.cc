#include "execute_api/http_fetch.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/empty_body.hpp>

namespace nimbus::execute_api {

namespace asio = boost::asio;
namespace beast = boost::beast;

boost::asio::awaitable<base::Result<std::string>> http_get(std::string url, std::chrono::milliseconds timeout) {
  auto fail = [&](std::string why) {
    return base::make_error(base::ErrorCode::kUnavailable, "GET " + url + ": " + why);
  };
  if (url.rfind("https://", 0) == 0) co_return fail("nimbus fetches issuers' keys over http:// only");
  if (url.rfind("http://", 0) != 0) co_return fail("not an http:// URL");
  std::string rest = url.substr(7);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash), target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = authority, port = "80";
  if (size_t colon = authority.rfind(':'); colon != std::string::npos && authority.find(']') == std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) co_return fail("no host");
  auto executor = co_await asio::this_coro::executor;
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(host, port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail("cannot resolve " + host + ": " + ec.message());
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail(ec.message());
  beast::http::request<beast::http::empty_body> req(beast::http::verb::get, target, 11);
  req.set(beast::http::field::host, authority);
  req.set(beast::http::field::user_agent, "nimbus-apigateway");
  req.set(beast::http::field::accept, "application/json");
  co_await beast::http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail(ec.message());
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(1 << 20);
  co_await beast::http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return fail(ec.message());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  auto& res = parser.get();
  if (res.result_int() != 200) co_return fail("status " + std::to_string(res.result_int()));
  co_return std::move(res.body());
}

}  // namespace nimbus::execute_api
